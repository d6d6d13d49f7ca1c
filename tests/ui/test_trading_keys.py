"""The trading keys: a, x, k, c and f call the engine facade with the selected ids."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import TabbedContent

from moonai_tui.engine.client import CommandResult
from moonai_tui.engine.trading_events import OrderUpdated
from moonai_tui.ui.app import ACTOR, KILL_REASON
from moonai_tui.ui.screens.confirm import ConfirmScreen
from moonai_tui.ui.screens.main import MainScreen
from moonai_tui.ui.widgets.orders_pane import OrdersPane
from moonai_tui.ui.widgets.pending_pane import PendingPane
from moonai_tui.ui.widgets.positions_pane import PositionsPane

from .conftest import AppFactory
from .fakes import SYMBOL, T0_MS, FakeEngineClient
from .pilot_tools import shown, until
from .trading_fakes import approval_requested, make_order, position_changed

WIDE = (120, 40)
NARROW = (80, 24)


async def test_a_approves_the_selected_entry(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(approval_requested(12), approval_requested(13))
        pending = app.screen.query_one(PendingPane)
        await until(pilot, lambda: len(pending.pending) == 2, "two entries")
        pending.focus()
        await pilot.press("down")
        assert pending.selected is not None and pending.selected.id == 13
        assert "▶ #13" in shown(app, pending)

        await pilot.press("a")
        await until(pilot, lambda: client.calls == [("approve", 13, ACTOR)], "approve #13")
        await until(pilot, lambda: bool(app._notifications), "the answer")
        assert [n.message for n in app._notifications] == ["done"]


async def test_x_rejects_the_selected_entry_and_a_refusal_is_an_error(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    client.result = CommandResult(False, "no pending approval #12 (decided or expired)")
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(approval_requested(12))
        pending = app.screen.query_one(PendingPane)
        await until(pilot, lambda: len(pending.pending) == 1, "the entry")
        await pilot.press("x")
        await until(pilot, lambda: client.calls == [("reject", 12, ACTOR)], "reject #12")
        await until(pilot, lambda: bool(app._notifications), "the answer")
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ["no pending approval #12 (decided or expired)"]


async def test_a_with_nothing_pending_sends_nothing(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("a")
        await until(pilot, lambda: bool(app._notifications), "the warning")
        assert client.calls == []


async def test_k_then_y_trips_the_kill_switch(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        question = shown(app, app.screen.query_one("#confirm-box"))
        assert "Cancel all orders, close all positions at market and halt? [y/N]" in question
        assert client.calls == []
        await pilot.press("y")
        await until(pilot, lambda: client.calls == [("kill", ACTOR, KILL_REASON)], "kill")
        assert isinstance(app.screen, MainScreen)
        assert KILL_REASON == "operator pressed k"


async def test_k_then_n_or_enter_does_not_kill(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        for answer in ("n", "enter", "escape"):
            await pilot.press("k")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
            await pilot.press(answer)
            await until(pilot, lambda: isinstance(app.screen, MainScreen), "the console")
        await pilot.pause()
        assert client.calls == []


async def test_c_cancels_the_selected_open_order_only(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(
            OrderUpdated(make_order("moon-10", status="filled", filled="0.014")),
            OrderUpdated(make_order("moon-11", created_ms=T0_MS + 1_000)),
        )
        orders = app.screen.query_one(OrdersPane)
        await until(pilot, lambda: len(orders.orders) == 2, "two orders")
        orders.focus()
        await pilot.press("down")  # moon-10: filled, nothing to cancel
        await pilot.press("c")
        await until(pilot, lambda: bool(app._notifications), "the warning")
        assert client.calls == []

        await pilot.press("up", "c")
        await until(pilot, lambda: client.calls == [("cancel_order", "moon-11", ACTOR)], "cancel")


async def test_f_flattens_the_selected_position_after_confirmation(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    eth = "ETH/USDT:USDT"
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(
            position_changed("0.014", "71203.0", "71482.4"),
            position_changed("-2.5", "3512.34", "3520.10", symbol=eth),
        )
        positions = app.screen.query_one(PositionsPane)
        await until(pilot, lambda: len(positions.positions) == 2, "two positions")
        positions.focus()
        await pilot.press("down", "f")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert f"Close {eth} SHORT 2.5 at market? [y/N]" in shown(
            app, app.screen.query_one("#confirm-box")
        )
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the console")
        assert client.calls == []

        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(pilot, lambda: client.calls == [("flatten", eth, ACTOR)], "flatten ETH")
        assert positions.selected is not None
        assert positions.selected.position.qty == Decimal("-2.5")


async def test_narrow_layout_first_shows_the_tab_then_acts(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until(pilot, lambda: bool(app.screen.query(TabbedContent)), "the tabs")
        tabs = app.screen.query_one(TabbedContent)
        client.publish(approval_requested(12))
        pending = app.screen.query_one(PendingPane)
        await until(pilot, lambda: len(pending.pending) == 1, "the entry")
        assert tabs.active == "tab-signals"

        await pilot.press("a")
        await until(pilot, lambda: tabs.active == "tab-pending", "the pending tab")
        assert client.calls == []
        await until(pilot, lambda: "#12 LONG" in shown(app, tabs), "the entry on screen")
        await pilot.press("a")
        await until(pilot, lambda: client.calls == [("approve", 12, ACTOR)], "approve #12")

        client.publish(OrderUpdated(make_order("moon-12")))
        await until(pilot, lambda: len(app.screen.query_one(OrdersPane).orders) == 1, "order")
        await pilot.press("c")
        await until(pilot, lambda: tabs.active == "tab-orders", "the orders tab")
        await pilot.press("c")
        await until(pilot, lambda: len(client.calls) == 2, "cancel")
        assert client.calls[-1] == ("cancel_order", "moon-12", ACTOR)

        # The kill switch needs no tab: it acts on everything.
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(pilot, lambda: client.calls[-1] == ("kill", ACTOR, KILL_REASON), "kill")
        assert SYMBOL in shown(app, app.screen.query_one("#header"))


async def test_trading_keys_do_nothing_under_a_dialog(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(approval_requested(12))
        pending = app.screen.query_one(PendingPane)
        await until(pilot, lambda: len(pending.pending) == 1, "the entry")
        await pilot.press("question_mark")
        await until(pilot, lambda: not isinstance(app.screen, MainScreen), "help")
        await pilot.press("a", "x", "k")
        await pilot.pause()
        assert client.calls == []
        assert not isinstance(app.screen, ConfirmScreen)
