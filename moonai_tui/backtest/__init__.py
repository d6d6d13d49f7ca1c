"""The backtester: strategies run on history with the live fill, fee and risk rules.

Entry points: :func:`run_backtest` (a strategy on bars -> :class:`BacktestResult`)
and, for benchmarks and optimisers, :func:`simulate_arrays` (the compiled loop on
plain arrays) with :func:`kernel_params` and :func:`events_from_target`.

Names load on first use, so importing this package (or ``backtest.metrics``) does
not import numba; the compiled loop loads with the first backtest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moonai_tui.backtest.config import (
        BacktestConfig,
        DepthSlippage,
        FixedSlippage,
    )
    from moonai_tui.backtest.inputs import events_from_target, funding_per_bar
    from moonai_tui.backtest.run import (
        TRADE_COLUMNS,
        BacktestResult,
        kernel_params,
        run_backtest,
    )
    from moonai_tui.backtest.simulate import (
        EXIT_REASONS,
        KernelOutput,
        KernelParams,
        simulate_arrays,
    )

_HOMES = {
    "BacktestConfig": "config",
    "DepthSlippage": "config",
    "FixedSlippage": "config",
    "events_from_target": "inputs",
    "funding_per_bar": "inputs",
    "TRADE_COLUMNS": "run",
    "BacktestResult": "run",
    "kernel_params": "run",
    "run_backtest": "run",
    "EXIT_REASONS": "simulate",
    "KernelOutput": "simulate",
    "KernelParams": "simulate",
    "simulate_arrays": "simulate",
}

__all__ = [
    "EXIT_REASONS",
    "TRADE_COLUMNS",
    "BacktestConfig",
    "BacktestResult",
    "DepthSlippage",
    "FixedSlippage",
    "KernelOutput",
    "KernelParams",
    "events_from_target",
    "funding_per_bar",
    "kernel_params",
    "run_backtest",
    "simulate_arrays",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
