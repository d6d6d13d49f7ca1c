"""Public websockets: ccxt watch_* calls and the raw ByBit control protocol."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sim_builders import START_MS

from moonai_tui.sim import RunningSimulator

SYMBOLS = ["BTC/USDT:USDT", "BTC/USDT"]


@pytest.mark.parametrize("symbol", SYMBOLS)
async def test_watch_ticker_resolves_with_the_right_market(
    streaming_exchange: Any, symbol: str
) -> None:
    first = await streaming_exchange.watch_ticker(symbol)
    second = await streaming_exchange.watch_ticker(symbol)  # a later push (delta on linear)
    for ticker in (first, second):
        assert ticker["symbol"] == symbol
        assert ticker["bid"] < ticker["ask"] and ticker["last"] > 0
    assert second["timestamp"] >= first["timestamp"] >= START_MS


@pytest.mark.parametrize("symbol", SYMBOLS)
async def test_watch_order_book_streams_an_uncrossed_book(
    streaming_exchange: Any, symbol: str
) -> None:
    book = await streaming_exchange.watch_order_book(symbol)
    for _ in range(5):
        book = await streaming_exchange.watch_order_book(symbol)
        assert book["symbol"] == symbol
        assert len(book["bids"]) == len(book["asks"]) == 50
        assert book["bids"][0][0] < book["asks"][0][0]


@pytest.mark.parametrize("symbol", SYMBOLS)
async def test_watch_trades_streams_new_trades(streaming_exchange: Any, symbol: str) -> None:
    trades = await streaming_exchange.watch_trades(symbol)
    more = await streaming_exchange.watch_trades(symbol)
    assert trades and more
    for trade in trades + more:
        assert trade["symbol"] == symbol and trade["side"] in ("buy", "sell")
        assert trade["amount"] > 0 and trade["timestamp"] > START_MS
    assert more[-1]["timestamp"] > trades[0]["timestamp"]


@pytest.mark.parametrize("symbol", [*SYMBOLS, "ETH/USDT:USDT"])
async def test_watch_ohlcv_streams_the_forming_bar(streaming_exchange: Any, symbol: str) -> None:
    bars = await streaming_exchange.watch_ohlcv(symbol, "1m")
    bars = await streaming_exchange.watch_ohlcv(symbol, "1m")
    ts, o, h, low, c, v = bars[-1]
    assert ts % 60_000 == 0 and ts >= START_MS
    assert low <= min(o, c) <= max(o, c) <= h and v >= 0
    rest = await streaming_exchange.fetch_ohlcv(symbol, "1m", since=ts, limit=1)
    assert rest[0][0] == ts and rest[0][1] == o  # same bar as REST


async def ws_messages(ws: aiohttp.ClientWebSocketResponse) -> AsyncIterator[dict[str, Any]]:
    async for message in ws:
        yield json.loads(message.data)


@pytest.fixture
async def linear_ws(
    streaming_sim: RunningSimulator,
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    url = streaming_sim.http_base.replace("http", "ws") + "/v5/public/linear"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        yield ws


async def next_op(ws: aiohttp.ClientWebSocketResponse, op: str) -> dict[str, Any]:
    async for message in ws_messages(ws):
        if message.get("op") == op:
            return message
    raise AssertionError("socket closed")


async def test_control_messages_follow_bybit(linear_ws: aiohttp.ClientWebSocketResponse) -> None:
    ws = linear_ws
    await ws.send_json(
        {
            "op": "subscribe",
            "req_id": 7,
            "args": ["kline.1.BTCUSDT"],
            "callerMethodName": "watchOHLCV",
        }
    )
    ack = await next_op(ws, "subscribe")
    assert (ack["success"], ack["req_id"], ack["ret_msg"]) == (True, "7", "")
    await ws.send_json({"op": "ping", "req_id": 8})
    pong = await next_op(ws, "ping")
    assert (pong["ret_msg"], pong["req_id"]) == ("pong", "8")
    await ws.send_json({"op": "unsubscribe", "req_id": 9, "args": ["kline.1.BTCUSDT"]})
    unsub = await next_op(ws, "unsubscribe")
    assert (unsub["success"], unsub["req_id"]) == (True, "9")
    await ws.send_json({"op": "subscribe", "req_id": 10, "args": ["orderbook.42.BTCUSDT"]})
    bad = await next_op(ws, "subscribe")
    assert (bad["success"], bad["req_id"]) == (False, "10")
    await ws.send_json({"op": "subscribe", "req_id": 11, "args": ["tickers.XRPUSDT"]})
    assert (await next_op(ws, "subscribe"))["success"] is False


async def test_book_stream_rebuilds_the_servers_book_with_u_plus_one(
    streaming_sim: RunningSimulator, linear_ws: aiohttp.ClientWebSocketResponse
) -> None:
    topic = "orderbook.50.BTCUSDT"
    await linear_ws.send_json({"op": "subscribe", "req_id": 1, "args": [topic]})
    book: dict[str, dict[str, str]] = {}
    last_u = last_seq = None
    stream = ws_messages(linear_ws)

    async def read() -> dict[str, Any]:
        nonlocal last_u, last_seq, book
        async for message in stream:
            if message.get("topic") != topic:
                continue
            data = message["data"]
            if message["type"] == "snapshot":
                assert last_u is None  # exactly one snapshot, first
                assert len(data["b"]) == len(data["a"]) == 50
                book = {"b": dict(data["b"]), "a": dict(data["a"])}
            else:
                assert data["u"] == last_u + 1 and data["seq"] > last_seq  # type: ignore[operator]
                for side in ("b", "a"):
                    for price, size in data[side]:
                        if size == "0" or float(size) == 0:
                            del book[side][price]
                        else:
                            book[side][price] = size
            last_u, last_seq = data["u"], data["seq"]
            return message
        raise AssertionError("socket closed")

    for _ in range(30):
        await read()
    # A second subscriber's snapshot is the server's book at its u: the rebuilt one must equal it.
    url = streaming_sim.http_base.replace("http", "ws") + "/v5/public/linear"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as second:
        await second.send_json({"op": "subscribe", "req_id": 2, "args": [topic]})
        async for message in ws_messages(second):
            if message.get("topic") == topic:
                snapshot = message["data"]
                break
    while last_u < snapshot["u"]:  # type: ignore[operator]
        await read()
    assert last_u == snapshot["u"]
    assert book == {"b": dict(snapshot["b"]), "a": dict(snapshot["a"])}
    assert len(book["b"]) == len(book["a"]) == 50
