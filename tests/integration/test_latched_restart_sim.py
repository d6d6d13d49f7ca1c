"""Live on the simulator: a restart with the kill switch latched closes the open position.

The first session opens a long with a stop far away (20 %, a strategy-style per-trade
override) and stops; the latch is then stored as if the engine died between latching
and closing. Nothing happened at the exchange meanwhile, so reconciliation finds no
fill or order to apply: only the latch itself can close the position.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from moonai_tui.config import Settings, SimSettings
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import Event, OrderBookUpdated
from moonai_tui.engine.trading_events import FillRecorded, OrderDenied
from moonai_tui.exchange.ccxt_factory import create_pro_exchange
from moonai_tui.sim import start_simulator
from moonai_tui.store import open_store

pytestmark = pytest.mark.timeout(90)
SYMBOL = "BTC/USDT:USDT"


async def wait_for(sub: Subscription, predicate: Callable[[Event], bool]) -> Event:
    async with asyncio.timeout(30):  # a bound, not a synchronisation: fail instead of hang
        async for event in sub:
            if predicate(event):
                return event
    raise AssertionError("event stream ended")


async def test_a_latched_restart_flattens_the_live_position(tmp_path: Path) -> None:
    sim_settings = SimSettings(speed=30, book_updates_per_second=40)
    sim = await start_simulator(sim_settings)
    keys = (sim_settings.api_key, sim_settings.api_secret.get_secret_value())
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        trading="live",
        approval="auto",
        sim=sim_settings,
    )
    try:
        engine = Engine(settings, sim_http_base=sim.http_base, live_confirmed=True)
        sub = engine.subscribe()
        await engine.start()
        try:
            await engine.ready.wait()
            assert engine._trading is not None
            trader = engine._trading.trader
            done: Event | None = None
            while not isinstance(done, FillRecorded):
                # The trader reads the bus on its own task: until it has seen a book it
                # refuses with "no price"; then the next book lets it try again.
                await wait_for(sub, lambda e: isinstance(e, OrderBookUpdated))
                await trader.on_signal(
                    "test", SYMBOL, "buy", 1.0, "open one", stop_loss_pct=0.2, take_profit_pct=1.0
                )
                done = await wait_for(sub, lambda e: isinstance(e, FillRecorded | OrderDenied))
                assert not isinstance(done, OrderDenied) or done.code == "no_price", done
        finally:
            await engine.stop()
        async with await open_store(settings.database_url) as store:
            (position,) = await store.journal.positions("live")
            assert position.qty > 0
            await store.journal.set_kill_switch(True, "died before closing", "ctl", 1)

        engine = Engine(settings, sim_http_base=sim.http_base, live_confirmed=True)
        sub = engine.subscribe()
        await engine.start()
        try:
            close = await wait_for(sub, lambda e: isinstance(e, FillRecorded))
            assert isinstance(close, FillRecorded) and close.fill.side == "sell"
        finally:
            await engine.stop()

        exchange = create_pro_exchange("sim", sim.http_base, keys)
        try:
            venue_positions = await exchange.fetch_positions([SYMBOL])
        finally:
            await exchange.close()
        assert sum(Decimal(str(p["contracts"] or 0)) for p in venue_positions) == 0
        async with await open_store(settings.database_url) as store:
            audit = [(a.actor, a.action, a.target) for a in await store.journal.audit()]
            assert ("kill-switch", "flatten", SYMBOL) in audit
            assert (await store.journal.kill_switch()).latched
    finally:
        await sim.stop()
