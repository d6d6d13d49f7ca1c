"""An unmodified ccxt.pro.bybit against the simulator's public REST API."""

from __future__ import annotations

from typing import Any

import aiohttp
import ccxt
import pytest
from sim_builders import DATA_START_MS, START_MS, FrozenWall, make_exchange
from sim_data import BTC_1M, ETH_1H, candles

from moonai_tui.sim import RunningSimulator

MINUTE = 60_000
LINEAR, SPOT = "BTC/USDT:USDT", "BTC/USDT"


async def test_load_markets_serves_spot_and_linear_with_real_specs(exchange: Any) -> None:
    markets = await exchange.load_markets()
    assert sorted(markets) == ["BTC/USDT", "BTC/USDT:USDT", "ETH/USDT", "ETH/USDT:USDT"]
    linear, spot = markets[LINEAR], markets[SPOT]
    assert (linear["id"], linear["type"], linear["linear"], linear["settle"]) == (
        "BTCUSDT",
        "swap",
        True,
        "USDT",
    )
    assert (spot["id"], spot["type"], spot["spot"]) == ("BTCUSDT", "spot", True)
    assert (linear["precision"]["price"], linear["precision"]["amount"]) == (0.1, 0.001)
    assert (spot["precision"]["price"], spot["precision"]["amount"]) == (0.01, 0.000001)
    assert linear["limits"]["cost"]["min"] == 5 and spot["limits"]["cost"]["min"] == 1
    assert markets["ETH/USDT:USDT"]["precision"]["price"] == 0.01


async def test_default_load_markets_with_all_categories_works(sim: RunningSimulator) -> None:
    import ccxt.pro

    client = ccxt.pro.bybit({"enableRateLimit": False, "urls": make_exchange(sim.http_base).urls})
    try:  # inverse, option and PreLaunch requests must answer an empty list, not fail
        markets = await client.load_markets()
        assert sorted(markets) == ["BTC/USDT", "BTC/USDT:USDT", "ETH/USDT", "ETH/USDT:USDT"]
    finally:
        await client.close()


async def test_fetch_time_is_the_simulated_clock(exchange: Any, wall: FrozenWall) -> None:
    assert await exchange.fetch_time() == START_MS
    wall.advance(2.0)  # speed 30: one minute of market time
    assert await exchange.fetch_time() == START_MS + MINUTE


@pytest.mark.parametrize("symbol", [LINEAR, SPOT, "ETH/USDT:USDT", "ETH/USDT"])
async def test_fetch_ticker_is_consistent_with_book_and_candles(exchange: Any, symbol: str) -> None:
    ticker = await exchange.fetch_ticker(symbol)
    assert ticker["symbol"] == symbol
    assert ticker["bid"] < ticker["ask"] and ticker["last"] in (ticker["bid"], ticker["ask"])
    assert ticker["low"] <= ticker["last"] <= ticker["high"]
    ohlcv = await exchange.fetch_ohlcv(symbol, "1m", limit=1)
    assert ticker["last"] == pytest.approx(ohlcv[-1][4], abs=0.05)  # linear BTC rounds to 0.10
    info = ticker["info"]
    if symbol.endswith(":USDT"):
        assert float(info["openInterestValue"]) > 0 and "usdIndexPrice" not in info
    else:
        assert "openInterestValue" not in info and info["usdIndexPrice"] == info["lastPrice"]


async def test_24h_change_comes_from_the_real_candles(exchange: Any) -> None:
    ticker = await exchange.fetch_ticker(SPOT)
    day = candles(BTC_1M).iloc[:1440]  # the day before START
    assert ticker["open"] == day.open.iloc[0]
    assert ticker["high"] == pytest.approx(max(day.high.max(), ticker["last"]))
    forming = await exchange.fetch_ohlcv(SPOT, "1m", limit=1)  # the opening trade of START
    assert forming[0][0] == START_MS
    assert ticker["baseVolume"] == pytest.approx(day.volume.sum() + forming[0][5], rel=1e-12)


async def test_fetch_tickers_returns_every_linear_market(exchange: Any) -> None:
    tickers = await exchange.fetch_tickers()
    assert sorted(tickers) == ["BTC/USDT:USDT", "ETH/USDT:USDT"]
    spot = await exchange.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    assert sorted(spot) == ["BTC/USDT", "ETH/USDT"]


