"""The generated intra-candle market: anchors, range, volume, tick rule, determinism."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from sim_data import BTC_1M, ETH_1H

from moonai_tui.sim.candles import CandleSeries
from moonai_tui.sim.model_feed import ModelFeed
from moonai_tui.sim.path import candle_rng, generate_path

ROWS = range(0, 40_320, 97)  # a spread of real 1m candles across the four weeks


@pytest.fixture(scope="module")
def btc() -> ModelFeed:
    return ModelFeed("BTCUSDT", CandleSeries.from_csv("BTCUSDT", BTC_1M), seed=7, floor_ms=0)


@pytest.fixture(scope="module")
def eth() -> ModelFeed:
    return ModelFeed("ETHUSDT", CandleSeries.from_csv("ETHUSDT", ETH_1H), seed=7, floor_ms=0)


def test_path_touches_open_high_low_close_exactly_and_stays_in_range(
    btc: ModelFeed, eth: ModelFeed
) -> None:
    for feed, rows in ((btc, ROWS), (eth, range(len(eth.series.ts)))):
        s = feed.series
        for row in rows:
            prices = feed.path(row).prices
            assert prices[0] == s.open[row] and prices[-1] == s.close[row]
            assert prices.max() == s.high[row] and prices.min() == s.low[row]
            assert ((prices >= s.low[row]) & (prices <= s.high[row])).all()


def test_trade_sizes_sum_exactly_to_the_real_candle_volume(btc: ModelFeed, eth: ModelFeed) -> None:
    for feed, path, rows in ((btc, BTC_1M, ROWS), (eth, ETH_1H, range(0, 672, 7))):
        raw = [line.split(",")[5] for line in _lines(path)]
        for row in rows:
            sizes = feed.path(row).sizes
            total = (
                sum(Decimal(int(v)) for v in sizes.tolist()) / Decimal(10) ** feed.volume_decimals
            )
            assert total == Decimal(raw[row]), row


def _lines(path: object) -> list[str]:
    import gzip

    with gzip.open(str(path), "rt") as fh:
        return fh.read().splitlines()[1:]


def test_trade_sides_follow_the_tick_rule(btc: ModelFeed) -> None:
    checked = 0
    for row in ROWS:
        path = btc.path(row)
        traded = np.flatnonzero(path.sizes)
        prices, buys = path.prices[traded], path.buys[traded]
        for i in range(1, len(traded)):
            if prices[i] > prices[i - 1]:
                assert buys[i], (row, i)
                checked += 1
            elif prices[i] < prices[i - 1]:
                assert not buys[i], (row, i)
                checked += 1
            else:
                assert buys[i] == buys[i - 1]  # zero tick repeats the side
    assert checked > 1_000


def test_trades_include_the_anchors_so_trades_rebuild_the_candle(btc: ModelFeed) -> None:
    s = btc.series
    for row in ROWS:
        path = btc.path(row)
        traded = path.prices[path.sizes > 0]
        if s.volume[row] < 4:
            continue
        assert (traded[0], traded.max(), traded.min(), traded[-1]) == (
            s.open[row],
            s.high[row],
            s.low[row],
            s.close[row],
        )


def test_path_is_deterministic_for_a_seed_and_changes_with_it() -> None:
    args = ((6_113_099, 6_119_766, 6_112_600, 6_119_600), 121_022_080, 6_113_099, 60, 1_000)
    first = generate_path(*args, candle_rng(7, "BTCUSDT", 0))
    again = generate_path(*args, candle_rng(7, "BTCUSDT", 0))
    other = generate_path(*args, candle_rng(8, "BTCUSDT", 0))
    for name in ("prices", "sizes", "buys"):
        assert np.array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.prices, other.prices)
    assert not np.array_equal(first.sizes, other.sizes)


def test_model_feed_trades_are_the_path_trades_in_time_order(btc: ModelFeed) -> None:
    start = int(btc.series.ts[100])
    trades = btc.trades(start - 1, start + 3 * 60_000 - 1, 10_000)
    assert (np.diff(trades.ts) > 0).all()
    assert trades.size.sum() == btc.series.volume[100:103].sum()
    assert len(set(trades.key.tolist())) == len(trades)
