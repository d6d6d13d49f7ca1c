"""The downloader against a ByBit-like fake: gaps only, paging, forming bar, retries."""

from __future__ import annotations

import ccxt
import pytest
from market_helpers import MINUTE, T0, FakeBybit, make_bars

from moonai_tui.domain import Bar
from moonai_tui.errors import DataError, ExchangeError, TemporaryError
from moonai_tui.market.download import download_candles
from moonai_tui.store import Store

SYMBOL = "BTC/USDT:USDT"
NO_WAIT = (0.0, 0.0, 0.0)


def exchange_with(closed_count: int) -> tuple[FakeBybit, list[Bar], Bar]:
    bars = make_bars(closed_count + 1)
    return FakeBybit(bars[:-1], forming=bars[-1]), bars[:-1], bars[-1]


async def test_download_pages_through_more_than_one_page(store: Store) -> None:
    exchange, closed, forming = exchange_with(2_500)

    report = await download_candles(
        exchange, store, SYMBOL, "1m", T0, T0 + 10_000 * MINUTE, page_limit=1_000
    )

    assert await store.load_candles(SYMBOL, "1m") == closed
    assert (report.fetched, report.stored, report.requests) == (2_500, 2_500, 3)
    assert (report.gaps, report.gaps_filled, report.gaps_left) == (1, 1, 0)
    assert (report.first_ms, report.last_ms) == (closed[0].ts, closed[-1].ts)
    assert report.latest_ms == forming.ts
    assert report.until_ms == forming.ts
    # Every page names both ends of its window and asks for at most one page.
    assert exchange.calls[1:] == [
        (T0, 1_000, T0 + 1_000 * MINUTE - 1),
        (T0 + 1_000 * MINUTE, 1_000, T0 + 2_000 * MINUTE - 1),
        (T0 + 2_000 * MINUTE, 500, T0 + 2_500 * MINUTE - 1),
    ]


async def test_download_never_stores_the_forming_bar(store: Store) -> None:
    exchange, closed, forming = exchange_with(10)

    await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + 60 * MINUTE)

    stored = await store.load_candles(SYMBOL, "1m")
    assert stored[-1] == closed[-1]
    assert forming not in stored


async def test_download_twice_second_run_fetches_nothing(store: Store) -> None:
    exchange, _closed, _forming = exchange_with(1_200)
    await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + 2_000 * MINUTE)
    exchange.calls.clear()

    again = await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + 2_000 * MINUTE)

    assert (again.gaps, again.requests, again.fetched, again.stored) == (0, 0, 0, 0)
    assert again.up_to_date
    assert len(exchange.calls) == 1  # only the probe for the newest bar
    assert await store.candle_count(SYMBOL, "1m") == 1_200


async def test_download_requests_only_the_gaps(store: Store) -> None:
    exchange, closed, _forming = exchange_with(100)
    await store.upsert_candles(SYMBOL, "1m", closed[10:40])
    await store.upsert_candles(SYMBOL, "1m", closed[60:90])

    report = await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + 100 * MINUTE)

    windows = [(since, limit) for since, limit, _until in exchange.calls[1:]]
    assert windows == [(T0, 10), (T0 + 40 * MINUTE, 20), (T0 + 90 * MINUTE, 10)]
    assert (report.gaps, report.fetched, report.stored) == (3, 40, 40)
    assert await store.load_candles(SYMBOL, "1m") == closed


async def test_download_range_in_the_past_stops_at_until(store: Store) -> None:
    exchange, closed, _forming = exchange_with(100)

    report = await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + 30 * MINUTE)

    assert await store.load_candles(SYMBOL, "1m") == closed[:30]
    assert report.until_ms == T0 + 30 * MINUTE


async def test_download_exchange_outage_is_reported_not_refetched_forever(store: Store) -> None:
    bars = make_bars(51)
    exchange = FakeBybit([*bars[:20], *bars[25:50]], forming=bars[50])

    first = await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + 50 * MINUTE)
    second = await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + 50 * MINUTE)

    assert (first.fetched, first.gaps_filled, first.gaps_left) == (45, 0, 1)
    assert (second.gaps, second.fetched, second.stored, second.gaps_left) == (1, 0, 0, 1)
    assert await store.missing_ranges(SYMBOL, "1m", T0, T0 + 50 * MINUTE) == [
        (bars[20].ts, bars[25].ts)
    ]


async def test_download_reports_progress_up_to_total(store: Store) -> None:
    exchange, _closed, _forming = exchange_with(2_345)
    seen: list[tuple[int, int]] = []

    await download_candles(
        exchange, store, SYMBOL, "1m", T0, T0 + 5_000 * MINUTE, lambda d, t: seen.append((d, t))
    )

    assert seen == [(0, 2_345), (1_000, 2_345), (2_000, 2_345), (2_345, 2_345)]


async def test_download_retries_network_errors_then_succeeds(store: Store) -> None:
    bars = make_bars(11)
    failures: list[Exception] = [ccxt.RequestTimeout("timed out"), ccxt.NetworkError("reset")]
    exchange = FakeBybit(bars[:10], forming=bars[10], failures=failures)

    report = await download_candles(
        exchange, store, SYMBOL, "1m", T0, T0 + 20 * MINUTE, retry_delays=NO_WAIT
    )

    assert report.fetched == 10
    assert len(exchange.calls) == 4  # probe: 2 failures + success; one page


async def test_download_gives_up_after_retries_with_temporary_error(store: Store) -> None:
    bars = make_bars(11)
    failures: list[Exception] = [ccxt.ExchangeNotAvailable("down")] * 4
    exchange = FakeBybit(bars[:10], forming=bars[10], failures=failures)

    with pytest.raises(TemporaryError, match="gave up after 4 attempts") as caught:
        await download_candles(
            exchange, store, SYMBOL, "1m", T0, T0 + 20 * MINUTE, retry_delays=NO_WAIT
        )

    assert "BTC/USDT:USDT 1m" in str(caught.value)
    assert len(exchange.calls) == 4


async def test_download_exchange_padding_pages_stores_only_window_bars(store: Store) -> None:
    bars = make_bars(31)
    exchange = FakeBybit(bars[:30], forming=bars[30], pad=True)
    await store.upsert_candles(SYMBOL, "1m", [bars[10]])

    report = await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + 60 * MINUTE)

    assert await store.load_candles(SYMBOL, "1m") == bars[:30]
    assert (report.fetched, report.stored) == (29, 29)


@pytest.mark.parametrize(
    "refusal",
    [
        ccxt.BadSymbol("bybit does not have market"),
        ccxt.AuthenticationError("bybit does not have market: bad key"),
        ccxt.BaseError("bybit does not have market (odd)"),
    ],
)
async def test_download_exchange_refusal_is_not_retried(store: Store, refusal: Exception) -> None:
    exchange = FakeBybit([], forming=None, failures=[refusal])

    with pytest.raises(ExchangeError, match="does not have market") as caught:
        await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + MINUTE, retry_delays=NO_WAIT)

    assert not isinstance(caught.value, TemporaryError)
    assert len(exchange.calls) == 1


async def test_download_symbol_without_candles_raises(store: Store) -> None:
    exchange = FakeBybit([], forming=None)
    with pytest.raises(ExchangeError, match="no candles"):
        await download_candles(exchange, store, SYMBOL, "1m", T0, T0 + MINUTE)


async def test_download_empty_range_raises(store: Store) -> None:
    exchange, _closed, _forming = exchange_with(5)
    with pytest.raises(DataError, match="range is empty"):
        await download_candles(exchange, store, SYMBOL, "1m", T0, T0)
