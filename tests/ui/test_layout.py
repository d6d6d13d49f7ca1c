"""Wide and narrow layouts, and switching between them on resize."""

from __future__ import annotations

from textual.widgets import Footer, TabbedContent

from moonai_tui.engine import events
from moonai_tui.ui.widgets.desk import Desk
from moonai_tui.ui.widgets.header_bar import HeaderBar
from moonai_tui.ui.widgets.order_book import OrderBookPane
from moonai_tui.ui.widgets.pending_pane import PendingPane
from moonai_tui.ui.widgets.price_pane import PricePane
from moonai_tui.ui.widgets.risk_pane import RiskPane
from moonai_tui.ui.widgets.signals_pane import SignalsPane

from .conftest import AppFactory
from .fakes import FakeEngineClient, make_book, make_status, make_ticker
from .pilot_tools import screen_lines, shown, until

PANE_TITLES = ("Signals", "Pending approval", "Positions", "Orders", "Risk")


async def test_wide_layout_shows_every_pane_and_no_tabs(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.main_screen.narrow
        assert not app.screen.query(TabbedContent)
        text = "\n".join(screen_lines(app))
        for title in ("Price", "Order book", "Trades", *PANE_TITLES):
            assert f"─ {title} ─" in text
        assert "no signals yet" in text
        assert "approval is manual" in text
        # Number keys do nothing here: every pane is already on screen.
        await pilot.press("3")
        assert not app.screen.query(TabbedContent)


async def test_narrow_layout_shows_tabs_and_number_keys_switch_them(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(TabbedContent)), "the tabs")
        tabs = app.screen.query_one(TabbedContent)
        lines = screen_lines(app)
        assert "1 Signals  2 Pending  3 Positions  4 Orders  5 Risk" in "\n".join(lines)
        # Header on top, key line at the bottom, price and book stacked above the tabs.
        assert "MOON AI" in lines[0]
        assert "1-5 tabs" in shown(app, app.screen.query_one(Footer))
        assert app.screen.query_one(Footer).region.bottom == 24
        assert app.screen.query_one(PricePane).region.bottom <= tabs.region.y
        assert app.screen.query_one(OrderBookPane).region.bottom <= tabs.region.y
        assert tabs.active == "tab-signals"
        assert "no signals yet" in shown(app, tabs)

        for key, tab_id, words in (
            ("3", "positions", "open positions appear here"),
            ("5", "risk", "risk limits appear here"),
            ("2", "pending", "approval is manual"),
            ("4", "orders", "recently filled orders"),
            ("1", "signals", "no signals yet"),
        ):
            await pilot.press(key)
            await until(pilot, lambda tab=tab_id: tabs.active == f"tab-{tab}", tab_id)
            await until(pilot, lambda w=words: w in shown(app, tabs), f"{tab_id} text")

        # The price and book keep updating under the tabs.
        client.publish(events.TickerUpdated(make_ticker(70_001.2)))
        client.publish(events.OrderBookUpdated(make_book(70_001.1)))
        price, book = app.screen.query_one(PricePane), app.screen.query_one(OrderBookPane)
        await until(pilot, lambda: "70,001.2" in shown(app, price), "the price")
        await until(pilot, lambda: "70,001.1" in shown(app, book), "the book")


async def test_resize_switches_layout_and_keeps_the_chosen_tab(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.screen.query(TabbedContent)

        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: bool(app.screen.query(TabbedContent)), "tabs when narrow")
        assert app.main_screen.has_class("-narrow")
        await pilot.press("4")
        tabs = app.screen.query_one(TabbedContent)
        await until(pilot, lambda: tabs.active == "tab-orders", "the orders tab")

        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: not app.screen.query(TabbedContent), "the grid again")
        assert not app.main_screen.has_class("-narrow")
        assert len(app.screen.query(SignalsPane)) == 1
        assert len(app.screen.query(RiskPane)) == 1

        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: bool(app.screen.query(TabbedContent)), "tabs again")
        assert app.screen.query_one(TabbedContent).active == "tab-orders"
        assert app.screen.query_one(Desk).active_tab == "orders"


async def test_short_terminal_also_uses_tabs(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(140, 26)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(TabbedContent)), "tabs when short")
        assert app.screen.query_one(HeaderBar).region.y == 0


async def test_pending_pane_explains_auto_approval(make_app: AppFactory) -> None:
    client = FakeEngineClient(engine_status=make_status(approval="auto"))
    app = make_app(client=client)
    async with app.run_test(size=(120, 40)) as pilot:
        pending = app.screen.query_one(PendingPane)
        await until(pilot, lambda: "approval is auto" in shown(app, pending), "auto text")
