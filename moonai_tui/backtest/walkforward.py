"""Walk-forward validation: optimise in sample, then trade the choice out of sample.

Windows (bar positions, half-open ``[start, end)``), for ``train``, ``test`` and ``step``
(default ``test``) bars::

    window k: test  = [train + k*step, train + k*step + test)
              train = [test_start - train, test_start)      (rolling)
                    = [0, test_start)                        (anchored: an expanding window)

while the test window fits in the data (a last partial test window is dropped, so every
window is scored on the same number of bars). ``step >= test``, so test windows never
overlap; with ``step == test`` they tile the data after the first training window.

Per window the parameters are chosen by :func:`~moonai_tui.backtest.optimize.optimize`
on the training bars alone. The choice is then backtested on the test bars: the
strategy's target is computed on the history up to the test window's end (indicators
need their warm-up; a causal strategy gives the same values as on the full history, and
nothing after the window is ever read), then only the test bars are traded, starting
flat with the initial equity. The out-of-sample bars never influence which parameters
are chosen.

The stitched out-of-sample run compounds the windows: window k's equity is scaled by the
growth of windows ``0..k-1``, and so are its trades' PnL, fees and traded notional. Its
metrics use the same formulas as any backtest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from moonai_tui.backtest.config import BacktestConfig
from moonai_tui.backtest.metrics import Metrics, compute_metrics
from moonai_tui.backtest.optimize import Method, OptimizeResult, ParamRange, optimize
from moonai_tui.backtest.run import BacktestResult, run_backtest
from moonai_tui.errors import DataError
from moonai_tui.strategy.base import Strategy
from moonai_tui.strategy.loader import evaluate_stops, evaluate_target
from moonai_tui.strategy.params import ParamValue

Progress = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class Window:
    """One walk-forward window, as bar positions ``[start, end)``."""

    number: int
    train_start: int
    train_end: int
    test_start: int
    test_end: int


@dataclass(frozen=True, slots=True)
class WindowResult:
    """A window's choice and its in-sample and out-of-sample scores."""

    window: Window
    params: dict[str, ParamValue]
    in_sample: Metrics
    out_of_sample: Metrics
    oos: BacktestResult
    search: OptimizeResult


@dataclass(frozen=True, slots=True)
class WalkForwardResult:
    """Every window, and the stitched out-of-sample run."""

    metric: str
    windows: list[WindowResult]
    stitched: BacktestResult

    def table(self) -> list[dict[str, Any]]:
        """Per window: ranges, chosen params, in-sample and out-of-sample metrics."""
        return [
            {
                "window": w.window.number,
                "train": [w.window.train_start, w.window.train_end],
                "test": [w.window.test_start, w.window.test_end],
                "params": w.params,
                "in_sample": w.in_sample.to_dict(),
                "out_of_sample": w.out_of_sample.to_dict(),
            }
            for w in self.windows
        ]


def make_windows(
    bars: int, train: int, test: int, step: int | None = None, *, anchored: bool = False
) -> list[Window]:
    """The windows for ``bars`` bars (module docstring for the arithmetic).

    Raises:
        DataError: a size below 1, ``step < test`` (overlapping tests), or too few bars
            for one window.
    """
    step = test if step is None else step
    for name, value in (("train", train), ("test", test), ("step", step)):
        if value < 1:
            raise DataError(f"walk-forward {name} is {value} bars; expected at least 1")
    if step < test:
        raise DataError(
            f"walk-forward step ({step} bars) is shorter than the test window ({test}); "
            "test windows would overlap"
        )
    windows: list[Window] = []
    test_start = train
    while test_start + test <= bars:
        start = 0 if anchored else test_start - train
        windows.append(Window(len(windows), start, test_start, test_start, test_start + test))
        test_start += step
    if not windows:
        raise DataError(
            f"walk-forward needs at least train + test = {train + test} bars, got {bars}"
        )
    return windows


def out_of_sample(
    strategy: Strategy, bars: pd.DataFrame, start: int, end: int, config: BacktestConfig
) -> BacktestResult:
    """Backtest ``strategy`` on ``bars[start:end]`` with its target computed on ``bars[:end]``.

    Raises:
        StrategyError: as :func:`~moonai_tui.backtest.run.run_backtest`.
    """
    history = bars.iloc[:end]
    target = evaluate_target(strategy, history).iloc[start:]
    stops = evaluate_stops(strategy, history)
    window = _Precomputed(target, None if stops is None else stops.iloc[start:])
    return run_backtest(window, bars.iloc[start:end], config)


