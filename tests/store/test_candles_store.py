"""Candle upsert, load and count."""

from __future__ import annotations

import dataclasses
import time

import pytest
from store_helpers import MINUTE, bar, minute_bars

from moonai_tui.errors import DataError
from moonai_tui.store import Store

SYMBOL = "BTC/USDT:USDT"


async def test_upsert_same_bars_twice_second_call_returns_zero(store: Store) -> None:
    bars = minute_bars(*range(50))

    first = await store.upsert_candles(SYMBOL, "1m", bars)
    second = await store.upsert_candles(SYMBOL, "1m", bars)

    assert (first, second) == (50, 0)
    assert await store.candle_count(SYMBOL, "1m") == 50
    assert await store.load_candles(SYMBOL, "1m") == bars


async def test_upsert_changed_values_counts_and_overwrites_only_those(store: Store) -> None:
    bars = minute_bars(*range(10))
    await store.upsert_candles(SYMBOL, "1m", bars)
    changed = [
        dataclasses.replace(bars[3], close=bars[3].close + 0.5, high=bars[3].high + 0.5),
        dataclasses.replace(bars[7], volume=99.0),
    ]
    unchanged = [bars[0], bars[9]]
    new = minute_bars(10)

    written = await store.upsert_candles(SYMBOL, "1m", [*unchanged, *changed, *new])

    assert written == 3
    stored = await store.load_candles(SYMBOL, "1m")
    assert len(stored) == 11
    assert stored[3] == changed[0]
    assert stored[7] == changed[1]
    assert stored[10] == new[0]


async def test_upsert_keeps_symbols_and_timeframes_apart(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(0, 1, 2))
    await store.upsert_candles("BTC/USDT", "1m", minute_bars(0))
    await store.upsert_candles(SYMBOL, "5m", [bar(0), bar(5 * MINUTE)])

    assert await store.candle_count(SYMBOL, "1m") == 3
    assert await store.candle_count("BTC/USDT", "1m") == 1
    assert await store.candle_count(SYMBOL, "5m") == 2
    assert await store.candle_count("ETH/USDT", "1m") == 0


async def test_upsert_misaligned_bar_raises_and_stores_nothing(store: Store) -> None:
    bars = [*minute_bars(0, 1), bar(2 * MINUTE + 1)]

    with pytest.raises(DataError, match="120001"):
        await store.upsert_candles(SYMBOL, "1m", bars)

    assert await store.candle_count(SYMBOL, "1m") == 0


async def test_upsert_unknown_timeframe_raises(store: Store) -> None:
    with pytest.raises(DataError, match="unknown timeframe '7m'"):
        await store.upsert_candles(SYMBOL, "7m", minute_bars(0))


async def test_upsert_empty_sequence_returns_zero(store: Store) -> None:
    assert await store.upsert_candles(SYMBOL, "1m", []) == 0


async def test_load_candles_returns_ascending_whatever_the_insert_order(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(5, 1, 9))
    await store.upsert_candles(SYMBOL, "1m", minute_bars(0, 7))

    loaded = await store.load_candles(SYMBOL, "1m")

    assert [b.ts // MINUTE for b in loaded] == [0, 1, 5, 7, 9]


async def test_load_candles_limit_without_since_gives_most_recent(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(*range(10)))

    loaded = await store.load_candles(SYMBOL, "1m", limit=3)

    assert [b.ts // MINUTE for b in loaded] == [7, 8, 9]


async def test_load_candles_limit_with_since_gives_first_from_since(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(*range(10)))

    loaded = await store.load_candles(SYMBOL, "1m", since_ms=4 * MINUTE, limit=3)

    assert [b.ts // MINUTE for b in loaded] == [4, 5, 6]


async def test_load_candles_since_inclusive_until_exclusive(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(*range(10)))

    loaded = await store.load_candles(SYMBOL, "1m", since_ms=2 * MINUTE, until_ms=5 * MINUTE)

    assert [b.ts // MINUTE for b in loaded] == [2, 3, 4]


async def test_load_candles_until_and_limit_gives_most_recent_before_until(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(*range(10)))

    loaded = await store.load_candles(SYMBOL, "1m", until_ms=6 * MINUTE, limit=2)

    assert [b.ts // MINUTE for b in loaded] == [4, 5]


async def test_load_candles_unknown_series_is_empty(store: Store) -> None:
    assert await store.load_candles("ETH/USDT", "1m", limit=10) == []


async def test_upsert_records_source_of_last_write(store: Store) -> None:
    # The source is not part of the public read API; read it back through SQL.
    from sqlalchemy import text

    bars = minute_bars(0, 1)
    await store.upsert_candles(SYMBOL, "1m", bars, source="import:a.csv")
    await store.upsert_candles(SYMBOL, "1m", [dataclasses.replace(bars[1], volume=7.0)])

    async with store._database.sessions() as session:
        rows = (await session.execute(text("SELECT ts, source FROM candles ORDER BY ts"))).all()
    assert [tuple(row) for row in rows] == [(0, "import:a.csv"), (MINUTE, "exchange")]


async def test_upsert_half_a_million_bars_in_one_call(store: Store) -> None:
    # A year of 1m bars is the size of the shipped data files; it must go in one
    # call (batched under the driver's limits) and re-sending it must write nothing.
    bars = [bar(i * MINUTE, close=100.0 + i % 1_000) for i in range(500_000)]
    started = time.perf_counter()

    inserted = await store.upsert_candles(SYMBOL, "1m", bars)
    again = await store.upsert_candles(SYMBOL, "1m", bars)

    elapsed = time.perf_counter() - started
    assert (inserted, again) == (500_000, 0)
    assert await store.candle_count(SYMBOL, "1m") == 500_000
    assert await store.missing_ranges(SYMBOL, "1m", 0, 500_000 * MINUTE) == []
    assert elapsed < 60, f"two upserts of 500k bars took {elapsed:.1f}s"
