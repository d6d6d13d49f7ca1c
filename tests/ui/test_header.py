"""The header: mode, market, symbol, clock, and per-stream connection and data age."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App
from textual.widgets._toast import Toast

from moonai_tui.engine import events
from moonai_tui.engine.clock import FixedClock
from moonai_tui.ui.widgets.header_bar import HeaderBar

from .conftest import AppFactory
from .fakes import SYMBOL, T0_MS, FakeEngineClient, make_status, make_ticker
from .pilot_tools import is_red, is_red_background, screen_lines, shown, style_of, until

WIDE = (120, 40)


def header_text(app: App[object]) -> str:
    return shown(app, app.screen.query_one(HeaderBar))


async def test_header_shows_mode_market_symbol_clock_and_no_equity_yet(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE):
        text = header_text(app)
        assert "MOON AI" in text
        assert " PAPER " in text
        assert "SIM (replay BTCUSDT 1m)" in text
        assert SYMBOL in text
        assert "2024-03-11 14:02:31Z" in text
        assert "equity —" in text
        assert "approval manual" in text
        for stream in ("ticker", "book", "trades", "candles"):
            assert f"{stream} ○ waiting" in text


async def test_description_does_not_repeat_the_market(make_app: AppFactory) -> None:
    client = FakeEngineClient(engine_status=make_status(description="SIM replay of real data"))
    app = make_app(client=client)
    async with app.run_test(size=WIDE):
        assert "SIM (replay of real data)" in header_text(app)


async def test_narrow_header_drops_the_description_not_the_symbol(make_app: AppFactory) -> None:
    client = FakeEngineClient(engine_status=make_status(description="replay of real Binance data"))
    app = make_app(client=client)
    async with app.run_test(size=(80, 24)):
        first_line = header_text(app).splitlines()[0]
        assert "PAPER" in first_line and SYMBOL in first_line and "equity —" in first_line
        assert "Binance" not in first_line


async def test_live_mode_is_drawn_as_danger(make_app: AppFactory) -> None:
    client = FakeEngineClient(engine_status=make_status(trading="live", market="bybit"))
    app = make_app(client=client)
    async with app.run_test(size=WIDE):
        assert " LIVE " in header_text(app)
        assert is_red_background(style_of(app, " LIVE ", row=0))
        assert not is_red_background(style_of(app, "MOON AI", row=0))


async def test_paper_mode_is_loud_but_not_red(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=WIDE):
        style = style_of(app, " PAPER ", row=0)
        assert style.bgcolor is not None
        assert not is_red_background(style)


async def test_disconnected_stream_shows_red_disconnected(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(events.ConnectionChanged("book", SYMBOL, "connected", "", T0_MS))
        await until(pilot, lambda: "book ● —" in header_text(app), "book connected")
        assert not is_red_background(style_of(app, "●", row=1))

        client.publish(events.ConnectionChanged("book", SYMBOL, "disconnected", "eof", T0_MS))
        await until(pilot, lambda: "book ● disconnected" in header_text(app), "disconnected")
        assert is_red_background(style_of(app, "● disconnected", row=1))

        client.publish(events.ConnectionChanged("book", SYMBOL, "reconnecting", "", T0_MS))
        await until(pilot, lambda: "book ◌ reconnecting" in header_text(app), "reconnecting")
        assert "disconnected" not in header_text(app)


async def test_stream_turns_stale_after_threshold_and_fresh_on_new_data(
    make_app: AppFactory, client: FakeEngineClient, clock: FixedClock
) -> None:
    app = make_app()  # feeds.stale_after_seconds == 10
    async with app.run_test(size=WIDE) as pilot:
        client.publish(events.ConnectionChanged("ticker", SYMBOL, "connected", "", T0_MS))
        client.publish(events.TickerUpdated(make_ticker()))
        await until(pilot, lambda: "ticker ● 0.0s" in header_text(app), "a fresh ticker")

        clock.advance(10_000)  # exactly the threshold: still fresh
        app.main_screen.tick()
        await until(pilot, lambda: "ticker ● 10s" in header_text(app), "age 10s")
        assert "stale" not in header_text(app)

        clock.advance(1_500)
        app.main_screen.tick()
        await until(pilot, lambda: "ticker ● stale 11s" in header_text(app), "stale")
        assert is_red_background(style_of(app, "● stale", row=1))
        assert "2024-03-11 14:02:42Z" in header_text(app)

        client.publish(events.TickerUpdated(make_ticker(71_500.0)))
        await until(pilot, lambda: "ticker ● 0.0s" in header_text(app), "fresh again")
        assert "stale" not in header_text(app)


async def test_connected_stream_without_data_goes_stale(
    make_app: AppFactory, client: FakeEngineClient, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(events.ConnectionChanged("trades", SYMBOL, "connected", "", T0_MS))
        await until(pilot, lambda: "trades ● —" in header_text(app), "connected, no data")
        clock.advance(10_001)
        app.main_screen.tick()
        await until(pilot, lambda: "trades ● stale" in header_text(app), "stale without data")


async def test_engine_started_and_stopped_update_the_header(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(
            events.EngineStarted("bybit", "live", "ETH/USDT:USDT", "5m", "ByBit mainnet")
        )
        await until(pilot, lambda: " LIVE " in header_text(app), "live mode")
        text = header_text(app)
        assert "BYBIT (mainnet)" in text and "ETH/USDT:USDT" in text and "· 5m" in text

        client.publish(events.EngineStopped("shutdown requested"))
        await until(pilot, lambda: "engine stopped" in header_text(app), "stopped")
        assert is_red_background(style_of(app, "engine stopped", row=0))


async def test_notice_errors_become_red_error_notifications(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        client.publish(events.NoticeRaised("error", "order rejected: insufficient margin"))
        client.publish(events.NoticeRaised("info", "replay started"))

        def on_screen(text: str) -> bool:
            return any(text in line for line in screen_lines(app))

        await until(pilot, lambda: on_screen("insufficient margin"), "the error toast")
        await until(pilot, lambda: on_screen("replay started"), "the info toast")
        toasts = {str(toast.render()): toast for toast in app.screen.query(Toast)}
        error = next(toast for text, toast in toasts.items() if "margin" in text)
        info = next(toast for text, toast in toasts.items() if "replay" in text)
        assert error.has_class("-error")
        assert info.has_class("-information")
        assert is_red(style_of(app, "▌", row=error.region.y).color)
        assert not is_red(style_of(app, "▌", row=info.region.y).color)


def test_make_status_is_the_paper_default() -> None:
    # Guards the fixtures the header tests rely on.
    assert make_status().trading == "paper"
    assert replace(make_status(), trading="live").trading == "live"
