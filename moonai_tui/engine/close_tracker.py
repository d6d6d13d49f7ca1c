"""Closing orders in flight, per symbol: what is already on its way to close a position.

A close is sized from the position the engine knows; fills still on their way
(an entry that filled at the exchange just before a kill) make that size stale.
Knowing what is already being closed lets the trader send only the rest, never
a second close for the same quantity, and lets a latched kill switch keep
closing until the position is really flat.

A close is registered BEFORE its request leaves, keyed by its client order id:
its fills and order updates may arrive over the stream at any moment, even
before a timed-out submit has been resolved, and each must find it there.
"""

from __future__ import annotations

from decimal import Decimal

from moonai_tui.domain import Fill, OrderRecord, OrderRequest

_DEAD = frozenset({"cancelled", "rejected"})
"""Final states in which the unfilled rest of a close will never fill."""


class CloseTracker:
    """Remaining quantity of each reduce-only order sent and not yet filled or dead."""

    def __init__(self) -> None:
        self._remaining: dict[str, tuple[str, Decimal]] = {}
        """client order id -> (symbol, quantity still to fill)."""

    def sending(self, request: OrderRequest) -> None:
        """A close is about to be submitted; tracked until its fills arrive (not its
        status: the venue may say filled before the fills reach the engine)."""
        if request.reduce_only:
            self._remaining[request.client_order_id] = (request.symbol, request.qty)

    def sent(self, record: OrderRecord) -> None:
        """The submit returned. Only a refusal settles anything here: the fills may
        already have counted the close down (or off), so it is never added back."""
        self.changed(record)

    def abandoned(self, client_order_id: str) -> None:
        """The submit failed without an outcome; a close that blocks every later exit
        is worse than a second reduce-only close, which can never over-close."""
        self._remaining.pop(client_order_id, None)

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
