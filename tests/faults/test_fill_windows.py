"""Fills spread over more than ByBit's 7-day ``/v5/execution/list`` window are all read back.

ByBit answers one call for 7 days at most (startTime alone means [startTime, +7 d]) and
refuses a wider range with 10001; the simulator does the same. An engine down for
longer than a week, or whose last recorded fill is older than that, must still read
back every fill since, or a fill made while it was down would be lost.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import ccxt
import pytest

from moonai_tui.config import SimSettings
from moonai_tui.domain import OrderRequest
from moonai_tui.engine.order_manager import new_client_order_id
from moonai_tui.exchange.ccxt_execution import CcxtExecutionClient
from moonai_tui.exchange.ccxt_factory import create_pro_exchange
from moonai_tui.sim import start_simulator
from tests.sim.sim_builders import START, START_MS, FrozenWall

pytestmark = pytest.mark.timeout(60)

SYMBOL = "BTC/USDT:USDT"
DAY_MS = 86_400_000
SPEED = 30.0


async def test_fills_over_three_weeks_are_read_back_window_by_window() -> None:
    wall = FrozenWall()
    settings = SimSettings(start=START, speed=SPEED)
    sim = await start_simulator(settings, wall_clock=wall)
    exchange = create_pro_exchange(
        "sim", sim.http_base, (settings.api_key, settings.api_secret.get_secret_value())
    )
    try:
        client = CcxtExecutionClient(exchange)
        sent = []
        for i in range(3):  # day 0, day 8, day 16 of the replay
            side = "buy" if i % 2 == 0 else "sell"
            request = OrderRequest(new_client_order_id(), SYMBOL, side, "market", Decimal("0.001"))
            await client.submit(request)
            sent.append(request.client_order_id)
            wall.advance(8 * DAY_MS / 1000 / SPEED)
        # The last fill is 8 days old: ByBit's default window (the last 7 days) is empty.
        assert await exchange.fetch_my_trades(None) == []
        with pytest.raises(ccxt.BadRequest, match="cannot exceed 7 days"):
            await exchange.fetch_my_trades(None, START_MS, None, {"until": START_MS + 8 * DAY_MS})
        # One call from the replay start sees the first 7 days only.
        assert len(await exchange.fetch_my_trades(None, START_MS)) == 1

        fills = await client.fills_since(START_MS - 3_600_000)

        assert [f.client_order_id for f in fills] == sent
        gaps = [b.ts_ms - a.ts_ms for a, b in itertools.pairwise(fills)]
        assert all(gap >= 8 * DAY_MS - 60_000 for gap in gaps), gaps
    finally:
        await exchange.close()
        await sim.stop()
