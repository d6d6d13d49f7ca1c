"""More fills than one ``/v5/execution/list`` page are all read back (reconciliation).

One call returns at most 50 fills by default (100 at most); an outage with more
fills than that must not lose the older ones, so the client follows
``nextPageCursor`` through the simulator's pages.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from moonai_tui.config import SimSettings
from moonai_tui.domain import OrderRequest
from moonai_tui.engine.order_manager import new_client_order_id
from moonai_tui.exchange.ccxt_execution import CcxtExecutionClient
from moonai_tui.exchange.ccxt_factory import create_pro_exchange
from moonai_tui.sim import start_simulator

pytestmark = pytest.mark.timeout(60)

SYMBOL = "BTC/USDT:USDT"
ORDERS = 130
"""More than two full pages of 50, and not a multiple of the page size."""


async def test_every_fill_of_an_outage_longer_than_a_page_is_read_back() -> None:
    settings = SimSettings()
    sim = await start_simulator(settings)
    exchange = create_pro_exchange(
        "sim", sim.http_base, (settings.api_key, settings.api_secret.get_secret_value())
    )
    try:
        client = CcxtExecutionClient(exchange)
        sent = []
        for i in range(ORDERS):
            side = "buy" if i % 2 == 0 else "sell"
            request = OrderRequest(new_client_order_id(), SYMBOL, side, "market", Decimal("0.001"))
            await client.submit(request)
            sent.append(request.client_order_id)
        one_page = await exchange.fetch_my_trades(None, 0)
        assert len(one_page) == 50  # what a single call used to return
        fills = await client.fills_since(None)
        assert len({f.trade_id for f in fills}) == len(fills)
        assert sorted(f.client_order_id or "" for f in fills) == sorted(sent)
        assert sum(f.qty for f in fills) == Decimal("0.001") * ORDERS
    finally:
        await exchange.close()
        await sim.stop()
