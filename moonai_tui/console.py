"""The console: the engine and the Textual UI in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable

from moonai_tui.config import Settings
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import NoticeRaised
from moonai_tui.errors import MoonAIError


async def freeze_startup_objects(engine: Engine) -> None:
    """Once the engine is ready, move every object alive so far out of the GC's reach.

    ccxt, Textual and the markets leave hundreds of thousands of long-lived
    objects; each full collection walked them all and froze the screen for
    100-200 ms at a time (bench/ui_update_rate.py). Frozen, they are never
    scanned again; objects created later are collected as usual.
    """
    await engine.ready.wait()
    gc.freeze()


async def start_when_confirmed(engine: Engine, live_answer: Awaitable[bool] | None) -> None:
    """Start the engine; with ``live_answer``, first wait for the operator's answer.

    Only a True answer confirms live trading; otherwise the engine starts without
    it, so market data flows but no order is sent (and a notice says why).
    """
    if live_answer is not None and await live_answer:
        engine.confirm_live()
    await engine.start()


async def run_console(
    settings: Settings, duration: float | None, *, live_confirmed: bool = False
) -> int:
    """Run the TUI until the user quits (or ``duration`` elapses); returns the exit code.

    The engine starts after the screen is up, so a slow start (simulator, migrations)
    never leaves the trader looking at a blank terminal. A start failure is shown
    in the UI and re-raised after it closes, so the shell gets a clear line and code.

    ``trading: live`` without ``live_confirmed`` (``--yes-live``) first shows a
    confirmation dialog; the engine starts once it is answered, trading live only
    after an explicit confirmation. Declining keeps the console open on the market
    with no trading; quitting from the dialog starts nothing.
    """
    from moonai_tui.control.protocol import default_socket_path
    from moonai_tui.control.server import start_control_server
    from moonai_tui.ui.app import MoonAIApp

    engine = Engine(settings, live_confirmed=live_confirmed)
    control = await start_control_server(engine, default_socket_path())
    answer: asyncio.Future[bool] | None = None
    if settings.trading == "live" and not live_confirmed:
        answer = asyncio.get_running_loop().create_future()

    def answered(yes: bool | None) -> None:
        if answer is not None and not answer.done():
            answer.set_result(bool(yes))

    app = MoonAIApp(engine, settings, live_check=answered if answer is not None else None)
    start_error: MoonAIError | None = None

    async def start_engine() -> None:
        nonlocal start_error
        try:
            await start_when_confirmed(engine, answer)
        except MoonAIError as exc:
            start_error = exc
            engine.bus.publish(NoticeRaised("error", f"engine failed to start: {exc}"))

    async def stop_after(seconds: float) -> None:
        await asyncio.sleep(seconds)
        app.exit(0)

    starter = asyncio.create_task(start_engine())
    freezer = asyncio.create_task(freeze_startup_objects(engine))
    timer = asyncio.create_task(stop_after(duration)) if duration else None
    try:
        await app.run_async()
    finally:
        if timer is not None:
            timer.cancel()
        if answer is not None and not answer.done():
            starter.cancel()  # quit from the dialog: nothing was confirmed, nothing starts
        freezer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starter
        await engine.stop("console closed")
        await control.close()
    if start_error is not None:
        raise start_error
    return app.return_code or 0
