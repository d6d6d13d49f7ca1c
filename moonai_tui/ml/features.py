"""The one causal feature function: training, the backtest and live all call
:func:`compute_features`.

Every value at bar t uses bars <= t only (``ml.leakage.causality_check`` proves it on each
training run). Live, the function runs on the last :data:`LIVE_WINDOW` bars; the exponential
indicators (EMA, MACD, Wilder RSI/ATR) forget their start geometrically, so after that many
bars the window's last row equals the batch row to ~1e-12 (a test checks 1e-9).

Features are scale-free (returns, ratios, z-scores), so one model can serve any price level.
Order-book features live in :mod:`moonai_tui.ml.book_features` and join by bar close time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from moonai_tui.errors import DataError
from moonai_tui.indicators import (
    atr,
    bollinger,
    donchian,
    macd,
    rolling_volatility,
    rsi,
    sma,
    vwap,
    zscore,
)

RETURN_HORIZONS = (1, 5, 15, 60)
LONG_WINDOW = 60
"""The longest rolling window (volatility, trend, channel, volume z-score)."""
WARMUP = LONG_WINDOW + 40
"""Bars before every feature is defined (the 60-bar windows plus MACD's 26 + 9)."""
LIVE_WINDOW = 1_000
"""Bars the live path keeps: enough for EMA-based features to match the batch values."""
REQUIRED_COLUMNS = ("open", "high", "low", "close", "volume")

FloatArray = npt.NDArray[np.float64]

FEATURES: tuple[str, ...] = (
    *(f"ret_{h}" for h in RETURN_HORIZONS),
    "vol_15",
    "vol_60",
    "vol_ratio",
    "rsi_14",
    "macd",
    "macd_signal",
    "macd_hist",
    "bb_width",
    "bb_pctb",
    "atr_pct",
    "trend_60",
    "channel_pos",
    "vwap_dist",
    "volume_z",
    "body",
    "upper_wick",
    "lower_wick",
    "range_pct",
    "tod_sin",
    "tod_cos",
    "dow_sin",
    "dow_cos",
)
"""Column names :func:`compute_features` returns, in order."""


def _safe_div(a: np.ndarray, b: np.ndarray, fill: float = 0.0) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b != 0, a / np.where(b != 0, b, 1.0), fill)
    return np.where(np.isnan(a) | np.isnan(b), np.nan, out)


def compute_features(bars: pd.DataFrame) -> pd.DataFrame:
    """Feature frame on ``bars.index`` with the :data:`FEATURES` columns (NaN in warm-up).

    Args:
        bars: OHLCV bars per the strategy contract (UTC DatetimeIndex of bar open times).

    Raises:
        DataError: a required column is missing or the index is not a DatetimeIndex.
    """
    return pd.DataFrame(feature_matrix(bars), index=bars.index, columns=list(FEATURES), copy=False)


def feature_matrix(bars: pd.DataFrame) -> FloatArray:
    """The values of :func:`compute_features` as a (bars x :data:`FEATURES`) float64 array.

    The live path scores one new bar per call: building the frame would cost more than
    most indicators, so it takes the array.

    Raises:
        DataError: as :func:`compute_features`.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in bars.columns]
    if missing:
        raise DataError(f"features: bars lack column(s) {', '.join(missing)}")
    if not isinstance(bars.index, pd.DatetimeIndex):
        raise DataError("features: bars need a DatetimeIndex of bar open times")
    o, h, lo, c, v = _ohlcv(bars)
    log_close = np.log(c)
    out: dict[str, np.ndarray] = {}
    for horizon in RETURN_HORIZONS:
        ret = np.full(len(c), np.nan)
        ret[horizon:] = log_close[horizon:] - log_close[:-horizon]
        out[f"ret_{horizon}"] = ret
    out["vol_15"] = np.asarray(rolling_volatility(c, 15))
    out["vol_60"] = np.asarray(rolling_volatility(c, LONG_WINDOW))
    out["vol_ratio"] = _safe_div(out["vol_15"], out["vol_60"], fill=1.0)
    out["rsi_14"] = np.asarray(rsi(c, 14)) / 100.0 - 0.5
    line, signal, hist = macd(c, 12, 26, 9)
    out["macd"] = np.asarray(line) / c
    out["macd_signal"] = np.asarray(signal) / c
    out["macd_hist"] = np.asarray(hist) / c
    middle, upper, lower = bollinger(c, 20, 2.0)
    band = np.asarray(upper) - np.asarray(lower)
    out["bb_width"] = _safe_div(band, np.asarray(middle))
    out["bb_pctb"] = _safe_div(c - np.asarray(lower), band, fill=0.5)
    out["atr_pct"] = np.asarray(atr(h, lo, c, 14)) / c
    out["trend_60"] = c / np.asarray(sma(c, LONG_WINDOW)) - 1.0
    chan_upper, chan_lower = donchian(h, lo, LONG_WINDOW)[:2]
    width = np.asarray(chan_upper) - np.asarray(chan_lower)
    out["channel_pos"] = _safe_div(c - np.asarray(chan_lower), width, fill=0.5)
    out["vwap_dist"] = c / np.asarray(vwap(h, lo, c, v, LONG_WINDOW)) - 1.0
    out["volume_z"] = np.asarray(zscore(np.log1p(v), LONG_WINDOW))
    span = h - lo
    out["body"] = _safe_div(c - o, span)
    out["upper_wick"] = _safe_div(h - np.maximum(o, c), span)
    out["lower_wick"] = _safe_div(np.minimum(o, c) - lo, span)
    out["range_pct"] = span / c
    out.update(_calendar(bars.index))
    # Stacked feature-major, so the transposed view is the one block a frame holds.
    return np.stack([out[name] for name in FEATURES]).T


def _ohlcv(bars: pd.DataFrame) -> FloatArray:
    if tuple(bars.columns) == REQUIRED_COLUMNS:
        # Plain bars (the live window): one conversion instead of five column lookups.
        return np.ascontiguousarray(bars.to_numpy(dtype=np.float64).T)
    return np.stack([bars[name].to_numpy(dtype=np.float64) for name in REQUIRED_COLUMNS])


def _calendar(index: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    # From integer nanoseconds: pandas' field accessors cost more than every indicator.
    ns = open_times_ns(index)
    minute_of_day = (ns // 60_000_000_000) % 1440
    # 1970-01-01 was a Thursday: day 3 when Monday is 0.
    day_of_week = (ns // 86_400_000_000_000 + 3) % 7
    minutes = minute_of_day.astype(np.float64)
    days = day_of_week.astype(np.float64) + minutes / 1440.0
    day_angle = 2 * np.pi * minutes / 1440.0
    week_angle = 2 * np.pi * days / 7.0
    return {
        "tod_sin": np.sin(day_angle),
        "tod_cos": np.cos(day_angle),
        "dow_sin": np.sin(week_angle),
        "dow_cos": np.cos(week_angle),
    }


_NS_PER_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def open_times_ns(index: pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    """Bar open times as integer nanoseconds, whatever the index's resolution (the live
    window is in ms); a multiplication, cheaper than converting the index."""
    return index.asi8 * _NS_PER_UNIT[index.unit]


def latest_features(bars: pd.DataFrame) -> pd.Series:
    """The live path: features of the last bar from the last :data:`LIVE_WINDOW` bars."""
    return compute_features(bars.iloc[-LIVE_WINDOW:]).iloc[-1]
