"""Live trading on the simulator through ccxt: journal = exchange, restart reconciles, halts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from moonai_tui.config import Settings, SimSettings
from moonai_tui.domain import Position
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import Event, NoticeRaised
from moonai_tui.engine.trading_events import FillRecorded, RiskStatusChanged
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


def live_settings(tmp_path: Path, sim: SimSettings) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        trading="live",
        approval="auto",
        sim=sim,
        trade={"strategies": ["sma_cross"]},
    )


async def test_live_mode_needs_confirmation(tmp_path: Path) -> None:
    sim_settings = SimSettings(speed=1200)
    engine = Engine(live_settings(tmp_path, sim_settings))
    sub = engine.subscribe()
    await engine.start()
    try:
        notice = await wait_for(sub, lambda e: isinstance(e, NoticeRaised))
        assert isinstance(notice, NoticeRaised) and "--yes-live" in notice.message
        assert not (await engine.kill("test", "x")).ok  # nothing trades
    finally:
        await engine.stop()


async def test_live_trades_match_the_exchange_and_restart_reconciles(tmp_path: Path) -> None:
    sim_settings = SimSettings(speed=1200, book_updates_per_second=40)
    sim = await start_simulator(sim_settings)
    keys = (sim_settings.api_key, sim_settings.api_secret.get_secret_value())
    settings = live_settings(tmp_path, sim_settings)
    try:
        engine = Engine(settings, sim_http_base=sim.http_base, live_confirmed=True)
        sub = engine.subscribe()
        await engine.start()
        try:
            await wait_for(sub, lambda e: isinstance(e, FillRecorded))
        finally:
            await engine.stop()

        exchange = create_pro_exchange("sim", sim.http_base, keys)
        try:
            venue_trades = await exchange.fetch_my_trades(SYMBOL)
            venue_positions = await exchange.fetch_positions([SYMBOL])
        finally:
            await exchange.close()
        async with await open_store(settings.database_url) as store:
            fills = await store.journal.fills("live")
            positions = await store.journal.positions("live")
        venue_ids = {str(t["id"]) for t in venue_trades}
        assert {f.trade_id for f in fills} <= venue_ids and fills
        venue_qty = sum(
            (
                Decimal(str(p["contracts"] or 0)) * (-1 if p["side"] == "short" else 1)
                for p in venue_positions
            ),
            Decimal(0),
        )
        # Fills that landed after the engine stopped are the restart's job; a journal
        # never holds a fill the exchange does not know. The restart runs no strategy,
        # so nothing trades between the exchange's answer above and the reconciliation.
        quiet = settings.model_copy(update={"trade": Settings().trade})
        engine = Engine(quiet, sim_http_base=sim.http_base, live_confirmed=True)
        sub = engine.subscribe()
        await engine.start()
        try:
            await engine.ready.wait()
            status = await wait_for(sub, lambda e: isinstance(e, RiskStatusChanged))
            assert isinstance(status, RiskStatusChanged)
            assert status.status.halted_reason == ""
            assert "entries: open" in engine.trading_summary()
        finally:
            await engine.stop()
        async with await open_store(settings.database_url) as store:
            positions = await store.journal.positions("live")
        assert sum((p.qty for p in positions), Decimal(0)) == venue_qty
    finally:
        await sim.stop()


async def test_a_fill_made_while_down_is_recorded_and_explains_the_position(
    tmp_path: Path,
) -> None:
    sim_settings = SimSettings(speed=1200)
    sim = await start_simulator(sim_settings)
    keys = (sim_settings.api_key, sim_settings.api_secret.get_secret_value())
    try:
        outsider = create_pro_exchange("sim", sim.http_base, keys)
        try:
            await outsider.create_order(SYMBOL, "market", "buy", 0.01)
        finally:
            await outsider.close()
        settings = live_settings(tmp_path, sim_settings).model_copy(
            update={"trade": Settings().trade}
        )
        engine = Engine(settings, sim_http_base=sim.http_base, live_confirmed=True)
        sub = engine.subscribe()
        await engine.start()
        try:
            notice = await wait_for(sub, lambda e: isinstance(e, NoticeRaised))
            assert isinstance(notice, NoticeRaised) and notice.level == "warning"
            assert "happened while the engine was down: recorded" in notice.message
            assert "entries: open" in engine.trading_summary()
        finally:
            await engine.stop()
        async with await open_store(settings.database_url) as store:
            fills = await store.journal.fills("live")
        # The outsider's fill is on record (the position may since have been closed by
        # the protection rule: it had no stop).
        assert [(f.side, f.qty) for f in fills][:1] == [("buy", Decimal("0.01"))]
    finally:
        await sim.stop()


async def test_a_position_nothing_explains_halts_trading(tmp_path: Path) -> None:
    sim_settings = SimSettings(speed=1200)
    sim = await start_simulator(sim_settings)
    try:
        settings = live_settings(tmp_path, sim_settings).model_copy(
            update={"trade": Settings().trade}
        )
        async with await open_store(settings.database_url) as store:
            ghost = Position(SYMBOL, Decimal("0.05"), Decimal("60000"), Decimal(0), Decimal(0), 1)
            await store.journal.save_position(ghost, "live")
        engine = Engine(settings, sim_http_base=sim.http_base, live_confirmed=True)
        sub = engine.subscribe()
        await engine.start()
        try:
            notice = await wait_for(
                sub, lambda e: isinstance(e, NoticeRaised) and e.level == "error"
            )
            assert isinstance(notice, NoticeRaised)
            assert "journal +0.05 vs exchange +0" in notice.message
            assert "trading halted" in notice.message
            assert "entries: HALTED" in engine.trading_summary()
        finally:
            await engine.stop()
    finally:
        await sim.stop()
