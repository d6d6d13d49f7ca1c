"""The trading path: signal → approval → risk gate → order manager → venue → fills → portfolio.

One ``Trader`` per engine. It owns the approval queue, the positions and the
account view the risk gate sees, and publishes every step as an event. The
venue is an ``ExecutionClient`` with a feed hook (the paper broker); orders,
fills, positions, refusals and operator actions go to the journal as they happen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal

from moonai_tui.domain import (
    Fill,
    Instrument,
    KillSwitchState,
    OrderBook,
    OrderRecord,
    OrderRequest,
    Position,
    Side,
    Trade,
    TradingMode,
)
from moonai_tui.engine.account_view import CURVE_POINTS, DAY_MS, AccountView
from moonai_tui.engine.approvals import ApprovalDecided, ApprovalQueue
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.client import CommandResult
from moonai_tui.engine.clock import Clock
from moonai_tui.engine.close_tracker import CloseTracker
from moonai_tui.engine.events import NoticeRaised
from moonai_tui.engine.order_manager import OrderManager, new_client_order_id
from moonai_tui.engine.paper_restore import restore_paper_venue
from moonai_tui.engine.portfolio import apply_fill, flat, unrealised_pnl
from moonai_tui.engine.staleness import always_open
from moonai_tui.engine.trading_events import (
    ApprovalRequested,
    ApprovalResolved,
    FillRecorded,
    KillSwitchChanged,
    OrderDenied,
    OrderUpdated,
    PositionChanged,
    RiskStatusChanged,
    SignalRaised,
)
from moonai_tui.errors import TemporaryError
from moonai_tui.exchange.execution import ExecutionClient, OrderRejected, VenueOrder
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.risk import AccountSnapshot, Denied, DenyCode, OrderIntent, check_order
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store.journal import TradingJournal

UNPROTECTED_ALARM_MS = 1_000
"""A position without a stop for longer than this is closed (the protection invariant)."""


class Trader:
    """Trades one account (paper for now) on the engine's feed."""

    def __init__(
        self,
        *,
        bus: EventBus,
        clock: Clock,
        journal: TradingJournal,
        venue: ExecutionClient,
        paper: PaperBroker | None,
        mode: TradingMode,
        instruments: Mapping[str, Instrument],
        limits: RiskLimits,
        manual_approval: bool,
        approval_timeout_ms: int,
        starting_equity: Decimal,
    ) -> None:
        self._bus = bus
        self._clock = clock
        self._journal = journal
        self._venue = venue
        self._paper = paper
        self._halted = ""
        self._unprotected_since: dict[str, int] = {}
        self._mode = mode
        self._instruments = instruments
        self._limits = limits
        self._manual = manual_approval
        self._orders = OrderManager(venue, journal, clock, mode)
        self.queue = ApprovalQueue(approval_timeout_ms)
        self._account = AccountView(starting_equity, clock.now_ms)
        self._saved_protections = 0
        self._closes = CloseTracker()
        # The same dicts the account view reads: positions and marks live there.
        self._positions = self._account.positions
        self._marks = self._account.marks
        self._kill = KillSwitchState(False, "", None, "")
        self.entry_gate: Callable[[str], str] = always_open
        """Why an entry on a symbol must wait for fresh market data ('' = it need not)."""

    # Lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Load the latch, positions, equity curve and paper venue, then publish the state."""
        self._kill = await self._journal.kill_switch()
        for position in await self._journal.positions(self._mode):
            self._positions[position.symbol] = position
        now = self._clock.now_ms()
        history = await self._journal.equity_history(self._mode, now - now % DAY_MS, CURVE_POINTS)
        self._account.restore(history)
        if self._paper is not None:
            for order in await restore_paper_venue(
                self._paper, self._journal, self._positions, now
            ):
                self._closes.restored(order)
                self._bus.publish(OrderUpdated(order))
            self._saved_protections = self._paper.protections_revision
        self._bus.publish(KillSwitchChanged(self._kill))
        self._publish_risk()

    @property
    def kill_switch(self) -> KillSwitchState:
        return self._kill

    # Account view ------------------------------------------------------------------

    def equity(self) -> Decimal:
        return self._account.equity()

    def snapshot(self) -> AccountSnapshot:
        return self._account.snapshot(self._kill.latched or bool(self._halted))

    def _publish_risk(self) -> None:
        blocked = f"kill switch latched: {self._kill.reason}" if self._kill.latched else ""
        status = self._account.risk_status(self._limits, blocked or self._halted)
        self._bus.publish(RiskStatusChanged(status))

    # Signals and approvals ---------------------------------------------------------

    async def on_signal(
        self, strategy: str, symbol: str, side: Side | None, confidence: float, reasons: str
    ) -> None:
        """Publish the signal; an entry goes through the gate, then approval or straight on."""
        now = self._clock.now_ms()
        self._bus.publish(SignalRaised(strategy, symbol, side, confidence, reasons, now))
        for decided in self.queue.supersede(strategy, symbol, side, now):
            await self._resolved(decided)
        if side is None:
            return
        position = self._positions.get(symbol)
        if position is not None and position.qty and (position.qty > 0) != (side == "buy"):
            # A signal against the open position is an exit: exits never wait for
            # approval and the gate always allows them.
            await self.flatten(symbol, strategy)
            return
        request = await self._gate(symbol, side, strategy)
        if request is None:
            return
        if self._manual:
            item = self.queue.add(request, confidence, reasons, now)
            self._bus.publish(ApprovalRequested(item))
        else:
            await self.submit(request)
            # Audited after sending: the journal row already proves the order existed.
            await self._journal.record_audit(now, "auto", "approve", request.client_order_id)

    async def _gate(self, symbol: str, side: Side, strategy: str | None) -> OrderRequest | None:
        mark = self._marks.get(symbol)
        instrument = self._instruments.get(symbol)
        if mark is None or instrument is None:
            await self._deny(symbol, "no_price", f"no price yet for {symbol}")
            return None
        stale = self.entry_gate(symbol)
        account = replace(self.snapshot(), data_stale=True) if stale else self.snapshot()
        decision = check_order(OrderIntent(symbol, side, mark), account, instrument, self._limits)
        if isinstance(decision, Denied):
            reason = stale if decision.code == DenyCode.STALE_DATA else decision.reason
            await self._deny(symbol, str(decision.code), reason)
            return None
        return OrderRequest(
            new_client_order_id(),
            symbol,
            side,
            "market",
            decision.qty,
            stop_loss=decision.stop_loss,
            take_profit=decision.take_profit,
            strategy=strategy,
        )

    async def _deny(self, symbol: str, code: str, reason: str) -> None:
        now = self._clock.now_ms()
        await self._journal.record_risk_event(now, code, symbol, reason)
        self._bus.publish(OrderDenied(symbol, code, reason, now))

    async def decide(self, item_id: int, approve: bool, actor: str) -> CommandResult:
        """Approve (re-checked by the gate at today's prices) or reject a pending entry."""
        now = self._clock.now_ms()
        try:
            decided = self.queue.decide(item_id, approve, actor, now)
        except KeyError as exc:
            return CommandResult(False, str(exc.args[0]))
        await self._resolved(decided)
        if not approve:
            return CommandResult(True, f"rejected #{item_id}")
        item = decided.item
        request = await self._gate(item.request.symbol, item.request.side, item.request.strategy)
        if request is None:
            return CommandResult(False, f"#{item_id} approved but refused by the risk gate")
        record = await self.submit(request)
        return CommandResult(record.status != "rejected", f"#{item_id} sent: {record.status}")

    async def _resolved(self, decided: ApprovalDecided) -> None:
        await self._journal.record_audit(
            decided.at_ms,
            decided.actor,
            decided.decision,
            f"approval-{decided.item.id}",
            f"{decided.item.request.client_order_id} {decided.reason}".rstrip(),
        )
        self._bus.publish(ApprovalResolved(decided))

    async def expire_approvals(self) -> None:
        for decided in self.queue.expire(self._clock.now_ms()):
            await self._resolved(decided)

    # Orders ------------------------------------------------------------------------

    async def submit(self, request: OrderRequest) -> OrderRecord:
        record = await self._orders.submit(request)
        self._closes.sent(record)
        self._order_changed(record)
        return record

    def _order_changed(self, record: OrderRecord) -> None:
        self._closes.changed(record)
        self._bus.publish(OrderUpdated(record))

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
            self._order_changed(updated)
        return CommandResult(True, f"cancelled {client_order_id}")

    async def flatten(self, symbol: str, actor: str) -> CommandResult:
        position = self._positions.get(symbol)
        if position is None or position.qty == 0:
            return CommandResult(False, f"no open position in {symbol}")
        # Only what no close in flight covers yet: a second press never closes twice.
        qty = abs(position.qty) - self._closes.closing(symbol)
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

    async def kill(self, actor: str, reason: str) -> CommandResult:
        """Latch first (nothing new may start), then cancel everything and flatten."""
        now = self._clock.now_ms()
        self._kill = await self._journal.set_kill_switch(True, reason, actor, now)
        self._bus.publish(KillSwitchChanged(self._kill))
        # Nothing pending can be approved from here on; its audit waits until the
        # cancels and closes have been sent, which are what must be quick.
        cleared = self.queue.clear("kill-switch", now)
        for order in await self._journal.orders(self._mode, open_only=True):
            if order.request.reduce_only:
                continue
            await self.cancel_order(order.request.client_order_id, "kill-switch")
        await self._keep_flat()
        for decided in cleared:
            await self._resolved(decided)
        self._publish_risk()
        return CommandResult(True, "kill switch latched: orders cancelled, positions closing")

    async def _keep_flat(self) -> None:
        """While the latch is set, close whatever is open and not already being closed:
        a fill that was on its way when the kill came must not leave a position."""
        if not self._kill.latched:
            return
        for symbol, position in list(self._positions.items()):
            if abs(position.qty) > self._closes.closing(symbol):
                await self.flatten(symbol, "kill-switch")

    async def reset_kill(self, actor: str) -> CommandResult:
        if not self._kill.latched:
            return CommandResult(False, "the kill switch is not latched")
        self._kill = await self._journal.set_kill_switch(
            False, "reset", actor, self._clock.now_ms()
        )
        self._bus.publish(KillSwitchChanged(self._kill))
        self._publish_risk()
        return CommandResult(True, "kill switch reset: entries may resume")

    # Feed ----------------------------------------------------------------------------

    async def on_book(self, book: OrderBook) -> None:
        if book.bids and book.asks:
            mid = (Decimal(repr(book.bids[0].price)) + Decimal(repr(book.asks[0].price))) / 2
            self._marks[book.symbol] = mid
        if self._paper is not None:
            await self.apply_fills(self._paper.on_book(book))
        position = self._positions.get(book.symbol)
        if position is not None and position.qty:
            self._publish_position(position)
        await self._check_protection()
        await self._sample_equity(force=False)
        await self.expire_approvals()

    async def _check_protection(self) -> None:
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

    async def on_trades(self, symbol: str, trades: tuple[Trade, ...]) -> None:
        if trades:
            self._marks[symbol] = Decimal(repr(trades[-1].price))
        if self._paper is None:
            return
        for trade in trades:
            await self.apply_fills(self._paper.on_trade(trade, symbol))

    def set_wallet_equity(self, wallet: Decimal) -> None:
        """Live: make equity start from the exchange wallet, not from stored PnL."""
        self._account.set_wallet_equity(wallet)

    @property
    def halted_reason(self) -> str:
        """Why entries are blocked without the latch ('' when they are not)."""
        return self._halted

    def halt(self, reason: str) -> None:
        """Block new entries (not latched: a restart re-checks) and say why."""
        self._halted = reason
        self._publish_risk()

    async def apply_order_update(self, venue_order: VenueOrder) -> None:
        """An order state the venue reported (stream or reconciliation)."""
        if venue_order.client_order_id is None:
            return
        updated = await self._journal.update_order(
            venue_order.client_order_id,
            venue_order.status,
            self._clock.now_ms(),
            exchange_order_id=venue_order.exchange_order_id,
            filled_qty=venue_order.filled_qty,
            avg_price=venue_order.avg_price,
            fee=venue_order.fee,
        )
        if updated is not None:
            self._order_changed(updated)
            await self._keep_flat()

    async def apply_fills(self, fills: list[Fill]) -> None:
        """Store new fills once each and move positions, PnL and orders with them."""
        touched: set[str] = set()
        for fill in fills:
            if not await self._journal.record_fill(fill, self._mode):
                continue
            self._closes.filled(fill)
            position = apply_fill(self._positions.get(fill.symbol, flat(fill.symbol)), fill)
            if fill.client_order_id is not None:
                order = await self._journal.order(fill.client_order_id)
                if order is not None and order.request.stop_loss is not None:
                    position = _protected(
                        position, order.request.stop_loss, order.request.take_profit
                    )
            self._positions[fill.symbol] = position
            if position.qty == 0 and self._paper is not None:
                # Closed by an exit or a flatten: its stop and target must not fire later.
                self._paper.drop_protections(fill.symbol)
            await self._journal.save_position(position, self._mode)
            self._bus.publish(FillRecorded(fill))
            self._publish_position(position)
            if fill.client_order_id:
                touched.add(fill.client_order_id)
        for client_order_id in touched:
            await self._refresh_order(client_order_id)
        if self._paper is not None and self._paper.protections_revision != self._saved_protections:
            self._saved_protections = self._paper.protections_revision
            await self._journal.save_paper_protections(self._paper.protections())
        if fills:
            await self._sample_equity(force=True)
            self._publish_risk()
            await self._keep_flat()

    async def _sample_equity(self, *, force: bool) -> None:
        """Store a point of the equity curve when one is due (see AccountView.sample)."""
        sample = self._account.sample(force=force)
        if sample is not None:
            await self._journal.record_equity(self._mode, sample)
            if not force:
                self._publish_risk()

    async def _refresh_order(self, client_order_id: str) -> None:
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
            self._order_changed(updated)

    def _publish_position(self, position: Position) -> None:
        mark = self._marks.get(position.symbol)
        upnl = unrealised_pnl(position, mark) if mark is not None else Decimal(0)
        self._bus.publish(PositionChanged(position, mark, upnl))

    def positions(self) -> list[Position]:
        return [p for p in self._positions.values() if p.qty]


def _protected(position: Position, stop: Decimal, target: Decimal | None) -> Position:
    if position.qty == 0:
        return position
    return replace(position, stop_loss=stop, take_profit=target)
