"""Indicators against the naive second implementation, on random walks and real candles."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import indicator_reference as ref
import numpy as np
import pandas as pd
import pytest

import moonai_tui
from moonai_tui import indicators as ind

TOL = 1e-9
DEMO = Path(moonai_tui.__file__).parent / "data" / "demo"
ETH_1H = DEMO / "binance_spot_ETHUSDT_1h_2024-03-01_2024-03-28.csv.gz"
BTC_1M = DEMO / "binance_spot_BTCUSDT_1m_2024-03-01_2024-03-28.csv.gz"


def assert_matches(actual: np.ndarray, expected: list[float], tol: float = TOL) -> None:
    """NaN exactly where the reference has NaN (same warm-up), else within ``tol``."""
    expected_array = np.array(expected, dtype=np.float64)
    assert actual.shape == expected_array.shape
    missing = np.isnan(expected_array)
    np.testing.assert_array_equal(np.isnan(actual), missing, err_msg="warm-up/NaN mask")
    if (~missing).any():
        worst = float(np.max(np.abs(actual[~missing] - expected_array[~missing])))
        assert worst <= tol, f"max |diff| {worst:.3e} > {tol:.0e}"


def candles(level: float, bars: int, seed: int) -> dict[str, np.ndarray]:
    """A random-walk OHLCV series around ``level`` (fixed seed)."""
    rng = np.random.default_rng(seed)
    close = level * np.exp(np.cumsum(rng.normal(0.0, 0.002, bars)))
    spread = close * rng.uniform(0.0, 0.003, bars)
    return {
        "high": close + spread * rng.uniform(0.0, 1.0, bars),
        "low": close - spread * rng.uniform(0.0, 1.0, bars),
        "close": close,
        "volume": rng.exponential(3.0, bars) * (rng.uniform(size=bars) > 0.1),
    }


Check = Callable[[dict[str, np.ndarray]], None]


def check_all(bars: dict[str, np.ndarray], periods: tuple[int, ...]) -> None:
    h, lo, c, v = bars["high"], bars["low"], bars["close"], bars["volume"]
    hl, ll, cl, vl = h.tolist(), lo.tolist(), c.tolist(), v.tolist()
    for n in periods:
        assert_matches(ind.sma(c, n), ref.sma(cl, n))
        assert_matches(ind.ema(c, n), ref.ema(cl, n))
        assert_matches(ind.rsi(c, n), ref.rsi(cl, n))
        assert_matches(ind.atr(h, lo, c, n), ref.atr(hl, ll, cl, n))
        for ours, theirs in zip(ind.bollinger(c, n, 2.5), ref.bollinger(cl, n, 2.5), strict=True):
            assert_matches(ours, theirs)
        for ours, theirs in zip(ind.donchian(h, lo, n), ref.donchian(hl, ll, n), strict=True):
            assert_matches(ours, theirs, tol=0.0)
        assert_matches(ind.vwap(h, lo, c, v, n), ref.vwap(hl, ll, cl, vl, n))
        assert_matches(ind.zscore(c, n), ref.zscore(cl, n))
        if n >= 2:
            assert_matches(ind.rolling_volatility(c, n), ref.rolling_volatility(cl, n), tol=1e-12)
    assert_matches(ind.vwap(h, lo, c, v), ref.vwap(hl, ll, cl, vl, None))
    for fast, slow, signal in ((12, 26, 9), (5, 35, 5), (3, 3, 1)):
        got = ind.macd(c, fast, slow, signal)
        for ours, theirs in zip(got, ref.macd(cl, fast, slow, signal), strict=True):
            assert_matches(ours, theirs)


@pytest.mark.parametrize(("level", "seed"), [(60_000.0, 1), (1.0, 2), (0.000_012, 3)])
def test_every_indicator_matches_the_reference_on_a_random_walk(level: float, seed: int) -> None:
    # BTC-like, unit and sub-cent price levels; periods from degenerate (1) to long.
    check_all(candles(level, 600, seed), periods=(1, 2, 3, 14, 20, 50))


def test_every_indicator_matches_the_reference_on_real_eth_hourly_candles() -> None:
    frame = pd.read_csv(ETH_1H)
    bars = {name: frame[name].to_numpy(dtype=np.float64) for name in frame.columns[1:]}
    check_all(bars, periods=(14, 20))


def test_pandas_series_from_real_btc_minutes_give_the_reference_values() -> None:
    # Series straight from the CSV (pandas hands out read-only views) -> numpy results.
    frame = pd.read_csv(BTC_1M, nrows=3_000)
    close = frame["close"]
    result = ind.rsi(close, 14)
    assert type(result) is np.ndarray
    assert_matches(result, ref.rsi(close.tolist(), 14))
    assert_matches(ind.ema(close, 50), ref.ema(close.tolist(), 50))
    atr = ind.atr(frame["high"], frame["low"], close, 14)
    assert_matches(atr, ref.atr(frame["high"].tolist(), frame["low"].tolist(), close.tolist(), 14))


def test_sma_and_bands_do_not_drift_over_a_million_bars() -> None:
    # A running sum over 1M prices near 60k accumulates ~1e-9 of rounding (TA-Lib's SMA
    # drifts that much); the periodic exact recompute keeps the error at one window's worth.
    rng = np.random.default_rng(7)
    close = 60_000.0 + np.cumsum(rng.normal(0.0, 10.0, 1_000_000))
    mean = ind.sma(close, 20)
    middle, upper, _ = ind.bollinger(close, 20, 2.0)
    for i in rng.integers(19, close.size, 300).tolist() + list(range(close.size - 50, close.size)):
        window = close[i - 19 : i + 1].tolist()
        exact = math.fsum(window) / 20
        assert abs(mean[i] - exact) <= 1e-10
        assert abs(upper[i] - (exact + 2 * float(np.std(window)))) <= 1e-9
    assert np.array_equal(mean, middle, equal_nan=True)
