"""Labels: what happened after each bar, as 0 = down, 1 = flat, 2 = up.

Two kinds, both with volatility-scaled thresholds so a quiet night and a crash are judged on
their own scale:

* ``forward``: the log return over the next ``horizon`` bars against
  ``threshold * vol * sqrt(horizon)``, where ``vol`` is the per-bar volatility known at t.
* ``triple_barrier``: which of a take-profit barrier above, a stop barrier below, or the
  time limit (``horizon`` bars) the price reaches first. Barrier widths are the risk
  settings' stop/take-profit (``barriers="risk"``), or the stop is ``threshold * vol *
  sqrt(horizon)`` with the take-profit in the risk settings' ratio (``"volatility"``).

Every label also gives ``label_end``: the last bar it looked at, which validation purges on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from moonai_tui.errors import ModelError
from moonai_tui.ml.validation import FloatArray, IntArray

DOWN, FLAT, UP = 0, 1, 2
_CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class LabelSpec:
    """How labels are made; stored with every model version."""

    kind: Literal["forward", "triple_barrier"] = "forward"
    horizon: int = 15
    """Bars ahead the label looks (the time limit for triple-barrier labels)."""
    threshold: float = 0.5
    """Multiple of ``vol * sqrt(horizon)`` a move must exceed (the stop, for triple
    barrier labels with volatility barriers)."""
    vol_window: int = 60
    """Bars in the rolling volatility estimate."""
    barriers: Literal["risk", "volatility"] = "volatility"
    stop_loss: float = 0.02
    """Stop distance (fraction) for ``barriers="risk"``; with the take-profit it also sets
    the take-profit/stop ratio of volatility barriers."""
    take_profit: float = 0.04

    def __post_init__(self) -> None:
        if self.kind not in ("forward", "triple_barrier"):
            raise ModelError(f"label kind '{self.kind}': expected forward or triple_barrier")
        if self.barriers not in ("risk", "volatility"):
            raise ModelError(f"label barriers '{self.barriers}': expected risk or volatility")
        if self.horizon < 1 or self.vol_window < 2:
            raise ModelError("labels: need horizon >= 1 and vol_window >= 2")
        if self.threshold <= 0 or self.stop_loss <= 0 or self.take_profit <= 0:
            raise ModelError("labels: threshold, stop_loss and take_profit must be positive")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelSpec:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModelError(f"label spec: unknown field(s) {', '.join(unknown)}")
        return cls(**data)


def forward_labels(
    close: FloatArray, vol: FloatArray, horizon: int, threshold: float
) -> tuple[FloatArray, IntArray]:
    """Down/flat/up by the ``horizon``-bar log return; NaN where unknown (end, no vol)."""
    n = len(close)
    labels = np.full(n, np.nan)
    end = np.arange(n, dtype=np.int64) + horizon
    if n > horizon:
        ret = np.log(close[horizon:] / close[:-horizon])
        band = threshold * vol[:-horizon] * np.sqrt(horizon)
        known = np.isfinite(band)
        out = np.where(ret > band, UP, np.where(ret < -band, DOWN, FLAT)).astype(np.float64)
        labels[: n - horizon] = np.where(known, out, np.nan)
    return labels, end


def triple_barrier_labels(
    close: FloatArray,
    high: FloatArray,
    low: FloatArray,
    up_width: FloatArray,
    down_width: FloatArray,
    horizon: int,
) -> tuple[FloatArray, IntArray]:
    """First barrier touched within ``horizon`` bars after t (entry at t's close).

    Barriers are ``close * (1 + up_width)`` and ``close * (1 - down_width)``, checked on
    the highs and lows of bars t+1..t+horizon. A bar touching both is ambiguous and
    labelled flat; no touch by the time limit is flat. ``label_end`` is the touching bar
    (or t + horizon).
    """
    n = len(close)
    labels = np.full(n, np.nan)
    end = np.arange(n, dtype=np.int64) + horizon
    if n <= horizon:
        return labels, end
    highs = sliding_window_view(high[1:], horizon)  # row t: bars t+1..t+horizon
    lows = sliding_window_view(low[1:], horizon)
    rows = n - horizon
    for start in range(0, rows, _CHUNK):
        stop = min(rows, start + _CHUNK)
        entry = close[start:stop, None]
        hit_up = highs[start:stop] >= entry * (1 + up_width[start:stop, None])
        hit_down = lows[start:stop] <= entry * (1 - down_width[start:stop, None])
        touched = hit_up | hit_down
        any_touch = touched.any(axis=1)
        first = np.where(any_touch, touched.argmax(axis=1), horizon - 1)
        at = np.arange(stop - start)
        up_first = hit_up[at, first] & ~hit_down[at, first]
        down_first = hit_down[at, first] & ~hit_up[at, first]
        out = np.where(up_first & any_touch, UP, np.where(down_first & any_touch, DOWN, FLAT))
        known = np.isfinite(up_width[start:stop]) & np.isfinite(down_width[start:stop])
        labels[start:stop] = np.where(known, out.astype(np.float64), np.nan)
        end[start:stop] = start + at + 1 + first
    return labels, end


def make_labels(bars: pd.DataFrame, spec: LabelSpec) -> tuple[pd.Series, IntArray]:
    """Labels for every bar of ``bars`` per ``spec`` (NaN where not yet known).

    Returns:
        The labels on ``bars.index`` and, per bar, the position of the last bar its label
        depends on.
    """
    from moonai_tui.indicators import rolling_volatility

    close = bars["close"].to_numpy(dtype=np.float64)
    vol = np.asarray(rolling_volatility(close, spec.vol_window), dtype=np.float64)
    scale = vol * np.sqrt(spec.horizon)
    if spec.kind == "forward":
        labels, end = forward_labels(close, vol, spec.horizon, spec.threshold)
    else:
        if spec.barriers == "risk":
            down = np.full(len(close), spec.stop_loss)
        else:
            down = spec.threshold * scale
        up = down * (spec.take_profit / spec.stop_loss)
        high = bars["high"].to_numpy(dtype=np.float64)
        low = bars["low"].to_numpy(dtype=np.float64)
        labels, end = triple_barrier_labels(close, high, low, up, down, spec.horizon)
    return pd.Series(labels, index=bars.index, name="label"), end
