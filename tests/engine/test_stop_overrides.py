"""A strategy's per-trade stop / take-profit reach the order, still inside the risk rules.

Equity 10,000, risk 1 %, position cap 1x equity (RiskLimits defaults); the book at
50,000 has mid 50,000.0 (bid 49,999.9, ask 50,000.1), tick 0.1, lot 0.001. The
settings' own stops (2 % / 4 %) would give 49,000 / 52,000 and 0.1 BTC, so every
number below tells an override from the settings.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from trader_builders import BTC, SYMBOL, book, drain, paper_trader, trade

from moonai_tui.config import Settings
from moonai_tui.domain import Bar, BookLevel, OrderBook
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.events import CandleUpdated, OrderBookUpdated
from moonai_tui.engine.stop_overrides import StopOverride
from moonai_tui.engine.trading_events import OrderDenied
from moonai_tui.engine.trading_runtime import TradingRuntime
from moonai_tui.risk import Denied
from moonai_tui.store import Store


async def test_an_auto_entry_carries_the_strategy_stops(store: Store) -> None:
    clock = FixedClock(0)
    trader, paper = paper_trader(store, clock, manual=False)
    await trader.start()
    await trader.on_book(book(50_000.0))
    await trader.on_signal("s", SYMBOL, "buy", 0.9, "", stop_loss_pct=0.015, take_profit_pct=0.05)
    (order,) = await store.journal.orders("paper")
    # stop 50,000 x 0.985 = 49,250, target 50,000 x 1.05 = 52,500;
    # size 10,000 x 1 % / 750 = 0.1333 -> 0.133 (cap 10,000 / 50,000 = 0.2 is larger)
    request = order.request
    assert (request.stop_loss, request.take_profit, request.qty) == (
        D("49250.0"),
        D("52500.0"),
        D("0.133"),
    )
    await trader.on_book(book(50_000.0))  # fills at 50,000.1
    (protection,) = paper.protections()
    assert (protection.stop_loss, protection.take_profit) == (D("49250.0"), D("52500.0"))
    (position,) = trader.positions()
    assert position.stop_loss == D("49250.0")
    await trader.on_trades(SYMBOL, trade(49_300.0, 1))  # above the override: nothing
    assert trader.positions() != []
    await trader.on_trades(SYMBOL, trade(49_200.0, 2))  # through 49,250 (settings: 49,000)
    assert trader.positions() == []


async def test_a_short_mirrors_the_override(store: Store) -> None:
    trader, _ = paper_trader(store, FixedClock(0), manual=False)
    await trader.start()
    await trader.on_book(book(50_000.0))
    await trader.on_signal("s", SYMBOL, "sell", 0.9, "", stop_loss_pct=0.015, take_profit_pct=0.05)
    (order,) = await store.journal.orders("paper")
    # stop 50,000 x 1.015 = 50,750, target 50,000 x 0.95 = 47,500
    assert (order.request.stop_loss, order.request.take_profit) == (D("50750.0"), D("47500.0"))
    assert order.request.qty == D("0.133")


async def test_only_the_stop_overridden_keeps_the_settings_target(store: Store) -> None:
    trader, _ = paper_trader(store, FixedClock(0), manual=False)
    await trader.start()
    await trader.on_book(book(50_000.0))
    await trader.on_signal("s", SYMBOL, "buy", 0.9, "", stop_loss_pct=0.01)
    (order,) = await store.journal.orders("paper")
    # stop 49,500 (size 100 / 500 = 0.2, equal to the 1x cap), target from 4 %: 52,000
    request = order.request
    assert (request.stop_loss, request.take_profit, request.qty) == (
        D("49500.0"),
        D("52000.0"),
        D("0.2"),
    )


async def test_a_tight_override_is_still_held_by_the_position_cap(store: Store) -> None:
    trader, _ = paper_trader(store, FixedClock(0), manual=False)
    await trader.start()
    await trader.on_book(book(50_000.0))
    await trader.on_signal("s", SYMBOL, "buy", 0.9, "", stop_loss_pct=0.001)
    (order,) = await store.journal.orders("paper")
    # risk alone: 100 / 50 = 2 BTC (100,000 notional); the 1x cap allows 10,000 / 50,000
    assert (order.request.stop_loss, order.request.qty) == (D("49950.0"), D("0.2"))


async def test_approval_prices_the_override_at_the_new_mark(store: Store) -> None:
    trader, _ = paper_trader(store, FixedClock(0))
    await trader.start()
    await trader.on_book(book(50_000.0))
    await trader.on_signal("s", SYMBOL, "buy", 0.9, "", stop_loss_pct=0.015, take_profit_pct=0.05)
    (item,) = trader.queue.pending()
    assert item.request.stop_loss == D("49250.0")
    await trader.on_book(book(60_000.0))
    assert (await trader.decide(item.id, True, "tui")).ok
    (order,) = await store.journal.orders("paper")
    # at 60,000: stop 59,100, target 63,000, size 100 / 900 = 0.111 (settings: 58,800 / 62,400)
    request = order.request
    assert (request.stop_loss, request.take_profit, request.qty) == (
        D("59100.0"),
        D("63000.0"),
        D("0.111"),
    )


@pytest.mark.parametrize(
    ("stop", "take", "code"),
    [
        (-0.01, None, "invalid_stop"),
        (float("inf"), None, "invalid_stop"),
        (1.5, None, "invalid_stop"),  # a long's stop below zero
        (None, 0.0, "invalid_take_profit"),
    ],
)
async def test_a_bad_override_is_refused_with_a_reason(
    store: Store, stop: float | None, take: float | None, code: str
) -> None:
    bus = EventBus()
    sub = bus.subscribe()
    trader, _ = paper_trader(store, FixedClock(0), bus, manual=False)
    await trader.start()
    await trader.on_book(book(50_000.0))
    await trader.on_signal("s", SYMBOL, "buy", 0.9, "", stop_loss_pct=stop, take_profit_pct=take)
    (denied,) = [e for e in drain(sub) if isinstance(e, OrderDenied)]
    assert denied.code == code
    assert await store.journal.orders("paper") == []


def test_nan_means_the_settings_and_prices_mirror_by_side() -> None:
    assert StopOverride(float("nan"), None).prices(D("100"), "buy") == (None, None)
    assert StopOverride(0.02, 0.1).prices(D("200"), "buy") == (D("196.00"), D("220.0"))
    assert StopOverride(0.02, 0.1).prices(D("200"), "sell") == (D("204.00"), D("180.0"))
    refused = StopOverride(0.0, None).prices(D("200"), "buy")
    assert isinstance(refused, Denied) and "stop_loss_pct 0.0" in refused.reason


STOPPED = """\
import numpy as np
import pandas as pd
from moonai_tui.strategy import Strategy


