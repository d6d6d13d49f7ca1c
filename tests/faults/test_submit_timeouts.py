"""Issue 3: 50 order submissions time out; the exchange acted on some, not others.

The simulator holds each ``/v5/order/create`` answer past ccxt's timeout and, by a
seeded draw, executes the order before the hold (placed, answer lost), after it
(arrives late, possibly after the engine's resend) or never (lost). The order
manager must end with exactly one exchange order per intent and a journal equal
to the exchange.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from moonai_tui.domain import OrderRequest
from moonai_tui.engine.order_manager import new_client_order_id

from .rig import SYMBOL, live_rig, quiesce

pytestmark = pytest.mark.timeout(90)
TIMEOUTS = 50


async def test_fifty_submit_timeouts_make_no_duplicate(tmp_path: Path) -> None:
    async with live_rig(tmp_path, drive=False, request_timeout_seconds=0.5) as rig:
        mark = Decimal(str(rig.exchange.orderbooks[SYMBOL]["bids"][0][0]))
        requests = []
        for i in range(TIMEOUTS):
            side = "buy" if i % 2 == 0 else "sell"
            far = Decimal("0.8") if side == "buy" else Decimal("1.2")
            stop = (mark * far).quantize(Decimal("0.1"))
            requests.append(
                OrderRequest(
                    new_client_order_id(), SYMBOL, side, "market", Decimal("0.001"), stop_loss=stop
                )
            )
        rig.sim.faults.inject(
            "request_timeout", path="/v5/order/create", count=TIMEOUTS, seconds=0.9
        )
        records = await asyncio.gather(*(rig.trader.submit(r) for r in requests))
        outcomes = Counter(
            e.name.split(":")[1]
            for e in rig.sim.faults.log
            if e.name.startswith("request_timeout:")
        )
        assert rig.sim.faults.fired("request_timeout") == TIMEOUTS
        assert sum(outcomes.values()) == TIMEOUTS and set(outcomes) == {"before", "after", "never"}
        assert all(r.status in {"open", "filled"} for r in records), [r.status for r in records]
        venue = rig.sim.private.desk.engine.orders.values()
        ours = {r.client_order_id for r in requests}
        placed = Counter(o.link_id for o in venue if o.link_id in ours)
        assert set(placed) == ours and set(placed.values()) == {1}
        await quiesce(rig)


async def test_an_exit_that_timed_out_does_not_block_later_exits(tmp_path: Path) -> None:
    async with live_rig(tmp_path, drive=False, request_timeout_seconds=0.5) as rig:
        trader = rig.trader
        for round_trip in range(2):
            await trader.on_signal("faults", SYMBOL, "buy", 0.9, "entry")
            await rig.wait(lambda: bool(trader.positions()), "long")
            if round_trip == 0:  # the first exit is placed, but its answer is lost
                rig.sim.faults.inject(
                    "request_timeout", path="/v5/order/create", seconds=0.9, execute="before"
                )
            await trader.on_signal("faults", SYMBOL, "sell", 0.9, "exit")
            await rig.wait(lambda: not trader.positions(), "flat again", within=10)
        await quiesce(rig)
