"""The console never shows a registered key, even when an exchange error quotes it."""

from __future__ import annotations

from typing import cast

from textual.app import App
from textual.pilot import Pilot
from ui.fakes import SYMBOL, T0_MS, FakeEngineClient
from ui.pilot_tools import screen_lines, until

from moonai_tui.config import Settings
from moonai_tui.engine import events
from moonai_tui.engine.clock import FixedClock
from moonai_tui.redact import register_secret
from moonai_tui.ui.app import MoonAIApp

KEY = "ui-test-key-Pz7Qw2"
ECHO = f'bybit {{"retCode":10004,"retMsg":"error sign! origin_string[1700000000000{KEY}5000]"}}'


async def test_notices_and_stream_details_on_screen_are_masked() -> None:
    register_secret(KEY)  # as handing the keys to ccxt does
    client = FakeEngineClient()
    app = MoonAIApp(client, Settings(), FixedClock(T0_MS))
    async with app.run_test(size=(160, 50), notifications=True) as running:
        pilot = cast(Pilot[object], running)
        client.publish(events.NoticeRaised("error", f"cannot reconcile ({ECHO})"))
        client.publish(events.ConnectionChanged("book", SYMBOL, "reconnecting", ECHO, T0_MS))

        def shown() -> str:
            return "\n".join(screen_lines(cast(App[object], app)))

        await until(pilot, lambda: "cannot reconcile" in shown(), "the error notice")
        # The exchange's message is there (wrapped in the toast), the key is not.
        assert "origin_string[1700000000000***5000]" in shown()
        assert KEY not in shown()
