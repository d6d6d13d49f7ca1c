"""Private-side faults: dropped and refused account streams, fills made while away."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from moonai_tui.domain import OrderRequest
from moonai_tui.engine.events import ConnectionChanged, NoticeRaised
from moonai_tui.engine.order_manager import new_client_order_id

from .rig import SYMBOL, Rig, eventually, live_rig, quiesce

pytestmark = pytest.mark.timeout(90)


def notices(rig: Rig, text: str) -> int:
    return sum(1 for e in rig.events if isinstance(e, NoticeRaised) and text in e.message)


def public_stream_drops(rig: Rig) -> int:
    return sum(
        1
        for e in rig.events
        if isinstance(e, ConnectionChanged) and e.symbol == SYMBOL and e.state == "reconnecting"
    )


async def test_private_outages_block_entries_until_reconciled(tmp_path: Path) -> None:
    async with live_rig(tmp_path) as rig:
        await rig.traded_again()
        for name in ("ws_reset", "ws_close", "private_outage"):
            public_drops = public_stream_drops(rig)
            downs = notices(rig, "private stream down")
            rig.sim.faults.inject(name, scope="private", seconds=1.5)
            # Events, not polling: a clean close can be over (reconciled) within 0.1 s.
            await rig.wait(
                lambda n=downs: notices(rig, "private stream down") > n, f"{name}: blocked"
            )
            await rig.entries_open()
            await rig.traded_again()
            await quiesce(rig)
            # Public data was unaffected: only the account side went down.
            assert public_stream_drops(rig) == public_drops
        assert notices(rig, "private streams back after") == 3


async def test_a_fill_made_while_disconnected_is_reconciled(tmp_path: Path) -> None:
    async with live_rig(tmp_path, drive=False) as rig:
        mark = Decimal(str(rig.exchange.orderbooks[SYMBOL]["bids"][0][0]))
        price = (mark * Decimal("0.9")).quantize(Decimal("0.1"))
        stop = (price * Decimal("0.95")).quantize(Decimal("0.1"))
        client_id = new_client_order_id()
        request = OrderRequest(
            client_id, SYMBOL, "buy", "limit", Decimal("0.002"), price, stop_loss=stop
        )
        record = await rig.trader.submit(request)
        assert record.status == "open"
        rig.sim.faults.inject("fill_while_disconnected", seconds=1.0)
        store = rig.engine.store
        assert store is not None

        async def filled() -> list[str]:
            order = await store.journal.order(client_id)
            return [] if order is not None and order.status == "filled" else ["not filled yet"]

        await eventually(filled)
        await rig.entries_open()
        (outcome,) = [e.name for e in rig.sim.faults.log if e.name.startswith("fill_while")][1:]
        assert outcome == "fill_while_disconnected:filled 1"
        recorded = [
            e for e in rig.events if isinstance(e, NoticeRaised) and "happened while" in e.message
        ]
        assert len(recorded) == 1 and "buy 0.002" in recorded[0].message
        assert [p.qty for p in rig.trader.positions()] == [Decimal("0.002")]
        await quiesce(rig)
