"""The out-of-sample backtest of a training run: the walk-forward models' own targets,
traded by the backtester with fees, slippage and the risk settings' stops and sizing."""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from moonai_tui.strategy.base import Strategy

if TYPE_CHECKING:
    from moonai_tui.backtest import BacktestConfig


class PrecomputedTargets(Strategy):
    """A strategy replaying a fixed target series (the walk-forward models' decisions)."""

    name = "ml_walk_forward"

    def __init__(self, targets: pd.Series) -> None:
        super().__init__()
        self._targets = targets

    def target(self, bars: pd.DataFrame) -> pd.Series:
        return self._targets.reindex(bars.index)


def oos_backtest(
    bars: pd.DataFrame, targets: pd.Series, config: BacktestConfig | None = None
) -> dict[str, Any] | None:
    """Backtest ``targets`` from their first out-of-sample bar to the end of ``bars``.

    Returns:
        The backtest metrics (JSON-ready), with the tested period; None when no bar has
        an out-of-sample target.
    """
    from moonai_tui.backtest import run_backtest

    tested = targets.dropna()
    if tested.empty:
        return None
    window = bars.loc[tested.index[0] :]
    result = run_backtest(PrecomputedTargets(targets), window, config)
    metrics = dataclasses.asdict(result.metrics)
    out: dict[str, Any] = {
        key: (None if isinstance(value, float) and not math.isfinite(value) else value)
        for key, value in metrics.items()
        if isinstance(value, int | float | str | bool) or value is None
    }
    out["from"] = window.index[0].isoformat()
    out["to"] = window.index[-1].isoformat()
    out["bars"] = len(window)
    out["taker_fee"] = result.config.taker_fee
    return out
