"""Indicators on a handful of numbers, each golden value worked out by hand below."""

from __future__ import annotations

import math

import numpy as np
from numpy.testing import assert_allclose

from moonai_tui.indicators import (
    atr,
    bollinger,
    donchian,
    ema,
    macd,
    rolling_volatility,
    rsi,
    sma,
    vwap,
    zscore,
)

NAN = math.nan


def same(actual: np.ndarray, expected: list[float]) -> None:
    """Equal to 1e-12 with NaN in exactly the expected places."""
    assert_allclose(actual, np.array(expected), rtol=0, atol=1e-12, equal_nan=True)


def test_sma_of_five_numbers_averages_each_window_of_three() -> None:
    # (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+5)/3 = 4; the first n-1 = 2 are warm-up.
    same(sma([1, 2, 3, 4, 5], 3), [NAN, NAN, 2, 3, 4])


def test_ema_is_seeded_with_the_sma_then_moves_half_way_for_n3() -> None:
    # k = 2/(3+1) = 0.5. Seed on bar 2 = (2+4+6)/3 = 4; bar 3: 4 + 0.5*(8-4) = 6;
    # bar 4: 6 + 0.5*(4-6) = 5.
    same(ema([2, 4, 6, 8, 4], 3), [NAN, NAN, 4, 6, 5])


def test_rsi_uses_plain_means_then_wilder_smoothing() -> None:
    # Changes: +1, -0.5, +1, -0.5, +1; n = 3.
    # Bar 3 (first 3 changes): gain = 2/3, loss = 0.5/3 = 1/6 -> 100 * (2/3)/(5/6) = 80.
    # Bar 4 (-0.5): gain = (2/3*2 + 0)/3 = 4/9, loss = (1/6*2 + 0.5)/3 = 5/18
    #   -> 100 * (8/18)/(13/18) = 800/13.
    # Bar 5 (+1): gain = (4/9*2 + 1)/3 = 17/27, loss = (5/18*2)/3 = 5/27 -> 100 * 17/22.
    same(rsi([10, 11, 10.5, 11.5, 11, 12], 3), [NAN, NAN, NAN, 80, 800 / 13, 1700 / 22])


def test_rsi_is_100_when_only_rising_and_0_when_flat() -> None:
    rising = rsi(np.arange(1.0, 8.0), 3)
    same(rising, [NAN, NAN, NAN, 100, 100, 100, 100])
    # Nothing moved: gain + loss = 0, TA-Lib writes 0.
    same(rsi(np.full(6, 5.0), 3), [NAN, NAN, NAN, 0, 0, 0])


def test_macd_seeds_the_fast_ema_from_the_bars_ending_at_slow_minus_one() -> None:
    # x = 1, 2, 4, 7, 11, 16; fast 2 (k=2/3), slow 3 (k=1/2), signal 2 (k=2/3).
    # Bar 2: slow = (1+2+4)/3 = 7/3; fast = (2+4)/2 = 3 (bars 1..2, TA-Lib's alignment;
    #   seeding from bars 0..1 would give 3.1667); line = 2/3.
    # Bar 3: fast = 3 + (7-3)*2/3 = 17/3; slow = 7/3 + (7-7/3)/2 = 14/3; line = 1.
    #   signal = (2/3 + 1)/2 = 5/6; hist = 1/6. First output: bar slow+signal-2 = 3.
    # Bar 4: fast = 17/3 + (11-17/3)*2/3 = 83/9; slow = 14/3 + (11-14/3)/2 = 47/6;
    #   line = 83/9 - 47/6 = 25/18; signal = 5/6 + (25/18 - 5/6)*2/3 = 65/54;
    #   hist = 25/18 - 65/54 = 5/27.
    line, signal, hist = macd([1, 2, 4, 7, 11, 16], 2, 3, 2)
    same(line[:5], [NAN, NAN, NAN, 1, 25 / 18])
    same(signal[:5], [NAN, NAN, NAN, 5 / 6, 65 / 54])
    same(hist[:5], [NAN, NAN, NAN, 1 / 6, 5 / 27])


