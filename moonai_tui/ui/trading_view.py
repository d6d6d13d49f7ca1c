"""What the trading panes show, folded from engine events.

Pure functions over immutable tuples: the main screen folds each event into
the current value and hands the result down to the desk, which binds it to
its panes. Keeping the folding here (and not in the panes) means a layout
switch, which recreates the panes, loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from moonai_tui.domain import OrderRecord, Position
from moonai_tui.engine.approvals import ApprovalDecided, PendingApproval
from moonai_tui.engine.trading_events import PositionChanged, SignalRaised

MAX_SIGNALS = 50
"""Signals kept for the Signals pane, newest first."""
MAX_FINAL_ORDERS = 30
"""Filled, cancelled and rejected orders kept beside the open ones."""


@dataclass(frozen=True, slots=True)
class SignalRow:
    """A signal and, once an approval is linked to it, what became of it.

    Attributes:
        signal: The event as the strategy raised it.
        approval_id: The pending entry made from it, if any.
        status: ``""`` (none), ``pending``, ``approved``, ``rejected`` or ``expired``.
    """

    signal: SignalRaised
    approval_id: int | None = None
    status: str = ""


@dataclass(frozen=True, slots=True)
class PositionRow:
    """A position with the mark price and unrealised PnL it was last reported with."""

    position: Position
    mark: Decimal | None
    unrealised_pnl: Decimal

    @property
    def key(self) -> str:
        """The symbol: one position per symbol."""
        return self.position.symbol


def add_signal(rows: tuple[SignalRow, ...], signal: SignalRaised) -> tuple[SignalRow, ...]:
    """``rows`` with ``signal`` on top, at most :data:`MAX_SIGNALS` long."""
    return (SignalRow(signal), *rows)[:MAX_SIGNALS]


def link_approval(rows: tuple[SignalRow, ...], item: PendingApproval) -> tuple[SignalRow, ...]:
    """Mark the newest unlinked signal that ``item`` came from as pending.

    The engine does not name the signal an entry came from, so the match is
    the newest signal of the same strategy, symbol and side raised no later
    than the entry; a signal already linked is never relinked, and a FLAT
    signal never makes an entry.
    """
    request = item.request
    for index, row in enumerate(rows):
        signal = row.signal
        if (
            row.approval_id is None
            and signal.strategy == request.strategy
            and signal.symbol == request.symbol
            and signal.side == request.side
            and signal.ts_ms <= item.created_ms
        ):
            linked = replace(row, approval_id=item.id, status="pending")
            return (*rows[:index], linked, *rows[index + 1 :])
    return rows


def resolve_signal(rows: tuple[SignalRow, ...], decided: ApprovalDecided) -> tuple[SignalRow, ...]:
    """Show the decision on the signal linked to the decided entry."""
    return tuple(
        replace(row, status=decided.decision) if row.approval_id == decided.item.id else row
        for row in rows
    )


def add_pending(
    items: tuple[PendingApproval, ...], item: PendingApproval
) -> tuple[PendingApproval, ...]:
    """``items`` with ``item`` added (or replaced), oldest first: the queue's order."""
    kept = tuple(existing for existing in items if existing.id != item.id)
    return tuple(sorted((*kept, item), key=lambda pending: pending.id))


def remove_pending(items: tuple[PendingApproval, ...], item_id: int) -> tuple[PendingApproval, ...]:
    """``items`` without entry ``item_id``."""
    return tuple(item for item in items if item.id != item_id)


def update_position(
    rows: tuple[PositionRow, ...], event: PositionChanged
) -> tuple[PositionRow, ...]:
    """``rows`` with the symbol's row replaced in place, added, or dropped when flat."""
    row = PositionRow(event.position, event.mark, event.unrealised_pnl)
    others = tuple(existing for existing in rows if existing.key != row.key)
    if row.position.qty == 0:
        return others
    keys = [existing.key for existing in rows]
    if row.key in keys:
        index = keys.index(row.key)
        return (*rows[:index], row, *rows[index + 1 :])
    return (*rows, row)


def update_order(orders: tuple[OrderRecord, ...], order: OrderRecord) -> tuple[OrderRecord, ...]:
    """``orders`` with ``order`` replaced or added, newest first.

    Every open order stays; of the final ones only the newest
    :data:`MAX_FINAL_ORDERS` are kept.
    """
    key = order.request.client_order_id
    merged = [existing for existing in orders if existing.request.client_order_id != key]
    merged.append(order)
    merged.sort(key=lambda record: (record.created_ms, record.request.client_order_id))
    merged.reverse()
    kept: list[OrderRecord] = []
    finals = 0
    for record in merged:
        if record.is_final:
            finals += 1
            if finals > MAX_FINAL_ORDERS:
                continue
        kept.append(record)
    return tuple(kept)
