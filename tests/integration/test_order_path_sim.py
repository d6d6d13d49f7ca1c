"""The live order path through unmodified ccxt against the simulator's trading half."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from moonai_tui.config import SimSettings
from moonai_tui.domain import OrderRequest
from moonai_tui.engine.clock import SystemClock
from moonai_tui.engine.order_manager import OrderManager, new_client_order_id
from moonai_tui.exchange.ccxt_execution import CcxtExecutionClient
from moonai_tui.exchange.ccxt_factory import create_pro_exchange
from moonai_tui.sim import start_simulator
from moonai_tui.store import open_store

pytestmark = pytest.mark.timeout(60)

SYMBOL = "BTC/USDT:USDT"


async def test_market_entry_with_protection_is_journaled_and_matches_the_venue(
    tmp_path: Path,
) -> None:
    settings = SimSettings()
    sim = await start_simulator(settings)
    exchange = create_pro_exchange(
        "sim", sim.http_base, (settings.api_key, settings.api_secret.get_secret_value())
    )
    try:
        async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
            client = CcxtExecutionClient(exchange)
            manager = OrderManager(client, store.journal, SystemClock(), "live")
            ticker = await exchange.fetch_ticker(SYMBOL)
            last = Decimal(str(ticker["last"]))
            stop = (last * Decimal("0.98")).quantize(Decimal("0.1"))
            target = (last * Decimal("1.04")).quantize(Decimal("0.1"))
            client_id = new_client_order_id()
            request = OrderRequest(
                client_id,
                SYMBOL,
                "buy",
                "market",
                Decimal("0.010"),
                stop_loss=stop,
                take_profit=target,
            )
            record = await manager.submit(request)
            assert record.status in {"open", "filled"}
            venue = await client.fetch_order(client_id, SYMBOL)
            assert venue is not None and venue.exchange_order_id == record.exchange_order_id
            assert venue.status == "filled" and venue.filled_qty == Decimal("0.010")
            positions = await exchange.fetch_positions([SYMBOL])
            (position,) = [p for p in positions if p["contracts"]]
            assert Decimal(str(position["contracts"])) == Decimal("0.010")
            assert position["side"] == "long"
            assert Decimal(str(position["stopLossPrice"])) == stop
            fills = await client.fills_since(None)
            assert sum(f.qty for f in fills if f.client_order_id == client_id) == Decimal("0.010")
            # The same client id again is refused by the venue: no second order.
            again = OrderRequest(client_id, SYMBOL, "buy", "market", Decimal("0.010"))
            from moonai_tui.exchange.execution import DuplicateClientOrderId

            with pytest.raises(DuplicateClientOrderId):
                await client.submit(again)
    finally:
        await exchange.close()
        await sim.stop()


async def test_rejections_come_back_as_rejected_orders(tmp_path: Path) -> None:
    settings = SimSettings(balance=Decimal("100"))
    sim = await start_simulator(settings)
    exchange = create_pro_exchange(
        "sim", sim.http_base, (settings.api_key, settings.api_secret.get_secret_value())
    )
    try:
        async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
            manager = OrderManager(
                CcxtExecutionClient(exchange), store.journal, SystemClock(), "live"
            )
            too_big = OrderRequest(new_client_order_id(), SYMBOL, "buy", "market", Decimal("5.000"))
            record = await manager.submit(too_big)
            assert record.status == "rejected"
            assert record.reason
    finally:
        await exchange.close()
        await sim.stop()
