"""Strategies: the base class, parameters, loading, order transitions and causality checks.

See ``base`` for a complete example, ``transitions`` for how a target series
becomes orders (the same in backtest, paper and live) and ``causality`` for the
look-ahead check.
"""

from __future__ import annotations

from moonai_tui.strategy.base import LIVE_MARGIN, MIN_LIVE_BARS, Signal, Strategy
from moonai_tui.strategy.loader import (
    call_strategy,
    evaluate_stops,
    evaluate_target,
    list_strategies,
    load_strategy,
    load_strategy_class,
    strategy_file,
    target_values,
)
from moonai_tui.strategy.params import (
    DEFAULT_PARAMS_FILE,
    ParamSpec,
    ParamValue,
    load_params,
    param,
    parse_param_overrides,
)
from moonai_tui.strategy.transitions import (
    Action,
    OrderEvent,
    carried_target,
    next_action,
    order_events,
    target_edges,
)

__all__ = [
    "DEFAULT_PARAMS_FILE",
    "LIVE_MARGIN",
    "MIN_LIVE_BARS",
    "Action",
    "OrderEvent",
    "ParamSpec",
    "ParamValue",
    "Signal",
    "Strategy",
    "call_strategy",
    "carried_target",
    "evaluate_stops",
    "evaluate_target",
    "list_strategies",
    "load_params",
    "load_strategy",
    "load_strategy_class",
    "next_action",
    "order_events",
    "param",
    "parse_param_overrides",
    "strategy_file",
    "target_edges",
    "target_values",
]
