"""Closing orders in flight, per symbol: what is already on its way to close a position.

A close is sized from the position the engine knows; fills still on their way
(an entry that filled at the exchange just before a kill) make that size stale.
Knowing what is already being closed lets the trader send only the rest, never
a second close for the same quantity, and lets a latched kill switch keep
closing until the position is really flat.
"""

from __future__ import annotations

from decimal import Decimal

from moonai_tui.domain import Fill, OrderRecord

_DEAD = frozenset({"cancelled", "rejected"})
"""Final states in which the unfilled rest of a close will never fill."""


class CloseTracker:
    """Remaining quantity of each reduce-only order sent and not yet filled or dead."""

    def __init__(self) -> None:
        self._remaining: dict[str, tuple[str, Decimal]] = {}
        """client order id -> (symbol, quantity still to fill)."""

    def sent(self, record: OrderRecord) -> None:
        """A close was submitted; tracked until its fills arrive (not its status: the
        venue may say filled before the fills reach the engine)."""
        request = record.request
        if request.reduce_only and record.status not in _DEAD:
            self._remaining[request.client_order_id] = (request.symbol, request.qty)

    def restored(self, record: OrderRecord) -> None:
        """A close taken back after a restart; its stored fills are already counted."""
        request = record.request
        if request.reduce_only and not record.is_final:
            remaining = request.qty - record.filled_qty
            if remaining > 0:
                self._remaining[request.client_order_id] = (request.symbol, remaining)

    def filled(self, fill: Fill) -> None:
        """A fill was recorded (each once); a close's remainder shrinks with it."""
        tracked = self._remaining.get(fill.client_order_id or "")
        if tracked is None:
            return
        symbol, remaining = tracked
        if remaining - fill.qty > 0:
            self._remaining[fill.client_order_id or ""] = (symbol, remaining - fill.qty)
        else:
            del self._remaining[fill.client_order_id or ""]

    def changed(self, record: OrderRecord) -> None:
        """An order changed state; a cancelled or rejected close closes nothing more."""
        if record.status in _DEAD:
            self._remaining.pop(record.request.client_order_id, None)

    def closing(self, symbol: str) -> Decimal:
        """The quantity of ``symbol`` already being closed."""
        return sum(
            (qty for tracked_symbol, qty in self._remaining.values() if tracked_symbol == symbol),
            Decimal(0),
        )
