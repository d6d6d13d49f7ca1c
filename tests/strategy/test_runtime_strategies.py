"""Strategies inside the trading runtime: entries, reversal (close, then enter), exit, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal as D
from pathlib import Path

import pytest

from moonai_tui.config import Settings
from moonai_tui.domain import Bar, BookLevel, Instrument, OrderBook
from moonai_tui.engine.bus import EventBus, Subscription
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.events import (
    CandleHistoryLoaded,
    CandleUpdated,
    Event,
    NoticeRaised,
    OrderBookUpdated,
)
from moonai_tui.engine.trading_events import SignalRaised
from moonai_tui.engine.trading_runtime import TradingRuntime
from moonai_tui.store import Store, open_store

SYMBOL = "BTC/USDT:USDT"
BTC = Instrument(
    SYMBOL, "BTCUSDT", "swap", "BTC", "USDT", "USDT", D("0.1"), D("0.001"), D("0.001"), D("5")
)
LEVELS = """\
import numpy as np
import pandas as pd
from moonai_tui.strategy import Strategy


class Levels(Strategy):
    '''Long above 101, short below 99, flat in between.'''

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].to_numpy()
        out = np.where(close > 101, 1.0, np.where(close < 99, -1.0, 0.0))
        return pd.Series(out, index=bars.index)

    def explain(self, bars: pd.DataFrame) -> tuple[float, str]:
        return 0.8, f"close {bars['close'].iloc[-1]}"
"""
FAILING = """\
import pandas as pd
from moonai_tui.strategy import Strategy


class Failing(Strategy):
    def target(self, bars: pd.DataFrame) -> pd.Series:
        if len(bars) > 3:
            raise RuntimeError("broken on purpose")
        return pd.Series(float("nan"), index=bars.index)
"""


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as opened:
        yield opened


def bar(i: int, close: float) -> Bar:
    return Bar(1_704_067_200_000 + 60_000 * i, close, close + 0.5, close - 0.5, close, 1.0)


def book(price: float) -> OrderBookUpdated:
    levels = (BookLevel(price - 0.1, 1e6),), (BookLevel(price + 0.1, 1e6),)
    return OrderBookUpdated(OrderBook(SYMBOL, 0, *levels))


def closed(i: int, close: float) -> CandleUpdated:
    return CandleUpdated(SYMBOL, "1m", bar(i, close), True)


def drain(sub: Subscription) -> list[Event]:
    events = []
    while (event := sub.get_nowait()) is not None:
        events.append(event)
    return events


async def runtime_with(store: Store, tmp_path: Path, files: dict[str, str]) -> TradingRuntime:
    folder = tmp_path / "strategies"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    settings = Settings(approval="auto", trade={"strategies_dir": folder})
    runtime = TradingRuntime(
        settings=settings,
        bus=EventBus(),
        clock=FixedClock(1_000),
        journal=store.journal,
        instruments={SYMBOL: BTC},
    )
    await runtime.trader.start()
    return runtime


def qty(runtime: TradingRuntime) -> D:
    return sum((p.qty for p in runtime.trader.positions()), D(0))


async def test_entry_reversal_and_exit_follow_the_target(store: Store, tmp_path: Path) -> None:
    runtime = await runtime_with(store, tmp_path, {"levels": LEVELS})
    sub = runtime._bus.subscribe()
    await runtime._handle(CandleHistoryLoaded(SYMBOL, "1m", (bar(0, 100.0), bar(1, 100.2))))
    assert (await runtime.start_strategy("levels", "test")).ok
    await runtime._handle(book(100.0))
    await runtime._handle(closed(2, 100.5))  # still flat: no change, no signal
    assert not [e for e in drain(sub) if isinstance(e, SignalRaised)]

    await runtime._handle(closed(3, 102.0))  # 0 -> +1: go long
    await runtime._handle(book(102.0))
    assert qty(runtime) > 0
    signals = [e for e in drain(sub) if isinstance(e, SignalRaised)]
    assert [(s.side, s.reasons, s.confidence) for s in signals] == [
        ("buy", "long: close 102.0", 0.8)
    ]

    await runtime._handle(closed(4, 98.0))  # +1 -> -1: close the long, then go short
    await runtime._handle(book(98.0))  # the close fills; the short is sent
    assert qty(runtime) == 0
    await runtime._handle(book(98.0))  # the short fills
    assert qty(runtime) < 0
    signals = [e for e in drain(sub) if isinstance(e, SignalRaised)]
    assert [s.side for s in signals] == ["sell", "sell"]
    assert signals[0].reasons == "reverse to short: close 98.0"
    assert signals[1].reasons.endswith("(now flat)")

    await runtime._handle(book(99.5))  # inside the short's 2% stop
    assert qty(runtime) < 0
    await runtime._handle(closed(5, 99.5))  # -1 -> 0: close
    await runtime._handle(book(99.5))
    assert qty(runtime) == 0
    signals = [e for e in drain(sub) if isinstance(e, SignalRaised)]
    assert [(s.side, s.reasons) for s in signals] == [(None, "exit: close 99.5")]
    await runtime._handle(book(99.5))
    assert qty(runtime) == 0  # no re-entry after an exit


async def test_a_failing_strategy_is_stopped_alone(store: Store, tmp_path: Path) -> None:
    runtime = await runtime_with(store, tmp_path, {"levels": LEVELS, "failing": FAILING})
    sub = runtime._bus.subscribe()
    assert (await runtime.start_strategy("failing", "test")).ok
    assert (await runtime.start_strategy("levels", "test")).ok
    await runtime._handle(book(100.0))
    for i, close in enumerate((100.0, 100.0, 100.0, 100.0, 102.0)):
        await runtime._handle(closed(i, close))
    assert runtime.strategies == ("levels",)
    notices = [e.message for e in drain(sub) if isinstance(e, NoticeRaised) and e.level == "error"]
    assert len(notices) == 1
    assert notices[0].startswith("strategy failing stopped: ")
    assert "failing.py:8: target() raised RuntimeError: broken on purpose" in notices[0]
    assert runtime._reentries == {}


async def test_a_strategy_failing_on_history_does_not_start(store: Store, tmp_path: Path) -> None:
    runtime = await runtime_with(store, tmp_path, {"failing": FAILING})
    history = tuple(bar(i, 100.0) for i in range(5))
    await runtime._handle(CandleHistoryLoaded(SYMBOL, "1m", history))
    result = await runtime.start_strategy("failing", "test")
    assert not result.ok and "target() raised RuntimeError" in result.message
    assert runtime.strategies == ()
