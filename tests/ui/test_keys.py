"""Hotkeys: quit, help, symbol switch, and the command palette."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.widgets import Footer, OptionList
from textual.widgets._footer import FooterKey

from moonai_tui.engine import events
from moonai_tui.ui.keys import KEYS
from moonai_tui.ui.screens.help import HelpScreen
from moonai_tui.ui.screens.main import MainScreen
from moonai_tui.ui.screens.symbol_picker import SymbolPicker
from moonai_tui.ui.widgets.footer import LineFit, LineKey, fit_key_line
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
            if not spec.action.startswith("show_tab"):
                assert f"{spec.shown_key}  {spec.help}" in text
        # The five tab keys share a line.
        assert "1-5  Tabs (narrow layout): 1 Signals 2 Pending 3 Positions 4 Orders 5 Risk" in text
        assert "ctrl+p" in text and "esc" in text

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the console again")


async def test_help_scrolls_when_the_terminal_is_short(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        box = app.screen.query_one("#help-box")
        await pilot.pause()
        text = shown(app, box)
        assert "a  Approve the selected" in text
        # A long line wraps beside its key instead of running off the box.
        assert "(asks first)" in text.split("k  Kill switch:", 1)[1].splitlines()[1]
        assert "Choose in a list" not in text

        await pilot.press("end")
        await until(pilot, lambda: "Choose in a list" in shown(app, box), "the last line")


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


async def test_key_line_shows_every_key_when_wide(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        footer = shown(app, app.screen.query_one(Footer))
        for spec in KEYS:
            if spec.show and not spec.action.startswith("show_tab"):
                assert f"{spec.shown_key} {spec.label}" in footer, spec
        assert "^p palette" in footer
        # Wide layout shows every pane, so the tab keys are off and not shown.
        assert "tabs" not in footer
        # A key of a feature that does not exist yet is not bound at all.
        assert "s" not in app._bindings.key_to_bindings


async def test_key_line_at_80_columns_keeps_the_keys_that_matter(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.main_screen.narrow, "the narrow layout")
        await pilot.pause()
        # By hand: nine keys of 10+9+7+9+10+10+9+9+7 = 80 cells (one-cell gaps); the
        # palette, q, / and b went first. Help and the palette list them (tests above).
        expected = "a approve x reject k KILL c cancel f flatten r retrain m models 1-5 tabs ? help"
        assert screen_lines(app)[-1].rstrip() == expected


@pytest.mark.parametrize("width", [80, 96, 100, 110, 119, 120, 121, 140])
async def test_key_line_is_never_cut_at_the_edge(make_app: AppFactory, width: int) -> None:
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await until(pilot, lambda: app.main_screen.narrow is (width < 110), "the layout")
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        keys = {key.key: key for key in footer.query(FooterKey)}
        assert {"question_mark", "k"} <= keys.keys()
        for key in keys.values():
            assert key.region.right <= width, key.key
            text = f"{key.key_display} {key.description}"
            assert text in screen_lines(app)[-1], text
        # Roomy from 121 columns (every key and the palette: 109 + 12 cells by hand).
        assert footer.compact is (width < 121)


def test_fit_drops_keys_in_order_only_when_compact_is_not_enough() -> None:
    keys = [
        LineKey("a", "a", "approve"),  # roomy 11, compact 10
        LineKey("k", "k", "KILL"),  # 8, 7
        LineKey("q", "q", "quit"),  # 8, 7
        LineKey("ctrl+p", "^p", "palette", palette=True),  # 12 either way
    ]
    order = ("ctrl+p", "q")

    assert fit_key_line(keys, 39, order) == LineFit(compact=False, dropped=frozenset())
    assert fit_key_line(keys, 38, order) == LineFit(compact=True, dropped=frozenset())
    assert fit_key_line(keys, 36, order) == LineFit(compact=True, dropped=frozenset())
    assert fit_key_line(keys, 35, order) == LineFit(compact=True, dropped=frozenset({"ctrl+p"}))
    assert fit_key_line(keys, 23, order).dropped == {"ctrl+p", "q"}
    # Keys that are never dropped stay even when they do not fit.
    assert fit_key_line(keys, 5, order).dropped == {"ctrl+p", "q"}
