"""The order side of the trader: orders out, their states back, and the ways out.

Sending and cancelling orders, applying the states the venue reports, closing
positions (flatten, the latched kill switch, the protection invariant). Split
out of the trader because this is the path that must work whatever else is
wrong (halted, stale, over a limit): it never asks the risk gate, and it keeps
track of every close in flight so that no position is ever closed twice. The
trader keeps the decisions (signals, gate, approvals) and fills -> portfolio.
"""

from __future__ import annotations

from moonai_tui.domain import (
    KillSwitchState,
    OrderRecord,
    OrderRequest,
    Position,
    Side,
    TradingMode,
)
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.client import CommandResult
from moonai_tui.engine.clock import Clock
from moonai_tui.engine.close_tracker import CloseTracker
from moonai_tui.engine.events import NoticeRaised
from moonai_tui.engine.order_manager import OrderManager, new_client_order_id
from moonai_tui.engine.trading_events import KillSwitchChanged, OrderUpdated
from moonai_tui.errors import TemporaryError
from moonai_tui.exchange.execution import ExecutionClient, OrderRejected, VenueOrder
from moonai_tui.store.journal import TradingJournal

UNPROTECTED_ALARM_MS = 1_000
"""A position without a stop for longer than this is closed (the protection invariant)."""


class Exits:
    """Orders out, closes in flight and the kill-switch latch of one account."""

    def __init__(
        self,
        *,
        bus: EventBus,
        clock: Clock,
        journal: TradingJournal,
        venue: ExecutionClient,
        mode: TradingMode,
        positions: dict[str, Position],
    ) -> None:
        self._bus = bus
        self._clock = clock
        self._journal = journal
        self._venue = venue
        self._mode = mode
        self._positions = positions
        """The trader's own dict: a close is sized from what it knows now."""
        self._orders = OrderManager(venue, journal, clock, mode)
        self.closes = CloseTracker()
        self.kill_state = KillSwitchState(False, "", None, "")
        self._unprotected_since: dict[str, int] = {}

    async def load(self) -> None:
        """The latch as stored, and the closes the journal says are still in flight."""
        self.kill_state = await self._journal.kill_switch()
        await self.track_open_closes()

    async def track_open_closes(self) -> None:
        """Start over from the journal's unfinished closes (after a restart or a
        reconciliation, which may have settled orders without telling the trader)."""
        self.closes = CloseTracker()
        for order in await self._journal.orders(self._mode, open_only=True):
            self.closes.restored(order)

    # Orders -------------------------------------------------------------------------

    async def submit(self, request: OrderRequest) -> OrderRecord:
        # In flight before it leaves: its fills may come back before the submit does.
        self.closes.sending(request)
        try:
            record = await self._orders.submit(request)
        except BaseException:
            self.closes.abandoned(request.client_order_id)
            raise
        self.closes.sent(record)
        self.order_changed(record)
        return record

    def order_changed(self, record: OrderRecord) -> None:
        self.closes.changed(record)
        self._bus.publish(OrderUpdated(record))

    async def apply_update(self, venue_order: VenueOrder, detail: str = "") -> None:
        """An order state the venue reported (stream, reconciliation, paper venue)."""
        if venue_order.client_order_id is None:
            return
        updated = await self._journal.update_order(
            venue_order.client_order_id,
            venue_order.status,
            self._clock.now_ms(),
            detail=detail,
            exchange_order_id=venue_order.exchange_order_id,
            filled_qty=venue_order.filled_qty,
            avg_price=venue_order.avg_price,
            fee=venue_order.fee,
        )
        if updated is not None:
            self.order_changed(updated)
            await self.keep_flat()

    async def refresh(self, client_order_id: str) -> None:
        """Ask the venue for the order's state now (after its fills were stored)."""
        record = await self._journal.order(client_order_id)
        if record is None:
            return
        try:
            venue = await self._venue.fetch_order(client_order_id, record.request.symbol)
        except TemporaryError:
            return  # the order stream or the next reconciliation brings it
        if venue is None:
            return
        updated = await self._journal.update_order(
            client_order_id,
            venue.status,
            self._clock.now_ms(),
            filled_qty=venue.filled_qty,
            avg_price=venue.avg_price,
            fee=venue.fee,
        )
        if updated is not None:
            self.order_changed(updated)

    async def cancel_order(self, client_order_id: str, actor: str) -> CommandResult:
        record = await self._journal.order(client_order_id)
        if record is None or record.is_final:
            return CommandResult(False, f"order {client_order_id} is not open")
        try:
            await self._venue.cancel(client_order_id, record.request.symbol)
        except OrderRejected as exc:
            return CommandResult(False, str(exc))
        now = self._clock.now_ms()
        updated = await self._journal.update_order(
            client_order_id, "cancelled", now, detail=f"cancelled by {actor}"
        )
        await self._journal.record_audit(now, actor, "cancel", client_order_id)
        if updated is not None:
            self.order_changed(updated)
        return CommandResult(True, f"cancelled {client_order_id}")

    async def flatten(self, symbol: str, actor: str) -> CommandResult:
        position = self._positions.get(symbol)
        if position is None or position.qty == 0:
            return CommandResult(False, f"no open position in {symbol}")
        # Only what no close in flight covers yet: a second press never closes twice.
        qty = abs(position.qty) - self.closes.closing(symbol)
        if qty <= 0:
            return CommandResult(False, f"{symbol} is already being closed")
        side: Side = "sell" if position.qty > 0 else "buy"
        request = OrderRequest(new_client_order_id(), symbol, side, "market", qty, reduce_only=True)
        now = self._clock.now_ms()
        record = await self.submit(request)
        # Audited after sending, so an exit waits for one commit only (the journal row).
        await self._journal.record_audit(now, actor, "flatten", symbol)
        return CommandResult(record.status != "rejected", f"closing {symbol}: {record.status}")

    # Kill switch ---------------------------------------------------------------------

    async def set_latch(self, latched: bool, reason: str, actor: str) -> None:
        """Store the latch (durably, before anything else happens) and announce it."""
        self.kill_state = await self._journal.set_kill_switch(
            latched, reason, actor, self._clock.now_ms()
        )
        self._bus.publish(KillSwitchChanged(self.kill_state))

    async def cancel_entries(self) -> None:
        """Cancel every open order that could add to a position (closes stay)."""
        for order in await self._journal.orders(self._mode, open_only=True):
            if order.request.reduce_only:
                continue
            await self.cancel_order(order.request.client_order_id, "kill-switch")

    async def keep_flat(self) -> None:
        """While the latch is set, close whatever is open and not already being closed:
        a fill that was on its way when the kill came must not leave a position."""
        if not self.kill_state.latched:
            return
        for symbol, position in list(self._positions.items()):
            if abs(position.qty) > self.closes.closing(symbol):
                await self.flatten(symbol, "kill-switch")

    # Protection ----------------------------------------------------------------------

    async def check_protection(self) -> None:
        """Close any position that has had no stop-loss for over a second."""
        now = self._clock.now_ms()
        for symbol, position in list(self._positions.items()):
            if not position.qty or position.stop_loss is not None:
                self._unprotected_since.pop(symbol, None)
                continue
            since = self._unprotected_since.setdefault(symbol, now)
            if now - since > UNPROTECTED_ALARM_MS:
                del self._unprotected_since[symbol]
                reason = f"{symbol} had no stop-loss for over 1 s: closing it"
                await self._journal.record_risk_event(now, "unprotected", symbol, reason)
                self._bus.publish(NoticeRaised("error", reason))
                await self.flatten(symbol, "protection")
