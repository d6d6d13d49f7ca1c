"""Input handling: bad periods and arrays, NaN gaps, short and empty series, pandas."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from moonai_tui import indicators as ind
from moonai_tui.errors import IndicatorError, MoonAIError

X = np.linspace(10.0, 20.0, 60) + np.sin(np.arange(60.0))


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "14"])
@pytest.mark.parametrize(
    "call",
    [
        lambda n: ind.sma(X, n),
        lambda n: ind.ema(X, n),
        lambda n: ind.rsi(X, n),
        lambda n: ind.bollinger(X, n),
        lambda n: ind.atr(X, X, X, n),
        lambda n: ind.donchian(X, X, n),
        lambda n: ind.vwap(X, X, X, X, n),
        lambda n: ind.rolling_volatility(X, n),
        lambda n: ind.zscore(X, n),
        lambda n: ind.macd(X, n, 26, 9),
        lambda n: ind.macd(X, 12, 26, n),
    ],
)
def test_a_bad_period_is_a_value_error_naming_it(
    call: Callable[[object], object], bad: object
) -> None:
    with pytest.raises(IndicatorError, match=r"^\w+: \w+ must be an integer >= \d") as info:
        call(bad)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, MoonAIError)
    assert repr(bad) in str(info.value) or str(bad) in str(info.value)


def test_none_is_a_period_only_for_vwap() -> None:
    with pytest.raises(IndicatorError, match="sma: n must be an integer >= 1, got None"):
        ind.sma(X, None)  # type: ignore[arg-type]
    assert not np.isnan(ind.vwap(X, X, X, X, None)).any()


def test_numpy_integer_periods_are_accepted() -> None:
    np.testing.assert_array_equal(ind.sma(X, np.int64(5)), ind.sma(X, 5))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ind.macd(X, 26, 12, 9), r"macd: fast \(26\) must not exceed slow \(12\)"),
        (lambda: ind.rolling_volatility(X, 1), "rolling_volatility: n must be an integer >= 2"),
        (lambda: ind.bollinger(X, 20, math.inf), "bollinger: k must be a finite number, got inf"),
        (
            lambda: ind.bollinger(X, 20, "2"),  # type: ignore[arg-type]
            "bollinger: k must be a finite number, got '2'",
        ),
        (
            lambda: ind.atr(X, X[:-1], X),
            "atr: inputs must have the same length, got high=60, low=59",
        ),
        (lambda: ind.donchian(X, X[:5]), "donchian: inputs must have the same length"),
        (lambda: ind.sma(X.reshape(6, 10), 3), r"sma: x must be 1-D, got shape \(6, 10\)"),
        (lambda: ind.ema(["a", "b"], 3), "ema: x must be numbers, got list"),
        (lambda: ind.vwap(X, X, X, -X), "vwap: volume must be >= 0, got -"),
    ],
)
def test_bad_inputs_raise_one_clear_line(call: Callable[[], object], message: str) -> None:
    with pytest.raises(IndicatorError, match=message) as info:
        call()
    assert "\n" not in str(info.value)


def test_series_shorter_than_the_warm_up_are_all_nan_and_keep_their_length() -> None:
    short = X[:5]
    for result in (
        ind.sma(short, 6),
        ind.ema(short, 6),
        ind.rsi(short, 5),
        ind.atr(short, short, short, 5),
        ind.rolling_volatility(short, 5),
        ind.zscore(short, 6),
        ind.vwap(short, short, short, short, 6),
        *ind.macd(short, 2, 3, 4),
        *ind.bollinger(short, 6),
        *ind.donchian(short, short, 6),
    ):
        assert result.shape == (5,)
        assert np.isnan(result).all()


def test_empty_input_gives_empty_output() -> None:
    empty = np.array([], dtype=np.float64)
    assert ind.sma(empty, 3).size == 0
    assert ind.rsi(empty).size == 0
    assert all(part.size == 0 for part in ind.macd(empty))
    assert ind.vwap(empty, empty, empty, empty).size == 0


def test_leading_nans_are_skipped_like_the_talib_wrapper() -> None:
    # Recursive indicators start their warm-up at the first real value.
    padded = np.concatenate([[np.nan] * 3, X])
    calls: tuple[Callable[[np.ndarray], np.ndarray], ...] = (
        lambda v: ind.ema(v, 5),
        lambda v: ind.rsi(v, 5),
        lambda v: ind.macd(v, 3, 6, 4)[1],
        lambda v: ind.atr(v, v, v, 5),
        lambda v: ind.sma(v, 5),
        lambda v: ind.zscore(v, 5),
    )
    for call in calls:
        shifted = call(padded)
        assert np.isnan(shifted[:3]).all()
        np.testing.assert_array_equal(shifted[3:], call(X))


def test_a_nan_gap_blanks_only_the_windows_that_contain_it() -> None:
    gappy = X.copy()
    gappy[30] = np.nan
    mean = ind.sma(gappy, 5)
    upper, lower, _ = ind.donchian(gappy, gappy, 5)
    for result, clean in ((mean, ind.sma(X, 5)), (upper, ind.donchian(X, X, 5)[0])):
        assert np.isnan(result[30:35]).all()
        np.testing.assert_allclose(result[35:], clean[35:], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(result[:30], clean[:30])
    assert np.isnan(lower[30:35]).all()


def test_a_nan_gap_poisons_recursive_indicators_from_there_on() -> None:
    gappy = X.copy()
    gappy[30] = np.nan
    smoothed = ind.ema(gappy, 5)
    np.testing.assert_array_equal(smoothed[:30], ind.ema(X, 5)[:30])
    assert np.isnan(smoothed[30:]).all()


def test_pandas_series_and_read_only_arrays_give_numpy_results() -> None:
    frozen = X.copy()
    frozen.flags.writeable = False
    series = pd.Series(X, index=pd.date_range("2024-03-01", periods=X.size, freq="h"))
    for values in (frozen, series, X.tolist()):
        result = ind.bollinger(values, 10)[1]
        assert type(result) is np.ndarray
        assert result.dtype == np.float64
        np.testing.assert_array_equal(result, ind.bollinger(X, 10)[1])


def test_nullable_pandas_values_become_nan() -> None:
    series = pd.Series([1.0, None, 3.0, 4.0, 5.0, 6.0], dtype="Float64")
    np.testing.assert_array_equal(
        ind.sma(series, 2), np.array([np.nan, np.nan, np.nan, 3.5, 4.5, 5.5])
    )
