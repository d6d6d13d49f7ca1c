"""Snapshots of the console with a fixed clock and fixed market data.

Update after an intended change with ``pytest tests/ui --snapshot-update`` and
look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from moonai_tui.config import FeedSettings, Settings, UISettings
from moonai_tui.domain import Bar
from moonai_tui.engine import events
from moonai_tui.engine.clock import FixedClock
from moonai_tui.ui.app import MoonAIApp
from moonai_tui.ui.widgets.order_book import OrderBookPane
from moonai_tui.ui.widgets.price_pane import PricePane
from moonai_tui.ui.widgets.trades_tape import TradesTape

from .fakes import SYMBOL, T0_MS, FakeEngineClient, make_bars, make_book, make_ticker, make_trades
from .pilot_tools import redrawn, until

SnapCompare = Callable[..., bool]


def console_app() -> tuple[MoonAIApp, Callable[[Pilot[Any]], Any]]:
    """The console on fixed data, and a ``run_before`` that feeds it and waits."""
    client = FakeEngineClient()
    settings = Settings(
        ui=UISettings(book_levels=8, trades_tape=40, chart_bars=90),
        feeds=FeedSettings(stale_after_seconds=10.0),
    )
    clock = FixedClock(T0_MS)
    app = MoonAIApp(client, settings, clock)
    bars = make_bars(90)
    last = bars[-1]
    forming = Bar(last.ts + 60_000, last.close, last.close + 12, last.close - 3, last.close + 8, 4)
    trades = make_trades(30)

    async def feed(pilot: Pilot[Any]) -> None:
        # Events published before the app subscribed would be lost.
        await until(pilot, lambda: app.bridge is not None, "the app to subscribe")
        await until(pilot, lambda: bool(app.screen.query(TradesTape)), "the panes")
        for stream in ("ticker", "book", "trades"):
            client.publish(events.ConnectionChanged(stream, SYMBOL, "connected", "", T0_MS))
        client.publish(
            events.ConnectionChanged("candles", SYMBOL, "disconnected", "socket closed", T0_MS),
            events.CandleHistoryLoaded(SYMBOL, "1m", bars),
            events.CandleUpdated(SYMBOL, "1m", forming, closed=False),
            events.TickerUpdated(make_ticker(71_482.4)),
            events.OrderBookUpdated(make_book(71_482.4)),
            events.TradesReceived(SYMBOL, trades),
        )
        screen = pilot.app.screen
        tape, price = screen.query_one(TradesTape), screen.query_one(PricePane)
        book = screen.query_one(OrderBookPane)
        await until(pilot, lambda: len(tape.rows) == len(trades), "the trades")
        await until(pilot, lambda: price.bars[-1:] == (forming,), "the candles")
        await until(pilot, lambda: price.ticker is not None and book.book is not None, "prices")
        await redrawn(pilot)

    return app, feed


def test_console_at_120x40(snap_compare: SnapCompare) -> None:
    app, feed = console_app()
    assert snap_compare(app, terminal_size=(120, 40), run_before=feed)


def test_console_at_80x24_on_the_risk_tab(snap_compare: SnapCompare) -> None:
    app, feed = console_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=feed, press=["5"])


def test_help_at_120x40(snap_compare: SnapCompare) -> None:
    app, feed = console_app()
    assert snap_compare(app, terminal_size=(120, 40), run_before=feed, press=["question_mark"])
