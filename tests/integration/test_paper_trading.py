"""Paper trading end to end: strategy → gate → order → fill → position, kill switch, restart."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from moonai_tui.config import Settings
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import Event
from moonai_tui.engine.trading_events import (
    FillRecorded,
    KillSwitchChanged,
    PositionChanged,
    SignalRaised,
)
from moonai_tui.store import open_store

pytestmark = pytest.mark.timeout(90)


def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        approval="auto",
        sim={"speed": 1200, "book_updates_per_second": 40},
        trade={"strategies": ["sma_cross"]},
    )


async def wait_for(sub: Subscription, predicate: Callable[[Event], bool]) -> Event:
    async for event in sub:
        if predicate(event):
            return event
    raise AssertionError("event stream ended")


async def test_auto_paper_trading_fills_and_the_kill_switch_flattens_and_latches(
    tmp_path: Path,
) -> None:
    engine = Engine(settings(tmp_path))
    sub = engine.subscribe()
    await engine.start()
    try:
        signal = await wait_for(sub, lambda e: isinstance(e, SignalRaised) and e.side is not None)
        assert isinstance(signal, SignalRaised) and signal.strategy == "sma_cross"
        first = await wait_for(sub, lambda e: isinstance(e, FillRecorded))
        assert isinstance(first, FillRecorded) and first.fill.fee > 0
        result = await engine.kill("test", "end of test")
        assert result.ok
        await wait_for(sub, lambda e: isinstance(e, PositionChanged) and e.position.qty == 0)
        refused = await engine.start_strategy("sma_cross", "test")
        assert not refused.ok  # still running; the latch blocks entries, not strategies
    finally:
        await engine.stop()

    async with await open_store(settings(tmp_path).database_url) as store:
        orders = await store.journal.orders("paper")
        fills = await store.journal.fills("paper")
        positions = await store.journal.positions("paper")
        latch = await store.journal.kill_switch()
        audit = [(a.actor, a.action) for a in await store.journal.audit()]
    assert latch.latched and latch.reason == "end of test"
    assert ("test", "kill") in audit
    # Orders, fills and positions agree with each other.
    by_order: dict[str, Decimal] = {}
    for fill in fills:
        if fill.client_order_id is not None:
            by_order[fill.client_order_id] = (
                by_order.get(fill.client_order_id, Decimal(0)) + fill.qty
            )
    for order in orders:
        if order.request.client_order_id in by_order:
            assert order.filled_qty == by_order[order.request.client_order_id]
    net = sum((f.qty if f.side == "buy" else -f.qty for f in fills), Decimal(0))
    assert sum((p.qty for p in positions), Decimal(0)) == net == 0
    assert all(o.request.stop_loss is not None for o in orders if not o.request.reduce_only)


async def test_the_kill_switch_latch_survives_a_restart(tmp_path: Path) -> None:
    engine = Engine(settings(tmp_path))
    await engine.start()
    try:
        await engine.ready.wait()
        assert (await engine.kill("test", "latched before restart")).ok
    finally:
        await engine.stop()
    engine = Engine(settings(tmp_path))
    sub = engine.subscribe()
    await engine.start()
    try:
        state = await wait_for(sub, lambda e: isinstance(e, KillSwitchChanged))
        assert isinstance(state, KillSwitchChanged) and state.state.latched
        assert "LATCHED" in engine.trading_summary()
        assert (await engine.reset_kill("test")).ok
        assert "armed" in engine.trading_summary()
    finally:
        await engine.stop()
