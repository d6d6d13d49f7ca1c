"""Turning a backtest result into what is stored and printed.

* :func:`config_dict`: the settings of a run as JSON-ready values;
* :func:`stored_trades`: the trades table as repository rows;
* :func:`new_run`: a :class:`~moonai_tui.store.backtests.NewBacktestRun` for the store;
* :func:`metrics_lines`: the metrics table the CLI prints.
"""

from __future__ import annotations

import math
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from moonai_tui.backtest.config import BacktestConfig, DepthSlippage
from moonai_tui.store.backtests import NewBacktestRun, StoredTrade

if TYPE_CHECKING:
    from moonai_tui.backtest.metrics import Metrics
    from moonai_tui.backtest.run import BacktestResult

PERCENT_METRICS = frozenset(
    {
        "total_return",
        "annualised_return",
        "volatility",
        "max_drawdown",
        "win_rate",
        "exposure",
    }
)
"""Metrics that are fractions and read best as percentages."""


def config_dict(config: BacktestConfig) -> dict[str, Any]:
    """``config`` as JSON values; a funding rate series is summarised by its length."""
    out: dict[str, Any] = {}
    for spec in fields(config):
        value = getattr(config, spec.name)
        if spec.name == "slippage":
            model = "depth" if isinstance(value, DepthSlippage) else "fixed"
            out[spec.name] = {"model": model, **asdict(value)}
        elif spec.name == "funding_rates":
            out[spec.name] = None if value is None else f"series of {len(value)} rates"
        else:
            out[spec.name] = value
    return out


def stored_trades(trades: pd.DataFrame) -> list[StoredTrade]:
    """The rows of a :data:`~moonai_tui.backtest.run.TRADE_COLUMNS` table, numbered from 1."""
    entry = pd.DatetimeIndex(trades["entry_time"]).as_unit("ms").asi8
    exit_ = pd.DatetimeIndex(trades["exit_time"]).as_unit("ms").asi8
    columns = {
        name: trades[name].to_numpy(dtype=np.float64)
        for name in (
            "qty",
            "entry_price",
            "exit_price",
            "fees",
            "funding",
            "pnl",
            "return_pct",
        )
    }
    return [
        StoredTrade(
            seq=i + 1,
            side=str(trades["side"].iat[i]),
            entry_ms=int(entry[i]),
            exit_ms=int(exit_[i]),
            qty=float(columns["qty"][i]),
            entry_price=float(columns["entry_price"][i]),
            exit_price=float(columns["exit_price"][i]),
            fees=float(columns["fees"][i]),
            funding=float(columns["funding"][i]),
            pnl=float(columns["pnl"][i]),
            return_pct=float(columns["return_pct"][i]),
            exit_reason=str(trades["exit_reason"].iat[i]),
        )
        for i in range(len(trades))
    ]


def new_run(
    *,
    kind: str,
    strategy: str,
    params: dict[str, Any],
    symbol: str,
    timeframe: str,
    step_ms: int,
    source: str,
    result: BacktestResult,
    detail: dict[str, Any] | None = None,
) -> NewBacktestRun:
    """The stored form of ``result`` (its equity index gives the range)."""
    times = pd.DatetimeIndex(result.equity.index).as_unit("ms").asi8
    return NewBacktestRun(
        kind=kind,
        strategy=strategy,
        params=dict(params),
        symbol=symbol,
        timeframe=timeframe,
        from_ms=int(times[0]),
        until_ms=int(times[-1]) + step_ms,
        bars=len(times),
        source=source,
        config=config_dict(result.config),
        metrics={
            **result.metrics.to_dict(),
            "skipped_entries": result.skipped_entries,
            "funding_paid": _finite(result.funding_paid),
        },
        equity_ms=times.tolist(),
        equity=result.equity.to_numpy(dtype=np.float64).tolist(),
        detail=detail or {},
        trades=stored_trades(result.trades),
    )


def metrics_lines(metrics: Metrics | dict[str, Any]) -> list[str]:
    """``name  value`` lines, fractions as percentages, ``inf`` spelled out."""
    values = metrics if isinstance(metrics, dict) else asdict(metrics)
    width = max(len(name) for name in values)
    return [f"{name:<{width}}  {format_metric(name, value)}" for name, value in values.items()]


def format_metric(name: str, value: Any) -> str:
    """One metric for people: ``12.34%``, ``1.52``, ``inf``, ``1,234.56``."""
    if value is None:
        return "inf"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return "inf" if value > 0 else "-inf"
    if name in PERCENT_METRICS:
        return f"{value * 100:,.2f}%"
    if abs(value) >= 1000:
        return f"{value:,.2f}"
    return f"{value:,.4f}"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
