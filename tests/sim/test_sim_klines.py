"""Candles on the looping timeline: klines, finer-than-native bars, the forming bar, 24h stats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sim_data import BTC_1M, ETH_1H, candles

from moonai_tui.sim.candles import DAY_MS, CandleSeries
from moonai_tui.sim.klines import forming_kline, query_klines, stats_24h
from moonai_tui.sim.model_feed import ModelFeed

MINUTE = 60_000
HOUR = 3_600_000
FIRST = 1_709_251_200_000  # 2024-03-01 00:00 UTC
PERIOD = 28 * DAY_MS


@pytest.fixture(scope="module")
def btc_frame() -> pd.DataFrame:
    return candles(BTC_1M)


@pytest.fixture(scope="module")
def btc() -> ModelFeed:
    return ModelFeed("BTCUSDT", CandleSeries.from_csv("BTCUSDT", BTC_1M), seed=7, floor_ms=FIRST)


@pytest.fixture(scope="module")
def eth() -> ModelFeed:
    return ModelFeed("ETHUSDT", CandleSeries.from_csv("ETHUSDT", ETH_1H), seed=7, floor_ms=FIRST)


def as_frame(rows: object, feed: ModelFeed) -> pd.DataFrame:
    p, v = 10.0**feed.price_decimals, 10.0**feed.volume_decimals
    return pd.DataFrame(
        {
            "timestamp_ms": rows.start,  # type: ignore[attr-defined]
            "open": rows.open / p,  # type: ignore[attr-defined]
            "high": rows.high / p,  # type: ignore[attr-defined]
            "low": rows.low / p,  # type: ignore[attr-defined]
            "close": rows.close / p,  # type: ignore[attr-defined]
            "volume": rows.volume / v,  # type: ignore[attr-defined]
        }
    )


def test_native_klines_are_the_file_rows(btc: ModelFeed, btc_frame: pd.DataFrame) -> None:
    now = FIRST + 10 * DAY_MS
    rows = query_klines(btc, MINUTE, FIRST + 500 * MINUTE, None, 1000, now)
    expected = btc_frame.iloc[500:1500].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        as_frame(rows, btc), expected, check_dtype=False, rtol=0, atol=1e-9
    )


def test_coarser_klines_aggregate_the_real_candles(btc: ModelFeed, btc_frame: pd.DataFrame) -> None:
    now = FIRST + 10 * DAY_MS
    rows = query_klines(btc, 15 * MINUTE, FIRST, None, 200, now)
    frame = btc_frame.assign(bin=btc_frame.timestamp_ms // (15 * MINUTE) * 15 * MINUTE)
    expected = (
        frame.groupby("bin")
        .agg(open=("open", "first"), high=("high", "max"), low=("low", "min"),
             close=("close", "last"), volume=("volume", "sum"))
        .reset_index()
        .rename(columns={"bin": "timestamp_ms"})
        .iloc[:200]
    )  # fmt: skip
    pd.testing.assert_frame_equal(as_frame(rows, btc), expected, check_dtype=False, rtol=1e-12)


def test_klines_finer_than_the_data_add_up_to_the_real_hour(eth: ModelFeed) -> None:
    frame = candles(ETH_1H)
    now = FIRST + 3 * DAY_MS
    minutes = as_frame(query_klines(eth, MINUTE, FIRST + 5 * HOUR, None, 180, now), eth)
    assert list(minutes.timestamp_ms) == [FIRST + 5 * HOUR + i * MINUTE for i in range(180)]
    hours = minutes.assign(hour=minutes.timestamp_ms // HOUR * HOUR).groupby("hour")
    for (hour, group), (_, real) in zip(hours, frame.iloc[5:8].iterrows(), strict=True):
        assert hour == real.timestamp_ms
        assert group.open.iloc[0] == real.open and group.close.iloc[-1] == real.close
        assert group.high.max() == real.high and group.low.min() == real.low
        assert group.volume.sum() == pytest.approx(real.volume, rel=1e-12)


def test_the_forming_bar_is_the_real_candle_cut_at_now(
    btc: ModelFeed, btc_frame: pd.DataFrame
) -> None:
    start = FIRST + 777 * MINUTE
    real = btc_frame.iloc[777]
    partial = as_frame(forming_kline(btc, MINUTE, start + 25_000), btc).iloc[0]
    price, _ = btc.price_at(start + 25_000)
    assert partial.open == real.open and partial.close == price / 100
    assert real.low <= partial.low <= partial.high <= real.high
    assert partial.volume <= real.volume
    done = as_frame(forming_kline(btc, MINUTE, start + MINUTE - 1), btc).iloc[0]
    assert list(done[["open", "high", "low", "close"]]) == list(
        real[["open", "high", "low", "close"]]
    )
    assert done.volume == pytest.approx(real.volume)


def test_timeline_loops_forward_by_the_data_span(btc: ModelFeed, btc_frame: pd.DataFrame) -> None:
    later = FIRST + PERIOD + 42 * MINUTE + 5_000
    row, shift, inside = btc.series.locate(later)
    assert (row, shift, inside) == (42, PERIOD, True)
    assert btc.price_at(later) == btc.price_at(later - PERIOD)
    # Across the data end the klines keep going forward in time, one bar per minute.
    now = FIRST + PERIOD + 30 * MINUTE
    rows = query_klines(btc, MINUTE, FIRST + PERIOD - 10 * MINUTE, None, 40, now)
    assert np.array_equal(np.diff(rows.start), np.full(len(rows) - 1, MINUTE))
    assert len(rows) == 41 - 1  # 10 old + 30 new closed + forming, limited to 40
    assert rows.open[10] / 100 == btc_frame.open.iloc[0]  # the loop starts over with real data


def test_nothing_is_served_before_the_data_starts(btc: ModelFeed) -> None:
    rows = query_klines(btc, MINUTE, FIRST - 100 * MINUTE, None, 50, FIRST + 10 * MINUTE)
    assert rows.start[0] == FIRST and len(rows) == 11
    assert len(btc.trades(FIRST - HOUR, FIRST - 1, 100)) == 0


def test_24h_stats_match_an_independent_computation(
    btc: ModelFeed, btc_frame: pd.DataFrame
) -> None:
    now = FIRST + 3 * DAY_MS + 17 * MINUTE + 30_000  # 30 s into a minute
    stats = stats_24h(btc, now)
    window = btc_frame[
        (btc_frame.timestamp_ms >= now - DAY_MS) & (btc_frame.timestamp_ms < now - 30_000)
    ]
    forming = forming_kline(btc, MINUTE, now)
    assert stats.volume == round(window.volume.sum() * 10**btc.volume_decimals) + forming.volume[0]
    assert stats.high == max(round(window.high.max() * 100), forming.high[0])
    assert stats.low == min(round(window.low.min() * 100), forming.low[0])
    assert stats.last == btc.price_at(now)[0]
    assert stats.prev_24h == btc.price_at(now - DAY_MS)[0]
