"""Malformed ccxt-shaped exchange messages: a clean value or an ExchangeError, nothing else.

A KeyError or ValueError escaping the translation layer would end a feed task and
leave its stream silently frozen; an ExchangeError makes the feed report and retry.
Valid-looking output must also be sane: finite, positive prices, timestamps a
datetime can show.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from decimal import Decimal as D
from typing import Any

import pytest
from fuzz_settings import fuzz
from hypothesis import given
from hypothesis import strategies as st

from moonai_tui.domain import Bar, OrderBook, Ticker, Trade
from moonai_tui.errors import ExchangeError
from moonai_tui.exchange.market_data import MAX_TS_MS, MarketDataClient

FUZZ = fuzz(150)
SYMBOL = "BTC/USDT:USDT"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["1", "-1", "0", "nan", "inf", "1e400", "42000.5", "", "buy", "sell"]),
)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
good_ts = st.integers(min_value=1_600_000_000_000, max_value=1_800_000_000_000)
good_price = st.floats(min_value=0.01, max_value=1e6)


def maybe_broken(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly-valid fields with junk mixed in, so examples reach deep into the converters."""
    return st.one_of(good, junk)


def ccxt_dict(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """A dict with each field valid, junk or missing, plus sometimes a non-dict instead."""
    optional = st.fixed_dictionaries({}, optional={k: maybe_broken(v) for k, v in fields.items()})
    return st.one_of(optional, optional, junk)


trade_msg = ccxt_dict(
    {
        "id": st.text(min_size=1, max_size=6),
        "timestamp": good_ts,
        "price": good_price,
        "amount": st.floats(min_value=0, max_value=100),
        "side": st.sampled_from(["buy", "sell"]),
    }
)
ticker_msg = ccxt_dict(
    {
        "timestamp": good_ts,
        "last": good_price,
        "bid": good_price,
        "ask": good_price,
        "percentage": st.floats(min_value=-50, max_value=50),
        "high": good_price,
        "low": good_price,
        "baseVolume": st.floats(min_value=0, max_value=1e6),
    }
)
level = st.one_of(st.tuples(good_price, st.floats(min_value=0, max_value=50)), junk)
book_msg = ccxt_dict(
    {"timestamp": good_ts, "bids": st.lists(level, max_size=4), "asks": st.lists(level, max_size=4)}
)
ohlcv_row = st.one_of(
    st.tuples(good_ts, good_price, good_price, good_price, good_price, st.floats(0, 1e6)).map(list),
    st.lists(maybe_broken(good_price), max_size=7),
    junk,
)
market_msg = ccxt_dict(
    {
        "symbol": st.just(SYMBOL),
        "id": st.just("BTCUSDT"),
        "swap": st.booleans(),
        "spot": st.booleans(),
        "base": st.just("BTC"),
        "quote": st.just("USDT"),
        "settle": st.just("USDT"),
        "precision": st.fixed_dictionaries(
            {"price": maybe_broken(good_price), "amount": maybe_broken(good_price)}
        ),
        "limits": st.fixed_dictionaries(
            {"amount": st.fixed_dictionaries({"min": maybe_broken(good_price)})}
        ),
    }
)


class FakeExchange:
    """A ccxt.pro client whose every call answers ``message``."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def answer(*args: Any, **kwargs: Any) -> Any:
            return self.message

        return answer


def call(message: Any, method: str, *args: Any) -> Any:
    """``MarketDataClient.method(*args)`` answered by ``message``; ExchangeError -> None."""
    client = MarketDataClient(FakeExchange(message), lambda: 1_700_000_000_000)
    try:
        return asyncio.run(getattr(client, method)(*args))
    except ExchangeError as exc:
        text = str(exc)
        assert "\n" not in text and len(text) < 400, text
        return None


def sane_ts(ts: int) -> bool:
    return isinstance(ts, int) and 0 <= ts <= MAX_TS_MS


def sane_price(value: float) -> bool:
    return math.isfinite(value) and value > 0


def sane_size(value: float) -> bool:
    return math.isfinite(value) and value >= 0


def sane_bar(bar: Bar) -> bool:
    prices = (bar.open, bar.high, bar.low, bar.close)
    return sane_ts(bar.ts) and all(map(sane_price, prices)) and sane_size(bar.volume)


@FUZZ
@given(st.one_of(st.lists(trade_msg, max_size=5), junk))
def test_trades(message: Any) -> None:
    trades = call(message, "watch_trades", SYMBOL)
    if trades is not None:
        assert all(isinstance(t, Trade) for t in trades)
        assert all(sane_ts(t.ts) and sane_price(t.price) and sane_size(t.amount) for t in trades)


@FUZZ
@given(ticker_msg)
def test_ticker(message: Any) -> None:
    ticker = call(message, "watch_ticker", SYMBOL)
    if ticker is not None:
        assert isinstance(ticker, Ticker) and sane_ts(ticker.ts) and sane_price(ticker.last)
        for value in (ticker.bid, ticker.ask, ticker.change_24h_pct, ticker.volume_24h):
            assert value is None or math.isfinite(value)


@FUZZ
@given(book_msg)
def test_order_book(message: Any) -> None:
    book = call(message, "watch_book", SYMBOL, 50, 50)
    if book is not None:
        assert isinstance(book, OrderBook) and sane_ts(book.ts)
        levels = book.bids + book.asks
        assert all(sane_price(lv.price) and sane_size(lv.size) for lv in levels)


@FUZZ
@given(st.one_of(st.lists(ohlcv_row, max_size=5), junk))
def test_candles_from_stream_and_rest(message: Any) -> None:
    for method, args in (("watch_candles", (SYMBOL, "1m")), ("fetch_candles", (SYMBOL, "1m"))):
        bars = call(message, method, *args)
        if bars is not None:
            assert all(isinstance(b, Bar) and sane_bar(b) for b in bars)


@FUZZ
@given(st.one_of(st.dictionaries(st.text(max_size=4), market_msg, max_size=4), junk))
def test_markets_skip_malformed_entries(message: Any) -> None:
    instruments = call(message, "load_instruments")
    if instruments is not None:
        assert all(i.symbol == SYMBOL and i.market_id == "BTCUSDT" for i in instruments)
        for i in instruments:
            sizes = (i.tick_size, i.lot_size, i.min_qty, i.min_notional or D(0))
            assert all(size.is_finite() and size >= 0 for size in sizes)


@pytest.mark.parametrize(
    ("method", "args", "message", "complaint"),
    [
        ("watch_trades", (SYMBOL,), [{"id": "1", "price": 1.0, "amount": 1.0}], "KeyError"),
        ("watch_trades", (SYMBOL,), [{"timestamp": 1, "price": "nan", "amount": 1}], "finite"),
        ("watch_ticker", (SYMBOL,), {"last": -5}, "not positive"),
        ("watch_ticker", (SYMBOL,), {"last": 1, "timestamp": 10**20}, "out of range"),
        ("watch_book", (SYMBOL, 5, 5), {"bids": [[1.0]], "asks": []}, "ValueError"),
        ("watch_candles", (SYMBOL, "1m"), [[1, 1, 1, 1, 1, -2]], "negative"),
        ("fetch_candles", (SYMBOL, "1m"), None, "TypeError"),
    ],
)
def test_each_malformed_message_names_the_call_and_the_problem(
    method: str, args: tuple[Any, ...], message: Any, complaint: str
) -> None:
    client = MarketDataClient(FakeExchange(message), lambda: 1_700_000_000_000)
    with pytest.raises(ExchangeError) as info:
        asyncio.run(getattr(client, method)(*args))
    text = str(info.value)
    assert "malformed message from the exchange" in text and complaint in text, text
    assert text.startswith(method.replace("watch_book", "watch_order_book").split("_c")[0])


def test_one_malformed_market_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    good = {"symbol": SYMBOL, "id": "BTCUSDT", "swap": True, "base": "BTC", "quote": "USDT"}
    bad = {"symbol": "ETH/USDT:USDT", "id": "ETHUSDT", "swap": True, "precision": {"price": "x"}}
    instruments = call({"a": good, "b": bad}, "load_instruments")
    assert [i.symbol for i in instruments] == [SYMBOL]
    assert "skipped malformed market 'ETHUSDT'" in caplog.text
