"""Authentication (REST and websocket) and the private websocket topics through ccxt.pro.

Each watch is started first; the test then waits for the server to register the
subscription (``sim.private.subscribed``) and triggers a real change, so nothing
depends on sleeps.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import ccxt
import pytest
from sim_builders import API_KEY, make_trader

from moonai_tui.sim import RunningSimulator
from moonai_tui.sim.auth import sign

BTC = "BTC/USDT:USDT"


@pytest.fixture
async def bad_client(request: pytest.FixtureRequest, sim: RunningSimulator) -> AsyncIterator[Any]:
    client = make_trader(sim.http_base, **request.param)
    try:
        yield client
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("bad_client", "error"),
    [
        ({"apiKey": "not-a-key"}, ccxt.AuthenticationError),
        ({"secret": "wrong-secret"}, ccxt.AuthenticationError),
        ({"timeDifference": 60_000}, ccxt.InvalidNonce),
    ],
    indirect=["bad_client"],
)
async def test_bad_credentials_are_refused(bad_client: Any, error: type[Exception]) -> None:
    await bad_client.load_markets()
    with pytest.raises(error):
        await bad_client.fetch_balance()
    with pytest.raises(error):
        await bad_client.create_order(BTC, "market", "buy", 0.01)


async def test_account_endpoints_report_a_unified_account(sim: RunningSimulator) -> None:
    client = make_trader(sim.http_base, enableUnifiedAccount=None, unifiedMarginStatus=None)
    client.has["fetchCurrencies"] = True
    try:
        await client.load_markets()  # signs GET /v5/asset/coin/query-info with a trailing "?"
        assert {"USDT", "BTC", "ETH"} <= set(client.currencies)
        assert await client.is_unified_enabled() == [False, True]
    finally:
        await client.close()


async def test_ws_auth_with_a_wrong_secret_is_an_authentication_error(
    sim: RunningSimulator,
) -> None:
    client = make_trader(sim.http_base, secret="wrong-secret")
    try:
        with pytest.raises(ccxt.AuthenticationError):
            await client.watch_orders()
    finally:
        await client.close()


async def test_private_ws_ping_and_auth_protocol(sim: RunningSimulator) -> None:
    url = sim.http_base.replace("http://", "ws://") + "/v5/private"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.send_str(json.dumps({"op": "subscribe", "args": ["order"], "req_id": "1"}))
        refused = json.loads(await ws.receive_str())
        assert refused["success"] is False  # not authenticated yet
        await ws.send_str(json.dumps({"op": "ping", "req_id": "2"}))
        pong = json.loads(await ws.receive_str())
        assert pong["op"] == "pong" and pong["req_id"] == "2"
        expires = str(int(time.time() * 1000) + 10_000)
        signature = sign("moonai-demo-secret", f"GET/realtime{expires}")
        await ws.send_str(json.dumps({"op": "auth", "args": [API_KEY, expires, signature]}))
        assert json.loads(await ws.receive_str())["success"] is True
        await ws.send_str(json.dumps({"op": "subscribe", "args": ["wallet"], "req_id": "3"}))
        ack = json.loads(await ws.receive_str())
        assert ack["success"] is True and ack["req_id"] == "3"


async def test_watch_orders_and_my_trades_resolve_on_a_fill(
    trader: Any, sim: RunningSimulator
) -> None:
    orders = asyncio.create_task(trader.watch_orders())
    await sim.private.subscribed("order")
    trades = asyncio.create_task(trader.watch_my_trades())
    await sim.private.subscribed("execution")
    placed = await trader.create_order(BTC, "market", "buy", 0.01, params={"clientOrderId": "w1"})
    (order, *_) = await orders
    assert order["id"] == placed["id"] and order["symbol"] == BTC
    assert order["clientOrderId"] == "w1" and order["status"] == "closed"
    (trade,) = await trades
    assert trade["order"] == placed["id"] and trade["symbol"] == BTC
    assert trade["amount"] == 0.01 and trade["fee"]["currency"] == "USDT"


async def test_watch_positions_resolves_on_a_new_position(
    trader: Any, sim: RunningSimulator
) -> None:
    assert await trader.watch_positions() == []  # the first call is a REST snapshot
    positions = asyncio.create_task(trader.watch_positions())
    await sim.private.subscribed("position")
    await trader.create_order(BTC, "market", "sell", 0.02)
    (position,) = await positions
    assert position["symbol"] == BTC and position["side"] == "short"
    assert position["contracts"] == 0.02


async def test_watch_balance_resolves_with_the_margin_in_use(
    trader: Any, sim: RunningSimulator
) -> None:
    balance = asyncio.create_task(trader.watch_balance())
    await sim.private.subscribed("wallet")
    await trader.create_order(BTC, "limit", "buy", 0.01, 50000)
    got = await balance
    assert got["USDT"]["total"] == 10000
    assert got["USDT"]["used"] == pytest.approx(50.0)  # order IM: 0.01 x 50000 / 10
    assert got["USDT"]["free"] == pytest.approx(9950.0)
