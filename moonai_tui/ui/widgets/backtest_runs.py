"""Stored backtest runs on the backtest screen: the runs table and the comparison rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from moonai_tui.backtest.report import format_metric
from moonai_tui.ui.format import utc

if TYPE_CHECKING:
    from moonai_tui.store.backtests import BacktestRunRecord

SHOWN_METRICS = (
    "total_return",
    "annualised_return",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "volatility",
    "win_rate",
    "profit_factor",
    "expectancy",
    "exposure",
    "turnover",
    "fees_paid",
    "funding_paid",
    "trades",
    "skipped_entries",
    "final_equity",
)
"""The metrics the screen shows, in order."""


class RunsTable(DataTable[str]):
    """The stored runs (row key = run id); space marks the row's run for comparison."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "mark", "mark to compare")]

    class Marked(Message):
        """Space was pressed on run ``run_id``."""

        def __init__(self, run_id: int) -> None:
            super().__init__()
            self.run_id = run_id

    def action_mark(self) -> None:
        if self.row_count:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
            if key is not None:
                self.post_message(self.Marked(int(key)))


def mark(run_id: int, marked: list[int]) -> str:
    """The mark column's cell for ``run_id``."""
    return "●" if run_id in marked else ""


def compare_rows(a: BacktestRunRecord, b: BacktestRunRecord) -> list[tuple[str, list[str]]]:
    """Rows of the comparison: what ran, then each metric for both runs."""
    pairs = (a.summary, b.summary)
    rows: list[tuple[str, list[str]]] = [
        ("run", [f"#{s.id}" for s in pairs]),
        ("kind", [s.kind for s in pairs]),
        ("strategy", [s.strategy for s in pairs]),
        ("market", [f"{s.symbol} {s.timeframe}" for s in pairs]),
        ("from (UTC)", [f"{utc(s.from_ms):%y-%m-%d %H:%M}" for s in pairs]),
        ("until", [f"{utc(s.until_ms):%y-%m-%d %H:%M}" for s in pairs]),
    ]
    # One row per parameter: two strategies' parameters side by side stay readable.
    names = list(dict.fromkeys([*pairs[0].params, *pairs[1].params]))
    for name in names:
        rows.append((name, [str(s.params.get(name, "—")) for s in pairs]))
    for name in SHOWN_METRICS:
        rows.append((name, [format_metric(name, s.metrics.get(name)) for s in pairs]))
    return rows
