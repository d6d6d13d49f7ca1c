"""The console: the engine and the Textual UI in one event loop."""

from __future__ import annotations

import asyncio
import contextlib

from moonai_tui.config import Settings
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import NoticeRaised
from moonai_tui.errors import MoonAIError


async def run_console(settings: Settings, duration: float | None) -> int:
    """Run the TUI until the user quits (or ``duration`` elapses); returns the exit code.

    The engine starts after the screen is up, so a slow start (simulator, migrations)
    never leaves the trader looking at a blank terminal. A start failure is shown
    in the UI and re-raised after it closes, so the shell gets a clear line and code.
    """
    from moonai_tui.ui.app import MoonAIApp

    engine = Engine(settings)
    app = MoonAIApp(engine, settings)
    start_error: MoonAIError | None = None

    async def start_engine() -> None:
        nonlocal start_error
        try:
            await engine.start()
        except MoonAIError as exc:
            start_error = exc
            engine.bus.publish(NoticeRaised("error", f"engine failed to start: {exc}"))

    async def stop_after(seconds: float) -> None:
        await asyncio.sleep(seconds)
        app.exit(0)

    starter = asyncio.create_task(start_engine())
    timer = asyncio.create_task(stop_after(duration)) if duration else None
    try:
        await app.run_async()
    finally:
        if timer is not None:
            timer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starter
        await engine.stop("console closed")
    if start_error is not None:
        raise start_error
    return app.return_code or 0
