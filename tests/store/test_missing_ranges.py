"""missing_ranges on small series worked out by hand (times in minutes for readability)."""

from __future__ import annotations

import pytest
from store_helpers import MINUTE, bar, minute_bars

from moonai_tui.errors import DataError
from moonai_tui.store import Store

SYMBOL = "BTC/USDT:USDT"


def minutes(ranges: list[tuple[int, int]]) -> list[tuple[float, float]]:
    return [(start / MINUTE, end / MINUTE) for start, end in ranges]


async def test_empty_store_whole_range_missing(store: Store) -> None:
    gaps = await store.missing_ranges(SYMBOL, "1m", 0, 10 * MINUTE)
    assert minutes(gaps) == [(0, 10)]


async def test_complete_series_nothing_missing(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(*range(10)))
    assert await store.missing_ranges(SYMBOL, "1m", 0, 10 * MINUTE) == []


async def test_gaps_at_start_middle_and_end(store: Store) -> None:
    # stored: 2 3 4 | 7 | 9 10  in the range [0, 14)
    await store.upsert_candles(SYMBOL, "1m", minute_bars(2, 3, 4, 7, 9, 10))

    gaps = await store.missing_ranges(SYMBOL, "1m", 0, 14 * MINUTE)

    assert minutes(gaps) == [(0, 2), (5, 7), (8, 9), (11, 14)]


async def test_bars_outside_range_are_ignored(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(0, 1, 5, 20))

    gaps = await store.missing_ranges(SYMBOL, "1m", 3 * MINUTE, 8 * MINUTE)

    assert minutes(gaps) == [(3, 5), (6, 8)]


async def test_unaligned_bounds_round_to_bar_open_times(store: Store) -> None:
    # [2.5, 6.2) holds the open times 3, 4, 5, 6; 4 is stored.
    await store.upsert_candles(SYMBOL, "1m", minute_bars(4))

    gaps = await store.missing_ranges(SYMBOL, "1m", int(2.5 * MINUTE), int(6.2 * MINUTE))

    assert minutes(gaps) == [(3, 4), (5, 7)]


async def test_until_is_exclusive_of_a_bar_opening_exactly_there(store: Store) -> None:
    gaps = await store.missing_ranges(SYMBOL, "1m", 0, 3 * MINUTE)
    assert minutes(gaps) == [(0, 3)]


async def test_range_with_no_open_time_is_empty(store: Store) -> None:
    assert await store.missing_ranges(SYMBOL, "1m", MINUTE + 1, 2 * MINUTE) == []
    assert await store.missing_ranges(SYMBOL, "1m", 5 * MINUTE, 5 * MINUTE) == []


async def test_other_timeframes_and_symbols_do_not_fill_gaps(store: Store) -> None:
    await store.upsert_candles(SYMBOL, "1m", minute_bars(0, 1, 2, 3, 4, 5))
    await store.upsert_candles("ETH/USDT:USDT", "5m", [bar(5 * MINUTE)])

    gaps = await store.missing_ranges("ETH/USDT:USDT", "5m", 0, 20 * MINUTE)

    assert minutes(gaps) == [(0, 5), (10, 20)]


async def test_hourly_series_gaps_in_hours(store: Store) -> None:
    hour = 60 * MINUTE
    await store.upsert_candles(SYMBOL, "1h", [bar(h * hour) for h in (0, 1, 4)])

    gaps = await store.missing_ranges(SYMBOL, "1h", 0, 6 * hour)

    assert gaps == [(2 * hour, 4 * hour), (5 * hour, 6 * hour)]


async def test_unknown_timeframe_raises(store: Store) -> None:
    with pytest.raises(DataError, match="unknown timeframe"):
        await store.missing_ranges(SYMBOL, "2m", 0, MINUTE)
