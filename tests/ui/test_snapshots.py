"""Snapshots of the console with a fixed clock and fixed market data.

Update after an intended change with ``pytest tests/ui --snapshot-update`` and
look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from textual.pilot import Pilot

from moonai_tui.config import FeedSettings, Settings, UISettings
from moonai_tui.domain import Bar
from moonai_tui.engine import events
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.trading_events import OrderUpdated
from moonai_tui.ui.app import MoonAIApp
from moonai_tui.ui.widgets.desk import Desk
from moonai_tui.ui.widgets.order_book import OrderBookPane
from moonai_tui.ui.widgets.price_pane import PricePane
from moonai_tui.ui.widgets.trades_tape import TradesTape

from .fakes import SYMBOL, T0_MS, FakeEngineClient, make_bars, make_book, make_ticker, make_trades
from .pilot_tools import redrawn, until
from .trading_fakes import (
    approval_requested,
    make_order,
    position_changed,
    risk_changed,
    signal,
)

SnapCompare = Callable[..., bool]


def console_app(*, trading: bool = False) -> tuple[MoonAIApp, Callable[[Pilot[Any]], Any]]:
    """The console on fixed data, and a ``run_before`` that feeds it and waits.

    With ``trading``, the lower panes get signals, a pending entry, positions,
    orders and a risk status with a breach (no events that raise a toast).
    """
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
        if trading:
            client.publish(*TRADING_EVENTS)
            desk = screen.query_one(Desk)
            await until(pilot, lambda: desk.risk is not None and len(desk.orders) == 2, "trading")
        await redrawn(pilot)

    return app, feed


TRADING_EVENTS = (
    signal(None, ts_ms=T0_MS - 60_000, reasons="rsi 48, macd -0.1"),
    signal("buy", reasons="fast>slow, vol ok"),
    approval_requested(12),
    approval_requested(13, side="sell", qty="0.5", expires_in_ms=8_000),
    position_changed("0.014", "71203.0", "71482.4"),
    position_changed("-2.5", "3512.34", "3520.10", symbol="ETH/USDT:USDT", stop=None),
    OrderUpdated(make_order("moon-10", status="filled", filled="0.014", avg_price="71203.0")),
    OrderUpdated(
        make_order(
            "moon-11",
            created_ms=T0_MS + 2_000,
            side="sell",
            type="stop",
            trigger_price=Decimal("70053"),
            reduce_only=True,
        )
    ),
    risk_changed(drawdown_pct=Decimal("20.4"), halted_reason="max drawdown 20% reached"),
)


def test_console_at_120x40(snap_compare: SnapCompare) -> None:
    app, feed = console_app()
    assert snap_compare(app, terminal_size=(120, 40), run_before=feed)


def test_console_at_80x24_on_the_risk_tab(snap_compare: SnapCompare) -> None:
    app, feed = console_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=feed, press=["5"])


def test_help_at_120x40(snap_compare: SnapCompare) -> None:
    app, feed = console_app()
    assert snap_compare(app, terminal_size=(120, 40), run_before=feed, press=["question_mark"])


def test_console_trading_at_120x40(snap_compare: SnapCompare) -> None:
    app, feed = console_app(trading=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=feed)


def test_console_at_80x24_on_the_pending_tab(snap_compare: SnapCompare) -> None:
    app, feed = console_app(trading=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=feed, press=["2"])


def test_kill_confirmation_at_120x40(snap_compare: SnapCompare) -> None:
    app, feed = console_app(trading=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=feed, press=["k"])
