"""A simulator that goes away and comes back: every stream reconnects and data flows again."""

from __future__ import annotations

from pathlib import Path

import pytest

from moonai_tui.config import Settings, SimSettings
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import CandleHistoryLoaded, ConnectionChanged, OrderBookUpdated
from moonai_tui.sim import start_simulator

pytestmark = pytest.mark.timeout(60)

STREAMS = {"ticker", "book", "trades", "candles"}


async def test_streams_reconnect_after_the_exchange_restarts(tmp_path: Path) -> None:
    sim_settings = SimSettings(speed=600, book_updates_per_second=40)
    sim = await start_simulator(sim_settings)
    port = int(sim.http_base.rsplit(":", 1)[1])
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        sim=sim_settings,
        feeds={"reconnect_initial_seconds": 0.05, "reconnect_max_seconds": 0.2, "history_bars": 20},
    )
    engine = Engine(settings, sim_http_base=sim.http_base)
    sub = engine.subscribe()
    await engine.start()
    restarted = None
    try:
        connected: set[str] = set()
        async for event in sub:
            if isinstance(event, ConnectionChanged) and event.state == "connected":
                connected.add(event.stream)
            if connected >= STREAMS:
                break
        await sim.stop()

        dropped: set[str] = set()
        async for event in sub:
            if isinstance(event, ConnectionChanged) and event.state == "reconnecting":
                dropped.add(event.stream)
            if dropped >= STREAMS:
                break

        restarted = await start_simulator(sim_settings.model_copy(update={"port": port}))
        back: set[str] = set()
        history_reloaded = False
        book_after = False
        async for event in sub:
            if isinstance(event, ConnectionChanged) and event.state == "connected":
                back.add(event.stream)
            history_reloaded |= isinstance(event, CandleHistoryLoaded)
            book_after |= isinstance(event, OrderBookUpdated) and "book" in back
            if back >= STREAMS and history_reloaded and book_after:
                break
    finally:
        await engine.stop()
        await sim.stop()
        if restarted is not None:
            await restarted.stop()
    assert back >= STREAMS
