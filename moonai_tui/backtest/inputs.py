"""Turning bars, a target and the config into the loop's float64 arrays.

* :func:`bar_arrays`: checks the bars (STRATEGY_CONTRACT: Bars) and returns
  contiguous open/high/low/close and open times in Unix milliseconds.
* :func:`events_from_target`: the order events of a target, by the strategy
  package's one rule (:func:`moonai_tui.strategy.transitions.target_edges`).
* :func:`funding_per_bar`: the funding rate charged at each bar's open.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from moonai_tui.backtest.config import BacktestConfig
from moonai_tui.errors import ConfigError, DataError
from moonai_tui.strategy.transitions import target_edges

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

FUNDING_INTERVAL_MS = 8 * 3_600_000
"""ByBit linear perpetuals settle funding every 8 h, at 00:00, 08:00 and 16:00 UTC."""

PRICE_COLUMNS = ("open", "high", "low", "close")


def bar_arrays(bars: pd.DataFrame) -> tuple[F64, F64, F64, F64, I64]:
    """``(open, high, low, close, open_time_ms)`` of ``bars``, checked.

    Raises:
        DataError: one line naming what is wrong: not a UTC DatetimeIndex, not
            ascending/unique, a missing price column, a non-finite or non-positive
            price, or a bar whose high/low do not contain its open and close.
    """
    index = bars.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise DataError("bars: the index must be a tz-aware UTC DatetimeIndex of bar open times")
    if len(bars) == 0:
        raise DataError("bars: no bars to backtest")
    if not index.is_monotonic_increasing or not index.is_unique:
        raise DataError("bars: open times must be ascending and unique")
    missing = [c for c in PRICE_COLUMNS if c not in bars.columns]
    if missing:
        raise DataError(f"bars: missing column(s) {', '.join(missing)}")
    arrays = [np.ascontiguousarray(bars[c].to_numpy(dtype=np.float64)) for c in PRICE_COLUMNS]
    open_, high, low, close = arrays
    for name, values in zip(PRICE_COLUMNS, arrays, strict=True):
        bad = ~(np.isfinite(values) & (values > 0))
        if bad.any():
            at = int(np.argmax(bad))
            raise DataError(
                f"bars: {name} is {float(values[at])!r} at {index[at]} (bar {at}); "
                "expected a price > 0"
            )
    bad = (high < np.maximum(open_, close)) | (low > np.minimum(open_, close))
    if bad.any():
        at = int(np.argmax(bad))
        o, h, lo, c = (float(a[at]) for a in arrays)
        raise DataError(
            f"bars: bar {at} at {index[at]} has high {h!r} / low {lo!r} that do "
            f"not contain its open {o!r} and close {c!r}"
        )
    times = np.ascontiguousarray(index.as_unit("ms").asi8, dtype=np.int64)
    return open_, high, low, close, times


def events_from_target(target: npt.ArrayLike) -> F64:
    """Per bar: the new target where it changes (+1, -1 or 0), NaN elsewhere.

    The state starts flat, NaN carries the last value: the contract's edge rule.
    """
    values = np.asarray(target, dtype=np.float64)
    where, new, _ = target_edges(values)
    events = np.full(values.shape[0], np.nan)
    events[where] = new
    return events


def funding_per_bar(times_ms: I64, config: BacktestConfig) -> F64 | None:
    """The summed funding rate of the funding times in ``(t[i-1], t[i]]``, per bar ``i``.

    None on spot or with a zero constant rate (nothing to charge). A funding time
    that falls strictly inside a bar (timeframes above 8 h) is charged at the next
    bar's open. With ``config.funding_rates`` each funding time takes the series'
    last rate at or before it.

    Raises:
        ConfigError: the rate series starts after the first funding time to charge.
    """
    if config.market == "spot" or times_ms.shape[0] < 2:
        return None
    slots = times_ms // FUNDING_INTERVAL_MS
    counts = np.diff(slots)
    funding = np.zeros(times_ms.shape[0], dtype=np.float64)
    if config.funding_rates is None:
        if config.funding_rate == 0:
            return None
        funding[1:] = counts * config.funding_rate
        return funding
    first, last = int(slots[0]) + 1, int(slots[-1])
    if last < first:
        return None
    funding_times = np.arange(first, last + 1, dtype=np.int64) * FUNDING_INTERVAL_MS
    series = config.funding_rates
    rate_times = pd.DatetimeIndex(series.index).as_unit("ms").asi8
    at = np.searchsorted(rate_times, funding_times, side="right") - 1
    if at[0] < 0:
        start = pd.Timestamp(int(funding_times[0]), unit="ms", tz="UTC")
        raise ConfigError(
            f"backtest.funding_rates starts at {series.index[0]}, after the first funding "
            f"time {start} of the bars; extend the series or use a constant funding_rate"
        )
    rates = series.to_numpy(dtype=np.float64)[at]
    # Each funding time is charged at the first bar opening at or after it.
    bar_of = np.searchsorted(times_ms, funding_times, side="left")
    np.add.at(funding, bar_of, rates)
    return funding
