"""Batch/live equality: the live runner, fed bar by bar, raises exactly the backtest's orders."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from strategy_bars import random_bars

from moonai_tui.domain import Bar, BookLevel, OrderBook, Trade
from moonai_tui.engine.strategy_runner import StrategyRunner
from moonai_tui.errors import StrategyError
from moonai_tui.strategy import (
    LIVE_MARGIN,
    Signal,
    Strategy,
    evaluate_target,
    load_strategy,
    order_events,
)

FOLDER = Path("strategies")


def as_bars(frame: pd.DataFrame) -> list[Bar]:
    ms = (frame.index - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(1, "ms")
    rows = zip(
        ms, *(frame[c].tolist() for c in ("open", "high", "low", "close", "volume")), strict=True
    )
    return [Bar(int(ts), o, h, lo, c, v) for ts, o, h, lo, c, v in rows]


def with_lookback(strategy: Strategy, bars: int) -> Strategy:
    """The same strategy with a shorter live window (so the window really rolls here)."""
    short = type(f"Short{type(strategy).__name__}", (type(strategy),), {"lookback": lambda _: bars})
    built: Strategy = short(**strategy.params)
    return built


@pytest.mark.parametrize(
    ("name", "lookback"),
    [("sma_cross", 120), ("breakout", 150), ("mean_reversion", 1_000)],
)
def test_live_runner_raises_the_backtest_order_events(name: str, lookback: int) -> None:
    frame = random_bars(1_400, seed=21)
    strategy = with_lookback(load_strategy(name, FOLDER, {}), lookback)
    expected = order_events(evaluate_target(strategy, frame))
    runner = StrategyRunner(name, strategy)
    assert runner.window == max(lookback, strategy.warmup() + LIVE_MARGIN) < len(frame)
    decisions = [runner.on_bar_close("BTC", bar) for bar in as_bars(frame)]
    got = [d.event for d in decisions if d is not None]
    assert len(expected) > 20
    assert got == expected


def test_seeded_runner_waits_for_the_next_change(bars: pd.DataFrame) -> None:
    strategy = load_strategy("sma_cross", FOLDER, {})
    expected = order_events(evaluate_target(strategy, bars))
    cut = expected[5].index - 1  # history ends just before the sixth order
    history = as_bars(bars)
    runner = StrategyRunner("sma_cross", strategy)
    runner.seed("BTC", history[: cut + 1])
    assert runner.state("BTC") == expected[4].target
    got = [runner.on_bar_close("BTC", bar) for bar in history[cut + 1 : expected[8].index + 1]]
    events = [d.event for d in got if d is not None]
    assert events == expected[5:9]


def test_signal_carries_side_reasons_confidence_and_stops(bars: pd.DataFrame) -> None:
    bars = bars.iloc[:1_200]
    strategy = load_strategy("breakout", FOLDER, {"take_atr": 3.0})
    runner = StrategyRunner("breakout", strategy)
    decisions = [d for bar in as_bars(bars) if (d := runner.on_bar_close("ETH", bar))]
    kinds = {d.event.action: d.signal for d in decisions}
    assert kinds["enter_long"].side == "buy" and kinds["enter_short"].side == "sell"
    assert kinds["exit"].side is None and kinds["exit"].stop_loss_pct is None
    entry = next(d for d in decisions if d.event.action == "enter_long")
    assert entry.signal.reasons.startswith(("long: close", "reverse to long: close"))
    assert 0.5 <= entry.signal.confidence <= 1.0
    window = bars.iloc[: entry.event.index + 1]
    stops = strategy.stops(window)
    assert entry.signal.stop_loss_pct == pytest.approx(stops["stop_loss_pct"].iloc[-1])
    assert entry.signal.take_profit_pct == pytest.approx(stops["take_profit_pct"].iloc[-1])
    reversal = next(d for d in decisions if d.event.reversal)
    assert reversal.signal.reasons.startswith("reverse to ")


def test_repeated_or_old_bars_are_ignored(bars: pd.DataFrame) -> None:
    history = as_bars(bars.iloc[:100])
    runner = StrategyRunner("sma_cross", load_strategy("sma_cross", FOLDER, {}))
    for bar in history:
        runner.on_bar_close("BTC", bar)
    state = runner.state("BTC")
    assert runner.on_bar_close("BTC", history[-1]) is None
    assert runner.on_bar_close("BTC", history[10]) is None
    assert runner.state("BTC") == state


class Boom(Strategy):
    def target(self, bars: pd.DataFrame) -> pd.Series:
        if len(bars) > 3:
            raise KeyError("missing column")
        return pd.Series(1.0, index=bars.index)

    def on_book(self, book: OrderBook) -> Signal | None:
        return Signal("buy", 0.9, "bid heavy") if (book.imbalance() or 0) > 0.5 else None

    def on_trade(self, trade: Trade) -> Signal | None:
        return "sell"  # type: ignore[return-value]


def test_failures_become_strategy_errors_and_hooks_are_checked(bars: pd.DataFrame) -> None:
    runner = StrategyRunner("boom", Boom())
    history = as_bars(bars.iloc[:5])
    first = runner.on_bar_close("BTC", history[0])
    assert first is not None and first.signal.side == "buy"
    for bar in history[1:3]:
        assert runner.on_bar_close("BTC", bar) is None
    with pytest.raises(
        StrategyError, match=r"test_strategy_runner\.py:\d+: target\(\) raised KeyError"
    ):
        runner.on_bar_close("BTC", history[3])
    assert runner.wants_books and runner.wants_trades
    book = OrderBook("BTC", 0, (BookLevel(99.0, 9.0),), (BookLevel(101.0, 1.0),))
    assert runner.on_book(book) == Signal("buy", 0.9, "bid heavy")
    with pytest.raises(StrategyError, match="must return a Signal or None, got 'sell'"):
        runner.on_trade(Trade("1", 0, 100.0, 1.0, "buy"))
    plain = StrategyRunner("sma", load_strategy("sma_cross", FOLDER, {}))
    assert not plain.wants_books and not plain.wants_trades


class RemembersByTime(Strategy):
    """Keeps its target per bar time between calls, as the ml strategy caches scores."""

    name = "remembers"

    def target(self, bars: pd.DataFrame) -> pd.Series:
        if not hasattr(self, "seen"):
            self.seen: dict[pd.Timestamp, float] = {}
        for time, close in bars["close"].items():
            self.seen.setdefault(time, 1.0 if close > 100 else -1.0)
        return pd.Series([self.seen[t] for t in bars.index], index=bars.index)


def test_two_symbols_with_the_same_bar_times_never_share_a_strategys_state() -> None:
    start = 1_709_251_200_000
    runner = StrategyRunner("remembers", RemembersByTime())
    runner.seed("A", [Bar(start, 90, 90, 90, 90, 1.0)])
    runner.seed("B", [Bar(start, 110, 110, 110, 110, 1.0)])
    assert (runner.state("A"), runner.state("B")) == (-1.0, 1.0)

    up = runner.on_bar_close("A", Bar(start + 60_000, 120, 120, 120, 120, 1.0))
    down = runner.on_bar_close("B", Bar(start + 60_000, 80, 80, 80, 80, 1.0))

    assert up is not None and up.signal.side == "buy"
    assert down is not None and down.signal.side == "sell"
