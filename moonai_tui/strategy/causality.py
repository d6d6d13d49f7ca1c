"""Look-ahead detection: a strategy's output must not change when the future is cut off.

For a causal strategy, ``target(bars[:c + 1])`` equals ``target(bars)`` on bars
``0..c`` for every cut ``c``. :func:`check_causality` recomputes the target (and
the ``stops()`` overrides, when the strategy has them) on histories cut at many
seeded random bars plus the warm-up boundary, in ascending order. At the first
cut that disagrees it bisects back to the previous clean cut, so the reported
bar is where the leak starts, not just where a random cut happened to land.

:func:`check_live_window` is the other half of batch/live equality: live, the
strategy sees only its last ``lookback()`` bars; the value at a bar computed on
that window must equal the full-history value (it may not for long exponential
memories, which then need a larger ``lookback``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from moonai_tui.errors import DataError
from moonai_tui.strategy.base import Strategy
from moonai_tui.strategy.loader import STOP_COLUMNS, evaluate_stops, evaluate_target

DEFAULT_CUTS = 50
STOP_RTOL = 1e-9
"""Stop overrides are prices-derived floats: they may differ by rounding, not more."""


@dataclass(frozen=True, slots=True)
class CausalityReport:
    """The outcome of :func:`check_causality`."""

    strategy: str
    bars: int
    cuts: int
    """How many truncated histories were evaluated (random, boundary and bisection)."""
    index: int | None = None
    """Position of the first offending bar (None = causal)."""
    time: pd.Timestamp | None = None
    cut: int | None = None
    """The history that revealed it ends at this bar."""
    column: str = "target"
    full_value: float = float("nan")
    cut_value: float = float("nan")

    @property
    def causal(self) -> bool:
        return self.index is None

    def describe(self) -> str:
        """One line for people."""
        if self.index is None:
            return (
                f"{self.strategy}: causal ({self.cuts} truncated histories of {self.bars} bars "
                "agree with the full history)"
            )
        cut_time = "" if self.cut is None else f" (history cut at bar {self.cut})"
        return (
            f"{self.strategy}: LOOK-AHEAD at bar {self.index} ({_fmt(self.time)}): "
            f"{self.column} is {self.full_value:g} with the full history but "
            f"{self.cut_value:g} without the future{cut_time}"
        )


@dataclass(frozen=True, slots=True)
class WindowReport:
    """The outcome of :func:`check_live_window`."""

    window: int
    checked: int
    index: int | None = None
    time: pd.Timestamp | None = None
    full_value: float = float("nan")
    window_value: float = float("nan")

    @property
    def ok(self) -> bool:
        return self.index is None

    def describe(self) -> str:
        if self.index is None:
            return f"live window of {self.window} bars: same target as the full history"
        return (
            f"live window of {self.window} bars gives {self.window_value:g} at bar "
            f"{self.index} ({_fmt(self.time)}) where the full history gives "
            f"{self.full_value:g}: raise the strategy's lookback()"
        )


def check_causality(
    strategy: Strategy, bars: pd.DataFrame, *, cuts: int = DEFAULT_CUTS, seed: int = 0
) -> CausalityReport:
    """Compare the strategy on truncated histories with the full history.

    Raises:
        DataError: fewer than 2 bars.
        StrategyError: the strategy raised or returned an invalid target/stops.
    """
    n = len(bars)
    if n < 2:
        raise DataError(f"need at least 2 bars to check causality, got {n}")
    full, columns = _outputs(strategy, bars)
    warm, _ = strategy.sizes()
    rng = np.random.default_rng(seed)
    random_cuts = rng.choice(n - 1, size=min(cuts, n - 1), replace=False)
    boundary = {c for c in (warm - 2, warm - 1, warm) if 0 <= c < n - 1}
    evaluated = 0
    clean = -1
    for cut in sorted({int(c) for c in random_cuts} | boundary):
        evaluated += 1
        found = _first_mismatch(strategy, bars, full, cut)
        if found is None:
            clean = cut
            continue
        # Bisect between the last clean cut and this one for where the leak starts.
        low, high = clean, cut
        while high - low > 1:
            middle = (low + high) // 2
            evaluated += 1
            at_middle = _first_mismatch(strategy, bars, full, middle)
            if at_middle is None:
                low = middle
            else:
                high, found = middle, at_middle
        row, col, value = found
        return CausalityReport(
            strategy.label,
            n,
            evaluated,
            index=row,
            time=pd.Timestamp(bars.index[row]),
            cut=high,
            column=columns[col],
            full_value=float(full[row, col]),
            cut_value=value,
        )
    return CausalityReport(strategy.label, n, evaluated)


def check_live_window(
    strategy: Strategy,
    bars: pd.DataFrame,
    *,
    window: int | None = None,
    points: int = 20,
    seed: int = 0,
) -> WindowReport:
    """Compare the target computed on the last ``window`` bars (live) with the full history.

    ``window`` defaults to the live runner's (``strategy.live_window()``); with fewer
    bars than that there is nothing to compare and the report is ok.
    """
    size = strategy.live_window() if window is None else max(window, 1)
    n = len(bars)
    if n <= size:
        return WindowReport(size, 0)
    full = evaluate_target(strategy, bars).to_numpy()
    rng = np.random.default_rng(seed)
    ends = np.sort(rng.choice(np.arange(size, n), size=min(points, n - size), replace=False))
    for end in (int(e) for e in ends):
        value = float(evaluate_target(strategy, bars.iloc[end - size + 1 : end + 1]).iloc[-1])
        if not _same(np.array([value]), full[end : end + 1])[0]:
            return WindowReport(
                size,
                len(ends),
                index=end,
                time=pd.Timestamp(bars.index[end]),
                full_value=float(full[end]),
                window_value=value,
            )
    return WindowReport(size, len(ends))


def _outputs(strategy: Strategy, bars: pd.DataFrame) -> tuple[npt.NDArray[np.float64], list[str]]:
    """Target and stop overrides as one (bars x columns) array, target first."""
    target = evaluate_target(strategy, bars).to_numpy()
    stops = evaluate_stops(strategy, bars)
    if stops is None:
        return target[:, None], ["target"]
    names = [c for c in STOP_COLUMNS if c in stops.columns]
    matrix = np.column_stack([target, *(stops[c].to_numpy() for c in names)])
    return matrix, ["target", *names]


def _first_mismatch(
    strategy: Strategy, bars: pd.DataFrame, full: npt.NDArray[np.float64], cut: int
) -> tuple[int, int, float] | None:
    """(bar, column, truncated value) of the first disagreement on bars ``0..cut``."""
    partial, _ = _outputs(strategy, bars.iloc[: cut + 1])
    if partial.shape[1] != full.shape[1]:
        # stops() came and went with the history length: compare the target only.
        partial, reference = partial[:, :1], full[: cut + 1, :1]
    else:
        reference = full[: cut + 1]
    same = _same(partial, reference)
    if same.all():
        return None
    flat = int(np.argmax(~same.ravel()))
    row, col = divmod(flat, same.shape[1])
    return row, col, float(partial[row, col])


def _same(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    both_nan = np.isnan(a) & np.isnan(b)
    close = np.isclose(a, b, rtol=STOP_RTOL, atol=0.0)
    return np.asarray(both_nan | close)


def _fmt(time: pd.Timestamp | None) -> str:
    return "?" if time is None else time.strftime("%Y-%m-%d %H:%M UTC")
