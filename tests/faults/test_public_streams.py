"""Public websocket faults against a live engine: drops, stalls and a broken book sequence."""

from __future__ import annotations

from pathlib import Path

import pytest

from .rig import SYMBOL, live_rig, quiesce

pytestmark = pytest.mark.timeout(90)


async def test_public_drops_and_stall(tmp_path: Path) -> None:
    async with live_rig(tmp_path) as rig:
        await rig.traded_again()
        for name in ("ws_close", "ws_reset"):
            rig.sim.faults.inject(name, scope="public")
            await rig.wait(lambda n=name: rig.sim.faults.fired(n) == 1, f"{name} fired")
            await rig.traded_again()
            await quiesce(rig)
        denied = rig.denials("stale_data")
        rig.sim.faults.inject("ws_stall", scope="public", seconds=2.5)
        await rig.wait(lambda: bool(rig.trader.entry_gate(SYMBOL)), "entries gated as stale")
        await rig.wait(lambda: rig.denials("stale_data") > denied, "an entry refused as stale")
        await rig.entries_open()
        await rig.traded_again()
        await quiesce(rig)


async def test_book_sequence_faults_resync_the_book(tmp_path: Path) -> None:
    async with live_rig(tmp_path) as rig:
        stats = rig.exchange.guard_stats
        await rig.traded_again()
        rig.sim.faults.inject("book_skip", count=2)
        await rig.wait(lambda: stats["book_gaps"] >= 1, "the gap detected")
        await rig.traded_again()
        await quiesce(rig)
        dropped = stats["book_stale_dropped"]
        rig.sim.faults.inject("book_repeat", count=3)
        await rig.wait(lambda: rig.sim.faults.fired("book_repeat") == 3, "deltas repeated")
        await rig.wait(lambda: stats["book_stale_dropped"] >= dropped + 3, "repeats dropped")
        await quiesce(rig)
        gaps = stats["book_gaps"]
        rig.sim.faults.inject("ws_reorder", topic="orderbook", count=2)
        await rig.wait(lambda: stats["book_gaps"] > gaps, "a reordered delta seen as a gap")
        rig.sim.faults.inject("ws_delay", seconds=0.3, count=5)
        await rig.wait(lambda: rig.sim.faults.fired("ws_delay") == 5, "messages delayed")
        await rig.traded_again()
        await quiesce(rig)
