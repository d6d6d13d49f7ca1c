"""Signals, Pending, Positions, Orders, Risk and the header's equity follow trading events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from textual.app import App
from textual.widget import Widget

from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.events import SymbolChanged
from moonai_tui.engine.staleness import EntriesGated
from moonai_tui.engine.trading_events import (
    FillRecorded,
    KillSwitchChanged,
    OrderDenied,
    OrderUpdated,
)
from moonai_tui.ui.widgets.header_bar import HeaderBar
from moonai_tui.ui.widgets.orders_pane import OrdersPane
from moonai_tui.ui.widgets.pending_pane import PendingPane
from moonai_tui.ui.widgets.positions_pane import PositionsPane
from moonai_tui.ui.widgets.risk_pane import RiskPane
from moonai_tui.ui.widgets.signals_pane import SignalsPane

from .conftest import AppFactory
from .fakes import SYMBOL, T0_MS, FakeEngineClient
from .pilot_tools import is_red, is_red_background, redrawn, shown, style_of, until
from .trading_fakes import (
    approval_requested,
    approval_resolved,
    kill_state,
    make_fill,
    make_order,
    make_pending,
    position_changed,
    risk_changed,
    signal,
)

WIDE = (120, 40)


def text_of(app: App[Any], pane_type: type[Widget]) -> str:
    return shown(app, app.screen.query_one(pane_type))


def risk_text(app: App[Any]) -> str:
    """The Risk pane's text with wrapped lines joined again."""
    return " ".join(line.strip("│ ") for line in text_of(app, RiskPane).splitlines())