def walk_forward(
    cls: type[Strategy],
    base: Mapping[str, ParamValue],
    space: Sequence[ParamRange],
    bars: pd.DataFrame,
    config: BacktestConfig,
    metric: str,
    windows: Sequence[Window],
    *,
    method: Method = "grid",
    trials: int = 50,
    seed: int = 0,
    progress: Progress | None = None,
) -> WalkForwardResult:
    """Optimise on each training window, trade the best point on its test window.

    Raises:
        StrategyError: a broken strategy or no valid point in a window's search.
    """
    results: list[WindowResult] = []
    count = len(windows)
    for k, window in enumerate(windows):

        def inner(fraction: float, k: int = k) -> None:
            if progress is not None:
                progress((k + fraction) / count)

        train = bars.iloc[window.train_start : window.train_end]
        search = optimize(
            method,
            cls,
            base,
            space,
            train,
            config,
            metric,
            trials=trials,
            seed=seed,
            progress=inner,
        )
        assert search.best.metrics is not None
        oos = out_of_sample(cls(**search.params), bars, window.test_start, window.test_end, config)
        results.append(
            WindowResult(window, search.params, search.best.metrics, oos.metrics, oos, search)
        )
    stitched = stitch([r.oos for r in results], bars["close"], config)
    return WalkForwardResult(metric, results, stitched)


def stitch(
    runs: Sequence[BacktestResult], close: pd.Series, config: BacktestConfig
) -> BacktestResult:
    """One run from consecutive out-of-sample runs, compounding (module docstring).

    ``close`` holds the close of every bar of the runs (for the exposure metric).
    """
    start = config.initial_equity
    scale = 1.0
    equity_parts: list[pd.Series] = []
    position_parts: list[pd.Series] = []
    trade_parts: list[pd.DataFrame] = []
    notional = fees = funding = 0.0
    skipped = 0
    for run in runs:
        equity_parts.append(run.equity * scale)
        position_parts.append(run.position * scale)
        trades = run.trades.copy()
        for column in ("qty", "entry_fee", "exit_fee", "fees", "funding", "pnl"):
            trades[column] = trades[column] * scale
        trade_parts.append(trades)
        # turnover = traded notional / mean equity (metrics.py), so this is the run's notional.
        notional += run.metrics.turnover * float(run.equity.mean()) * scale
        fees += run.metrics.fees_paid * scale
        funding += run.funding_paid * scale
        skipped += run.skipped_entries
        scale *= run.metrics.final_equity / start
    equity = pd.concat(equity_parts)
    position = pd.concat(position_parts)
    trades = pd.concat(trade_parts, ignore_index=True)
    values = equity.to_numpy(dtype=np.float64)
    held = np.abs(position.to_numpy()) * close.reindex(equity.index).to_numpy()
    exposure = np.where(values > 0, held / np.where(values > 0, values, 1.0), 0.0)
    closed = trades[trades["exit_reason"] != "open"]
    metrics = compute_metrics(
        equity=values,
        timestamps_ms=pd.DatetimeIndex(equity.index).as_unit("ms").asi8,
        trade_pnl=closed["pnl"].to_numpy(dtype=np.float64),
        exposure=exposure,
        traded_notional=notional,
        fees_paid=fees,
        initial_equity=start,
    )
    return BacktestResult(
        trades=trades,
        equity=equity,
        position=position,
        metrics=metrics,
        config=config,
        skipped_entries=skipped,
        funding_paid=funding,
    )


class _Precomputed(Strategy):
    """A strategy whose target and stops were computed beforehand (on a longer history)."""

    name = "precomputed"

    def __init__(self, target: pd.Series, stops: pd.DataFrame | None) -> None:
        super().__init__()
        self._target = target
        self._stops = stops

    def target(self, bars: pd.DataFrame) -> pd.Series:
        return pd.Series(self._target.to_numpy(), index=bars.index)

    def stops(self, bars: pd.DataFrame) -> pd.DataFrame | None:
        if self._stops is None:
            return None
        return pd.DataFrame(self._stops.to_numpy(), index=bars.index, columns=self._stops.columns)
