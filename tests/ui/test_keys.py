"""Hotkeys: quit, help, symbol switch, and the command palette."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Footer, OptionList

from moonai_tui.engine import events
from moonai_tui.ui.keys import KEYS
from moonai_tui.ui.screens.help import HelpScreen
from moonai_tui.ui.screens.main import MainScreen
from moonai_tui.ui.screens.symbol_picker import SymbolPicker
from moonai_tui.ui.widgets.order_book import OrderBookPane
from moonai_tui.ui.widgets.price_pane import PricePane
from moonai_tui.ui.widgets.trades_tape import TradesTape

from .conftest import AppFactory
from .fakes import SYMBOL, FakeEngineClient, make_bars, make_book, make_ticker, make_trades
from .pilot_tools import screen_lines, shown, until

WIDE = (120, 40)


async def test_q_quits_with_exit_code_zero(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("q")
        await until(pilot, lambda: app.return_value is not None, "the app to exit")
    assert app.return_value == 0
    assert app.return_code == 0


async def test_question_mark_opens_help_with_every_key_and_escape_closes(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        text = shown(app, app.screen.query_one("#help-box"))
        for spec in KEYS:
            assert f"{spec.shown_key}  {spec.help}" in text
        assert "ctrl+p" in text and "esc" in text

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the console again")


async def test_slash_then_enter_switches_to_the_chosen_symbol_and_panes_reset(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(
            events.TickerUpdated(make_ticker()),
            events.OrderBookUpdated(make_book()),
            events.TradesReceived(SYMBOL, make_trades(3)),
            events.CandleHistoryLoaded(SYMBOL, "1m", make_bars(20)),
        )
        tape = app.screen.query_one(TradesTape)
        price = app.screen.query_one(PricePane)
        book = app.screen.query_one(OrderBookPane)
        await until(pilot, lambda: len(tape.rows) == 3 and len(price.bars) == 20, "data")
        await until(pilot, lambda: book.book is not None and price.ticker is not None, "data")

        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SymbolPicker), "the symbol list")
        options = app.screen.query_one(OptionList)
        assert options.option_count == len(client.status().symbols)
        assert options.highlighted == 0  # the shown symbol
        await pilot.press("down", "enter")
        await until(pilot, lambda: client.switched == ["ETH/USDT:USDT"], "switch_symbol")

        # The fake engine answered with SymbolChanged: everything resets.
        await until(pilot, lambda: "ETH/USDT:USDT" in screen_lines(app)[0], "the new symbol")
        assert isinstance(app.screen, MainScreen)
        await until(pilot, lambda: tape.rows == () and price.bars == (), "reset panes")
        assert price.ticker is None and book.book is None
        assert "waiting for the first ticker" in shown(app, price)
        assert "waiting for trades" in shown(app, tape)


async def test_escape_in_symbol_list_switches_nothing(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SymbolPicker), "the symbol list")
        await pilot.press("down", "escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the console")
        await pilot.pause()
        assert client.switched == []


async def test_failed_switch_is_shown_as_an_error(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    client.fail_switch = RuntimeError("symbol not listed")
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SymbolPicker), "the symbol list")
        await pilot.press("down", "enter")
        await until(
            pilot,
            lambda: any(n.severity == "error" for n in app._notifications),
            "an error notification",
        )
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert "could not switch symbol: symbol not listed" in errors
        assert SYMBOL in screen_lines(app)[0]


async def test_every_binding_is_in_the_command_palette(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:  # narrow: the tab keys work too
        await until(pilot, lambda: app.main_screen.narrow, "the narrow layout")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        bound = {binding.action for binding in app._bindings.key_to_bindings.get("q", [])}
        assert bound == {"quit"}
        for spec in KEYS:
            assert spec.title in titles, spec


async def test_palette_runs_a_key_by_name(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"switch")
        await until(
            pilot,
            lambda: any("Switch symbol" in line for line in screen_lines(app)),
            "the command listed",
        )
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SymbolPicker), "the symbol list")


async def test_key_line_shows_only_keys_that_work(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        footer = shown(app, app.screen.query_one(Footer))
        for text in ("/ symbol", "? help", "q quit", "^p palette"):
            assert text in footer
        for text in ("a approve", "x reject", "k KILL", "c cancel", "f flatten"):
            assert text in footer
        # Wide layout shows every pane, so the tab keys are off and not shown.
        assert "tabs" not in footer
        # Keys of features that do not exist yet are not bound at all.
        for key in "srm":
            assert key not in app._bindings.key_to_bindings


async def test_key_line_at_80_columns_shows_every_key(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main_screen.narrow, "the narrow layout")
        await pilot.pause()
        footer = shown(app, app.screen.query_one(Footer))
        for spec in KEYS:
            if spec.show:
                assert f"{spec.key_display or spec.shown_key} {spec.label}" in footer, spec
