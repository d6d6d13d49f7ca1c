"""Runs one strategy live: the backtest's code on a rolling window at each bar close.

Per symbol the runner keeps the last ``live_window()`` closed bars (bounded: the
engine runs for weeks). At each bar close it evaluates ``target()`` on that
window, takes the value at the new bar and applies the same edge-triggered rule
as the backtester (``moonai_tui.strategy.transitions.next_action``): a change of
the target raises a decision; no change raises nothing. Fed bar by bar from the
start, it produces exactly the order events of ``order_events`` on the full
history (tests/strategy/test_strategy_runner.py checks this).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from moonai_tui.domain import Bar, OrderBook, Side, Trade
from moonai_tui.engine.bar_window import BarWindow
from moonai_tui.errors import StrategyError
from moonai_tui.strategy import (
    OrderEvent,
    Signal,
    Strategy,
    call_strategy,
    carried_target,
    evaluate_stops,
    next_action,
    target_values,
)
from moonai_tui.strategy.budget import time_budget

SIDES: dict[str, Side | None] = {"enter_long": "buy", "enter_short": "sell", "exit": None}


@dataclass(frozen=True, slots=True)
class Decision:
    """A change of target at a bar close: the order event and the Signal to raise."""

    symbol: str
    event: OrderEvent
    signal: Signal


class StrategyRunner:
    """One strategy over any number of symbols.

    Each symbol's bars go to an instance of their own (the first symbol's is
    ``strategy``, later ones are built with the same parameters): a strategy that keeps
    state between calls, like the ``ml`` strategy's cache of scored bars, must never mix
    two markets whose bars share open times. The book and trade hooks use ``strategy``.
    """

    def __init__(self, name: str, strategy: Strategy, budget_seconds: float = 0.0) -> None:
        """``budget_seconds``: the longest one call may take (0 = none), see ``budget``."""
        self.name = name
        self.strategy = strategy
        self.budget_seconds = budget_seconds
        self.window = strategy.live_window()
        self._bars: dict[str, BarWindow] = {}
        self._state: dict[str, float] = {}
        self._seen: dict[str, int] = {}
        self._instances: dict[str, Strategy] = {}
        kind = type(strategy)
        self.wants_books = kind.on_book is not Strategy.on_book
        self.wants_trades = kind.on_trade is not Strategy.on_trade

    def state(self, symbol: str) -> float:
        """The carried target for ``symbol`` (0.0 = flat before any opinion)."""
        return self._state.get(symbol, 0.0)

    def seed(self, symbol: str, history: Sequence[Bar]) -> None:
        """Load closed bars (oldest first) without raising decisions.

        The carried target becomes the history's last opinion, so the first
        decision comes with the next change, as in a backtest over that history.

        Raises:
            StrategyError: the strategy failed on the history (StrategyTimeout: it ran
                past its time budget).
        """
        with time_budget(self.budget_seconds, f"strategy {self.name}"):
            self._seed(symbol, history)

    def _seed(self, symbol: str, history: Sequence[Bar]) -> None:
        window = BarWindow(self.window)
        for bar in history[-self.window :]:
            window.append(bar)
        self._bars[symbol] = window
        self._seen[symbol] = len(history)
        state = 0.0
        if len(window):
            values = target_values(self._instance(symbol), window.frame())
            state = float(carried_target(values)[-1])
        self._state[symbol] = state

    def on_bar_close(self, symbol: str, bar: Bar) -> Decision | None:
        """Add a closed bar and evaluate; a decision when the target changed.

        A bar not newer than the last one (a repeated close) is ignored.

        Raises:
            StrategyError: the strategy raised or returned an invalid target
                (StrategyTimeout: it ran past its time budget).
        """
        with time_budget(self.budget_seconds, f"strategy {self.name}"):
            return self._on_bar_close(symbol, bar)

    def _on_bar_close(self, symbol: str, bar: Bar) -> Decision | None:
        window = self._bars.get(symbol)
        if window is None:
            window = self._bars[symbol] = BarWindow(self.window)
        last = window.last_ts
        if last is not None and bar.ts <= last:
            return None
        window.append(bar)
        index = self._seen.get(symbol, 0)
        self._seen[symbol] = index + 1
        frame = window.frame()
        strategy = self._instance(symbol)
        value = float(target_values(strategy, frame)[-1])
        previous = self.state(symbol)
        state, action = next_action(previous, value)
        self._state[symbol] = state
        if action is None:
            return None
        # From the bar itself: boxing the frame index's last value costs 10x more.
        event = OrderEvent(index, pd.Timestamp(bar.ts, unit="ms", tz="UTC"), action, previous)
        return Decision(symbol, event, self._signal(strategy, event, frame))

    def _instance(self, symbol: str) -> Strategy:
        strategy = self._instances.get(symbol)
        if strategy is None:
            first = not self._instances
            strategy = self.strategy if first else type(self.strategy)(**self.strategy.params)
            self._instances[symbol] = strategy
        return strategy

    def on_book(self, book: OrderBook) -> Signal | None:
        """The strategy's book hook (book strategies); raises StrategyError if it fails."""
        with time_budget(self.budget_seconds, f"strategy {self.name}"):
            signal = call_strategy(self.strategy, "on_book()", lambda: self.strategy.on_book(book))
        return self._checked(signal)

    def on_trade(self, trade: Trade) -> Signal | None:
        """The strategy's trade hook (tick strategies); raises StrategyError if it fails."""
        with time_budget(self.budget_seconds, f"strategy {self.name}"):
            signal = call_strategy(
                self.strategy, "on_trade()", lambda: self.strategy.on_trade(trade)
            )
        return self._checked(signal)

    def _signal(self, strategy: Strategy, event: OrderEvent, frame: pd.DataFrame) -> Signal:
        explained: object = call_strategy(strategy, "explain()", lambda: strategy.explain(frame))
        if (
            not isinstance(explained, tuple)
            or len(explained) != 2
            or not isinstance(explained[0], int | float)
        ):
            raise StrategyError(
                f"{self.name}: explain() must return (confidence, reasons), got {explained!r}"
            )
        confidence = min(1.0, max(0.0, float(explained[0])))
        what = {"enter_long": "long", "enter_short": "short", "exit": "exit"}[event.action]
        if event.reversal:
            what = f"reverse to {what}"
        reasons = f"{what}: {explained[1]}" if explained[1] else what
        stop = take = None
        if event.action != "exit":
            stops = evaluate_stops(strategy, frame)
            if stops is not None:
                stop = _last(stops, "stop_loss_pct")
                take = _last(stops, "take_profit_pct")
        return Signal(SIDES[event.action], confidence, reasons, stop, take)

    def _checked(self, signal: object) -> Signal | None:
        if signal is None or isinstance(signal, Signal):
            return signal
        raise StrategyError(f"{self.name}: a hook must return a Signal or None, got {signal!r}")


def _last(stops: pd.DataFrame, column: str) -> float | None:
    if column not in stops.columns:
        return None
    value = float(np.asarray(stops[column])[-1])
    return None if math.isnan(value) else value