@pytest.mark.parametrize(("symbol", "tick"), [(LINEAR, 0.1), (SPOT, 0.01)])
async def test_fetch_order_book_is_sorted_uncrossed_and_on_tick(
    exchange: Any, symbol: str, tick: float
) -> None:
    book = await exchange.fetch_order_book(symbol, limit=100)
    bids, asks = book["bids"], book["asks"]
    assert len(bids) == len(asks) == 100
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert bids[0][0] < asks[0][0]
    assert all(abs(p / tick - round(p / tick)) < 1e-6 and size > 0 for p, size in bids + asks)
    assert book["timestamp"] == await exchange.fetch_time()


@pytest.mark.parametrize("symbol", [SPOT, LINEAR])
async def test_fetch_ohlcv_pages_contiguously_through_the_real_candles(
    exchange: Any, symbol: str
) -> None:
    rows: list[list[float]] = []
    since = DATA_START_MS
    for _ in range(4):
        page = await exchange.fetch_ohlcv(symbol, "1m", since=since, limit=200)
        assert len(page) == 200
        rows += page
        since = page[-1][0] + 1
    frame = candles(BTC_1M).iloc[:800]
    assert [r[0] for r in rows] == list(frame.timestamp_ms)
    expected = frame[["timestamp_ms", "open", "high", "low", "close", "volume"]].values.tolist()
    assert rows == expected


async def test_fetch_ohlcv_without_since_ends_with_the_forming_bar(
    exchange: Any, wall: FrozenWall
) -> None:
    wall.advance(1.0)  # 30 s into the first minute after START
    rows = await exchange.fetch_ohlcv(SPOT, "1m", limit=5)
    assert [r[0] for r in rows] == [START_MS + (i - 4) * MINUTE for i in range(5)]
    real = candles(BTC_1M).set_index("timestamp_ms").loc[START_MS]
    assert rows[-1][1] == real.open and real.low <= rows[-1][3] <= rows[-1][2] <= real.high
    assert 0 < rows[-1][5] < real.volume


async def test_fetch_ohlcv_hourly_eth_is_the_real_file(exchange: Any) -> None:
    rows = await exchange.fetch_ohlcv("ETH/USDT", "1h", since=DATA_START_MS, limit=24)
    frame = candles(ETH_1H).iloc[:24]
    assert rows == frame.values.tolist()
    minutes = await exchange.fetch_ohlcv("ETH/USDT", "5m", since=DATA_START_MS, limit=12)
    assert sum(r[5] for r in minutes) == pytest.approx(frame.volume.iloc[0])
    assert max(r[2] for r in minutes) == frame.high.iloc[0]


async def test_fetch_trades_are_recent_real_sized_and_sided(
    exchange: Any, wall: FrozenWall
) -> None:
    wall.advance(4.0)  # two minutes
    trades = await exchange.fetch_trades(LINEAR, limit=200)
    assert len(trades) == 200
    times = [t["timestamp"] for t in trades]
    assert times == sorted(times) and times[-1] <= START_MS + 2 * MINUTE
    assert {t["side"] for t in trades} == {"buy", "sell"}
    frame = candles(BTC_1M).set_index("timestamp_ms")
    for trade in trades:
        bar = frame.loc[trade["timestamp"] // MINUTE * MINUTE]
        assert bar.low - 0.05 <= trade["price"] <= bar.high + 0.05


async def test_unknown_route_is_json_and_maps_to_bad_request(
    exchange: Any, sim: RunningSimulator
) -> None:
    with pytest.raises(ccxt.BadRequest):
        await exchange.public_get_v5_market_mark_price_kline(
            {"category": "linear", "symbol": "BTCUSDT"}
        )
    async with aiohttp.ClientSession() as session, session.get(f"{sim.http_base}/nope") as response:
        body = await response.json()
    assert body["retCode"] == 10017


async def test_bad_symbol_maps_to_bad_symbol(exchange: Any) -> None:
    with pytest.raises(ccxt.BadSymbol):
        await exchange.public_get_v5_market_tickers({"category": "linear", "symbol": "XRPUSDT"})
    with pytest.raises(ccxt.BadSymbol):
        await exchange.public_get_v5_market_orderbook({"category": "spot", "symbol": "DOGEUSDT"})
    with pytest.raises(ccxt.BadRequest):
        await exchange.public_get_v5_market_kline(
            {"category": "spot", "symbol": "BTCUSDT", "interval": "7"}
        )


async def test_prelaunch_inverse_and_option_are_empty(exchange: Any) -> None:
    for params in (
        {"category": "linear", "status": "PreLaunch"},
        {"category": "inverse"},
        {"category": "option", "baseCoin": "BTC"},
    ):
        response = await exchange.public_get_v5_market_instruments_info(params)
        assert response["retCode"] == "0" or response["retCode"] == 0
        assert response["result"]["list"] == []