async def test_approval_request_appears_in_pending_with_its_countdown(
    make_app: AppFactory, client: FakeEngineClient, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        assert "#12" not in text_of(app, PendingPane)
        client.publish(approval_requested(12, expires_in_ms=42_000))
        await until(pilot, lambda: "#12" in text_of(app, PendingPane), "the entry")
        text = text_of(app, PendingPane)
        assert "#12 LONG 0.014 BTC @ mkt  SL 70,053  TP 74,341  conf 0.71  0:42" in text
        assert "a approve · x reject" in text

        clock.advance(40_500)  # 1.5 s left
        app.main_screen.tick()
        await until(pilot, lambda: "0:01" in text_of(app, PendingPane), "the countdown")
        assert "0:42" not in text_of(app, PendingPane)
        clock.advance(5_000)  # past expiry, before the engine says so
        app.main_screen.tick()
        await until(pilot, lambda: "0:00" in text_of(app, PendingPane), "zero, not negative")


async def test_resolved_entry_leaves_pending_and_its_signal_shows_the_decision(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(
            signal(None, ts_ms=T0_MS - 60_000, reasons="rsi 48"),
            signal("buy", reasons="fast>slow, vol ok"),
            approval_requested(12),
        )
        signals = app.screen.query_one(SignalsPane)
        await until(pilot, lambda: len(signals.signals) == 2, "two signals")
        await until(pilot, lambda: "pending" in text_of(app, SignalsPane), "the link")
        await redrawn(pilot)
        lines = text_of(app, SignalsPane).splitlines()
        # Newest first; the reasons do not fit beside the rest, so they go underneath.
        assert "│ 14:02:31 BTCUSDT LONG  conf 0.71 pending " in lines[1]
        assert "│   sma_cross: fast>slow, vol ok " in lines[2]
        assert "│ 14:01:31 BTCUSDT FLAT  conf 0.71 " in lines[3]
        assert "│   sma_cross: rsi 48 " in lines[4]

        client.publish(approval_resolved(make_pending(12), "rejected"))
        await until(pilot, lambda: "rejected" in text_of(app, SignalsPane), "the decision")
        await until(pilot, lambda: "#12" not in text_of(app, PendingPane), "entry gone")
        assert "nothing waiting for approval" in text_of(app, PendingPane)


async def test_positions_show_entry_mark_pnl_and_stops(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    long = position_changed("0.014", "71203.0", "71482.4")
    short = position_changed("-2.5", "3512.34", "3520.10", symbol="ETH/USDT:USDT", stop=None)
    # Expected from the numbers, not from the code under test.
    long_pnl = (Decimal("71482.4") - Decimal("71203.0")) * Decimal("0.014")  # +3.9116
    short_pnl = (Decimal("3520.10") - Decimal("3512.34")) * Decimal("-2.5")  # -19.40
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        pane = app.screen.query_one(PositionsPane)
        client.publish(long, short)
        await until(pilot, lambda: len(pane.positions) == 2, "two positions")
        await redrawn(pilot)
        text = text_of(app, PositionsPane)
        assert (
            f"{SYMBOL} LONG 0.014 @ 71,203  mark 71,482.4  uPnL {long_pnl:+.2f}  SL ✓  TP ✓" in text
        )
        assert f"ETH/USDT:USDT SHORT 2.5 @ 3,512.34  mark 3,520.1  uPnL {short_pnl:+.2f}" in text
        assert f"{long_pnl:+.2f}" == "+3.91" and f"{short_pnl:+.2f}" == "-19.40"
        assert is_red(style_of(app, "-19.40").color)
        assert not is_red(style_of(app, "+3.91").color)
        # The short has no stop: that is danger.
        assert is_red_background(style_of(app, "✗"))

        client.publish(position_changed("0", "71203.0", "71490.0"))
        await until(pilot, lambda: len(pane.positions) == 1, "the long closed")
        await redrawn(pilot)
        assert SYMBOL + " " not in text_of(app, PositionsPane)


async def test_orders_show_open_and_recent_newest_first_with_status(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        pane = app.screen.query_one(OrdersPane)
        client.publish(
            OrderUpdated(make_order("moon-10", status="submitted")),
            OrderUpdated(
                make_order("moon-10", status="filled", filled="0.014", avg_price="71203.0")
            ),
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
        )
        await until(pilot, lambda: len(pane.orders) == 2, "two orders")
        await redrawn(pilot)
        lines = text_of(app, OrdersPane).splitlines()
        assert "14:02:33 #moon-11 SELL 0.014 STOP 70,053 reduce open" in lines[1]
        assert "14:02:31 #moon-10 BUY 0.014 MKT filled @ 71,203" in lines[2]
        assert "submitted" not in text_of(app, OrdersPane)


async def test_risk_pane_shows_limits_and_header_shows_equity(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        header = app.screen.query_one(HeaderBar)
        assert "equity —" in shown(app, header)
        client.publish(risk_changed())
        await until(pilot, lambda: "10,412.55" in text_of(app, RiskPane), "the status")
        text = text_of(app, RiskPane)
        assert "equity   10,412.55  day +41.20" in text
        assert "exposure 9.6% / 10%" in text
        assert "leverage 1x / 3x" in text
        assert "drawdown 1.2% / 20%" in text
        assert "entries  open" in text
        assert "kill switch: armed (k)" in text
        assert not is_red_background(style_of(app, "1.2% / 20%"))
        await until(pilot, lambda: "equity 10,412.55" in shown(app, header), "header equity")


async def test_risk_breach_is_shown_in_red(make_app: AppFactory, client: FakeEngineClient) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(risk_changed(drawdown_pct=Decimal("20.4")))
        await until(pilot, lambda: "20.4% / 20%" in text_of(app, RiskPane), "the breach")
        await redrawn(pilot)
        assert is_red_background(style_of(app, "20.4% / 20%"))
        assert is_red_background(style_of(app, "HALTED: max drawdown"))

        client.publish(risk_changed(halted_reason="daily loss limit -3% reached"))
        await until(pilot, lambda: "daily loss" in text_of(app, RiskPane), "halted")
        await redrawn(pilot)
        assert is_red_background(style_of(app, "HALTED: daily loss"))
        assert not is_red_background(style_of(app, "1.2% / 20%"))


async def test_entries_blocked_on_stale_data_stay_in_red_until_fresh_again(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    stale = f"{SYMBOL}: book data stale for 12.5 s (limit 10 s)"
    async with app.run_test(size=WIDE) as pilot:
        client.publish(risk_changed(), EntriesGated(SYMBOL, stale, T0_MS))
        await until(pilot, lambda: "stale" in text_of(app, RiskPane), "the block")
        await redrawn(pilot)
        text = risk_text(app)
        assert "BLOCKED: stale market data" in text and stale in text and "open" not in text
        assert is_red_background(style_of(app, "BLOCKED: stale"))
        assert is_red_background(style_of(app, f"{SYMBOL}: book"))
        client.publish(EntriesGated("ETH/USDT:USDT", "", T0_MS))  # another symbol: no change
        client.publish(risk_changed(equity=Decimal("10500")))
        await until(pilot, lambda: "10,500" in text_of(app, RiskPane), "a later status")
        assert "book data stale" in text_of(app, RiskPane)

        client.publish(EntriesGated(SYMBOL, "", T0_MS + 5_000))
        await until(pilot, lambda: "stale" not in text_of(app, RiskPane), "fresh again")
        assert "entries  open" in text_of(app, RiskPane)

        client.publish(EntriesGated(SYMBOL, stale, T0_MS + 9_000))
        await until(pilot, lambda: "stale" in text_of(app, RiskPane), "blocked again")
        client.publish(SymbolChanged("ETH/USDT:USDT"))  # its feeds stop, silently
        await until(pilot, lambda: "stale" not in text_of(app, RiskPane), "the old block gone")


async def test_latched_kill_switch_is_red_with_how_to_reset(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(KillSwitchChanged(kill_state(True)))
        await until(pilot, lambda: "LATCHED" in text_of(app, RiskPane), "the latch")
        assert any(n.severity == "error" for n in app._notifications)
        app.clear_notifications()  # the toast would cover the pane
        await pilot.pause()
        assert "reset: ctl reset-kill" in risk_text(app)
        assert is_red_background(style_of(app, "LATCHED"))

        client.publish(KillSwitchChanged(kill_state(False, "")))
        await until(pilot, lambda: "armed (k)" in text_of(app, RiskPane), "the reset")


async def test_refused_order_is_a_warning_and_the_risk_pane_last_refusal(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(OrderDenied(SYMBOL, "max_exposure", "exposure cap 10% reached", T0_MS))
        await until(pilot, lambda: bool(app._notifications), "the warning")
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert f"{SYMBOL}: exposure cap 10% reached" in warnings
        app.clear_notifications()  # the toast would cover the pane
        await until(pilot, lambda: "last refusal" in risk_text(app), "the refusal")
        assert f"last refusal 14:02:31 {SYMBOL}: exposure cap 10% reached" in risk_text(app)


async def test_fill_is_a_short_notification(make_app: AppFactory, client: FakeEngineClient) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(FillRecorded(make_fill()))
        await until(pilot, lambda: bool(app._notifications), "the notification")
        assert [n.message for n in app._notifications] == [f"bought 0.014 {SYMBOL} @ 71,203"]