class Stopped(Strategy):
    '''Long above 101, with its own stops: 1.5 % / 5 %.'''

    def target(self, bars: pd.DataFrame) -> pd.Series:
        return pd.Series(np.where(bars["close"].to_numpy() > 101, 1.0, 0.0), index=bars.index)

    def stops(self, bars: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"stop_loss_pct": 0.015, "take_profit_pct": 0.05}, index=bars.index)
"""


async def test_the_runtime_passes_the_strategy_stops_to_the_order(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "strategies"
    folder.mkdir()
    (folder / "stopped.py").write_text(STOPPED, encoding="utf-8")
    runtime = TradingRuntime(
        settings=Settings(approval="auto", trade={"strategies_dir": folder}),
        bus=EventBus(),
        clock=FixedClock(1_000),
        journal=store.journal,
        instruments={SYMBOL: BTC},
    )
    await runtime.trader.start()
    assert (await runtime.start_strategy("stopped", "test")).ok
    levels = (BookLevel(99.9, 1e6),), (BookLevel(100.1, 1e6),)
    await runtime._handle(OrderBookUpdated(OrderBook(SYMBOL, 0, *levels)))
    for i, close in enumerate((100.0, 102.0)):
        bar = Bar(1_704_067_200_000 + 60_000 * i, close, close, close, close, 1.0)
        await runtime._handle(CandleUpdated(SYMBOL, "1m", bar, True))
    (order,) = await store.journal.orders("paper")
    # mark 100.0: stop 98.5, target 105.0, size 100 / 1.5 = 66.666 (settings: 98 / 104 / 50)
    request = order.request
    assert (request.stop_loss, request.take_profit, request.qty) == (
        D("98.5"),
        D("105.0"),
        D("66.666"),
    )
