"""The last closed bars of one symbol, handed to a strategy as a bars DataFrame each bar close.

Building a DataFrame and its tz-aware DatetimeIndex per bar close was the largest
single cost of the live strategy path (bench/order_latency.py). Here one frame is
built over the whole buffer, with the times of bars still to come predicted from
the bar spacing, and each bar close hands out a slice of it (a view: no copy, a
third of the cost). A bar that does not arrive at its predicted time, or a full
buffer, rebuilds the frame.

Handed-out frames stay valid: a row is written once, after every slice that shows
it was cut, and a full buffer moves to a NEW array rather than sliding in place, so
a frame (or a column array) a strategy keeps never changes under it. Writes by the
strategy copy first (pandas copy-on-write: every frame over one buffer is derived
from the first, so pandas sees them share it) and never reach the buffer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from moonai_tui.domain import Bar
from moonai_tui.strategy.bars import bar_index, bars_from_matrix

DEFAULT_SPACING_MS = 60_000
"""Assumed bar spacing until two bars show the real one."""


class BarWindow:
    """The last ``size`` closed bars of one symbol, in arrays (no per-bar objects).

    Appends are amortised O(1): the buffer holds twice the window and moves to a
    fresh one only when it fills up.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._ts = np.zeros(2 * size, dtype=np.int64)
        self._values = np.zeros((2 * size, 5), dtype=np.float64)
        self._start = 0
        self._end = 0
        self._frame: pd.DataFrame | None = None
        self._frame_ts = self._ts
        """The times the frame's index was built with (known, then predicted)."""

    def __len__(self) -> int:
        return self._end - self._start

    @property
    def last_ts(self) -> int | None:
        return int(self._ts[self._end - 1]) if self._end > self._start else None

    def append(self, bar: Bar) -> None:
        if self._end == len(self._ts):
            keep = self.size - 1
            ts, values = np.zeros_like(self._ts), np.zeros_like(self._values)
            ts[:keep] = self._ts[self._end - keep : self._end]
            values[:keep] = self._values[self._end - keep : self._end]
            self._ts, self._values = ts, values
            self._start, self._end = 0, keep
            self._frame = None
        self._ts[self._end] = bar.ts
        self._values[self._end] = (bar.open, bar.high, bar.low, bar.close, bar.volume)
        self._end += 1
        self._start = max(self._start, self._end - self.size)

    def frame(self) -> pd.DataFrame:
        """The window as a bars DataFrame (read it freely; writes copy first)."""
        span = slice(self._start, self._end)
        if self._end == self._start:
            return bars_from_matrix(self._ts[span], self._values[span])
        if self._frame is None or not np.array_equal(self._frame_ts[span], self._ts[span]):
            self._frame = self._buffer_frame()
        return self._frame.iloc[span]

    def _buffer_frame(self) -> pd.DataFrame:
        end = self._end
        spacing = int(self._ts[end - 1] - self._ts[end - 2]) if end >= 2 else DEFAULT_SPACING_MS
        ahead = np.arange(1, len(self._ts) - end + 1, dtype=np.int64) * max(spacing, 1)
        times = self._ts.copy()
        times[end:] = times[end - 1] + ahead
        self._frame_ts = times
        if self._frame is not None:
            # Derived from the frame it replaces, not built anew over the same memory:
            # pandas then knows every frame handed out shares the buffer, and a strategy
            # writing into one it kept copies first instead of writing into the window.
            return self._frame.set_axis(bar_index(times), axis=0)
        return bars_from_matrix(times, self._values, copy=False)