def test_bollinger_uses_the_population_std() -> None:
    # Bar 2: window 1,2,3: mean 2, variance (1+0+1)/3 = 2/3 (ddof=0).
    # Bar 4: window 3,4,8: mean 5, deviations -2,-1,3 -> variance (4+1+9)/3 = 14/3.
    middle, upper, lower = bollinger([1, 2, 3, 4, 8], 3, 2.0)
    same(middle, [NAN, NAN, 2, 3, 5])
    same(
        upper,
        [NAN, NAN, 2 + 2 * math.sqrt(2 / 3), 3 + 2 * math.sqrt(2 / 3), 5 + 2 * math.sqrt(14 / 3)],
    )
    same(
        lower,
        [NAN, NAN, 2 - 2 * math.sqrt(2 / 3), 3 - 2 * math.sqrt(2 / 3), 5 - 2 * math.sqrt(14 / 3)],
    )


def test_atr_averages_true_ranges_then_smooths_like_wilder() -> None:
    # Bars (h, l, c): (10, 8, 9), (11, 9, 10), (12, 10, 11.5), (11, 7, 8); n = 2.
    # TR1 = max(11-9, |11-9|, |9-9|) = 2; TR2 = max(2, |12-10|, |10-10|) = 2;
    # TR3 = max(11-7, |11-11.5|, |7-11.5|) = 4.5 (the gap from the previous close counts).
    # ATR on bar 2 = (2+2)/2 = 2; bar 3 = (2*1 + 4.5)/2 = 3.25.
    same(atr([10, 11, 12, 11], [8, 9, 10, 7], [9, 10, 11.5, 8], 2), [NAN, NAN, 2, 3.25])


def test_donchian_takes_the_highest_high_and_lowest_low() -> None:
    upper, lower, middle = donchian([3, 5, 4, 2, 1], [1, 2, 3, 0, 1], 3)
    same(upper, [NAN, NAN, 5, 5, 4])
    same(lower, [NAN, NAN, 1, 0, 0])
    same(middle, [NAN, NAN, 3, 2.5, 2])


def test_vwap_weights_the_typical_price_by_volume() -> None:
    # Typical prices: (3+1+2)/3 = 2, (6+3+3)/3 = 4, (5+5+5)/3 = 5; volumes 1, 3, 0.
    # Cumulative: 2; (2*1 + 4*3)/4 = 3.5; no new volume -> 3.5.
    # Rolling 2: warm-up; 3.5; (4*3 + 5*0)/3 = 4.
    high, low, close, volume = [3, 6, 5], [1, 3, 5], [2, 3, 5], [1, 3, 0]
    same(vwap(high, low, close, volume), [2, 3.5, 3.5])
    same(vwap(high, low, close, volume, 2), [NAN, 3.5, 4])


def test_vwap_is_nan_while_no_volume_traded() -> None:
    # Cumulative: nothing traded on bar 0 (0/0); rolling 2: bars 2-3 both without volume.
    high, low, close, volume = [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [0, 1, 0, 0]
    same(vwap(high, low, close, volume), [NAN, 2, 2, 2])
    same(vwap(high, low, close, volume, 2), [NAN, 2, 2, NAN])


def test_rolling_volatility_is_the_sample_std_of_log_returns() -> None:
    # Closes 100, 110, 99, 108.9: log returns ln 1.1, ln 0.9, ln 1.1. With n = 2 each window
    # holds one ln 1.1 and one ln 0.9; the sample std of two values a, b is |a - b| / sqrt 2.
    expected = abs(math.log(1.1) - math.log(0.9)) / math.sqrt(2)
    same(rolling_volatility([100, 110, 99, 108.9], 2), [NAN, NAN, expected, expected])


def test_zscore_divides_by_the_population_std_and_is_zero_on_a_flat_window() -> None:
    # Bar 2: (3 - 2)/sqrt(2/3); bar 4: (8 - 5)/sqrt(14/3) (same windows as Bollinger above).
    same(
        zscore([1, 2, 3, 4, 8], 3),
        [NAN, NAN, 1 / math.sqrt(2 / 3), 1 / math.sqrt(2 / 3), 3 / math.sqrt(14 / 3)],
    )
    # Bar 2: window 0.3, 0.1, 0.1: mean 1/6, variance (4 + 1 + 1)/225/3 = 2/225, so
    # z = (0.1 - 1/6) / (sqrt(2)/15) = -1/sqrt(2). Bars 3-4 are flat windows of 0.1; a
    # naive mean of three 0.1s is 0.10000000000000002 (0.1+0.1+0.1 rounds up), which would
    # turn "no spread" into a z-score of +-1; a flat window has z = 0.
    same(zscore([0.3, 0.1, 0.1, 0.1, 0.1], 3), [NAN, NAN, -1 / math.sqrt(2), 0, 0])
