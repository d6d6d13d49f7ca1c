"""Execution rules shared by the paper broker and the backtester: fees and the fill model.

Pure: no engine, exchange client, database or network imports, so the backtester
(which never imports the engine) and the paper broker use the very same rules.
"""

from __future__ import annotations

from moonai_tui.execution.fees import (
    BYBIT_LINEAR_MAKER,
    BYBIT_LINEAR_TAKER,
    FeeSchedule,
    Liquidity,
)
from moonai_tui.execution.fill_model import FillModel, LookAheadError
from moonai_tui.execution.fills import FillLeg, FillReason, FillResult
from moonai_tui.execution.intrabar import (
    ExitKind,
    ExitTrigger,
    PositionSide,
    resolve_exit_trigger,
)

__all__ = [
    "BYBIT_LINEAR_MAKER",
    "BYBIT_LINEAR_TAKER",
    "ExitKind",
    "ExitTrigger",
    "FeeSchedule",
    "FillLeg",
    "FillModel",
    "FillReason",
    "FillResult",
    "Liquidity",
    "LookAheadError",
    "PositionSide",
    "resolve_exit_trigger",
]
