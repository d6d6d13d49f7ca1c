"""The trading path: signal → approval → risk gate → order manager → venue → fills → portfolio.

One ``Trader`` per engine. It owns the approval queue, the positions and the
account view the risk gate sees, and publishes every step as an event. The
venue is an ``ExecutionClient`` with a feed hook (the paper broker); orders,
fills, positions, refusals and operator actions go to the journal as they happen.
Sending, cancels, closes and the kill switch's latch live in ``exits``; fills become
positions in ``fill_ledger``.
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
from moonai_tui.engine.exits import Exits
from moonai_tui.engine.fill_ledger import FillLedger
from moonai_tui.engine.order_manager import new_client_order_id
from moonai_tui.engine.paper_restore import restore_paper_venue
from moonai_tui.engine.staleness import always_open
from moonai_tui.engine.stop_overrides import StopOverride, entry_intent
from moonai_tui.engine.trading_events import (
    ApprovalRequested,
    ApprovalResolved,
    KillSwitchChanged,
    OrderDenied,
    OrderUpdated,
    RiskStatusChanged,
    SignalRaised,
)
from moonai_tui.exchange.execution import ExecutionClient, VenueOrder
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.risk import AccountSnapshot, Denied, DenyCode, check_order
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store.journal import TradingJournal
from moonai_tui.store.signals import SignalRecord


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
        self._paper = paper
        self._halted = ""
        self._mode = mode
        self._instruments = instruments
        self._limits = limits
        self._manual = manual_approval
        self.queue = ApprovalQueue(approval_timeout_ms)
        self._account = AccountView(starting_equity, clock.now_ms)
        self._overrides: dict[str, StopOverride] = {}
        """A pending entry's per-trade stops (by client order id), applied again on approval."""
        # The same dicts the account view reads: positions and marks live there.
        self._positions = self._account.positions
        self._marks = self._account.marks
        self._exits = Exits(
            bus=bus, clock=clock, journal=journal, venue=venue, mode=mode, positions=self._positions
        )
        self._fills = FillLedger(
            bus=bus,
            journal=journal,
            exits=self._exits,
            account=self._account,
            paper=paper,
            mode=mode,
            publish_risk=self._publish_risk,
        )
        self.entry_gate: Callable[[str], str] = always_open
        """Why an entry on a symbol must wait for fresh market data ('' = it need not)."""

    # Lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Load the latch, positions, equity curve and paper venue, then publish the state.

        Paper: restoring the venue is its reconciliation, so a latched kill switch
        closes what is still open right here. Live: ``reconciled`` does that, once
        the exchange has been asked.
        """
        await self._exits.load()
        for position in await self._journal.positions(self._mode):
            self._positions[position.symbol] = position
        now = self._clock.now_ms()
        history = await self._journal.equity_history(self._mode, now - now % DAY_MS, CURVE_POINTS)
        self._account.restore(history)
        if self._paper is not None:
            for order in await restore_paper_venue(
                self._paper, self._journal, self._positions, now
            ):
                self._bus.publish(OrderUpdated(order))
            self._fills.protections_saved()
            for symbol, position in self._positions.items():
                self._paper.positions.set(symbol, position.qty)
        self._bus.publish(KillSwitchChanged(self.kill_switch))
        self._publish_risk()
        if self._paper is not None:
            await self._exits.keep_flat()

    async def reconciled(self) -> None:
        """The live account was reconciled: take the closes in flight from the journal
        again (reconciliation settles orders directly there) and, with the kill switch
        latched, close what is still open instead of waiting for the next fill."""
        await self._exits.track_open_closes()
        await self._exits.keep_flat()

    @property
    def kill_switch(self) -> KillSwitchState:
        return self._exits.kill_state

    # Account view ------------------------------------------------------------------

    def equity(self) -> Decimal:
        return self._account.equity()

    def snapshot(self) -> AccountSnapshot:
        return self._account.snapshot(self.kill_switch.latched or bool(self._halted))

    def _publish_risk(self) -> None:
        kill = self.kill_switch
        blocked = f"kill switch latched: {kill.reason}" if kill.latched else ""
        status = self._account.risk_status(self._limits, blocked or self._halted)
        self._bus.publish(RiskStatusChanged(status))

    # Signals and approvals ---------------------------------------------------------

    async def on_signal(
        self,
        strategy: str,
        symbol: str,
        side: Side | None,
        confidence: float,
        reasons: str,
        *,
        stop_loss_pct: float | None = None,
        take_profit_pct: float | None = None,
    ) -> None:
        """Publish the signal; an entry goes through the gate, then approval or straight on.

        ``stop_loss_pct`` / ``take_profit_pct``: the strategy's per-trade stops (fractions
        of the entry; None = the risk settings), as the backtester applies them."""
        now = self._clock.now_ms()
        self._bus.publish(SignalRaised(strategy, symbol, side, confidence, reasons, now))
        raised = SignalRecord(
            now, self._mode, strategy, symbol, side, confidence, reasons,
            stop_loss_pct, take_profit_pct, "exit",
        )  # fmt: skip
        for decided in self.queue.supersede(strategy, symbol, side, now):
            await self._resolved(decided)
        if side is None:
            await self._journal.record_signal(raised)
            return
        position = self._positions.get(symbol)
        if position is not None and position.qty and (position.qty > 0) != (side == "buy"):
            # A signal against the open position is an exit: exits never wait for
            # approval and the gate always allows them.
            await self.flatten(symbol, strategy)
            await self._journal.record_signal(raised)
            return
        stops = StopOverride.given(stop_loss_pct, take_profit_pct)
        request = await self._gate(symbol, side, strategy, stops)
        if request is None:
            await self._journal.record_signal(replace(raised, outcome="denied"))
            return
        # Stored before the order goes out only when it waits for a person (no latency to
        # save), so that the row exists before any decision can update it.
        raised = replace(raised, client_order_id=request.client_order_id)
        if self._manual:
            await self._journal.record_signal(replace(raised, outcome="pending"))
            item = self.queue.add(request, confidence, reasons, now)
            if stops is not None:
                self._overrides[request.client_order_id] = stops
            self._bus.publish(ApprovalRequested(item))
        else:
            await self.submit(request)
            # Audited after sending: the journal row already proves the order existed.
            await self._journal.record_audit(now, "auto", "approve", request.client_order_id)
            await self._journal.record_signal(replace(raised, outcome="auto"))

    async def _gate(
        self, symbol: str, side: Side, strategy: str | None, stops: StopOverride | None
    ) -> OrderRequest | None:
        mark = self._marks.get(symbol)
        instrument = self._instruments.get(symbol)
        if mark is None or instrument is None:
            await self._deny(symbol, "no_price", f"no price yet for {symbol}")
            return None
        intent = entry_intent(symbol, side, mark, stops)
        if isinstance(intent, Denied):
            await self._deny(symbol, str(intent.code), intent.reason)
            return None
        stale = self.entry_gate(symbol)
        account = replace(self.snapshot(), data_stale=True) if stale else self.snapshot()
        decision = check_order(intent, account, instrument, self._limits)
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
        item = decided.item
        stops = self._overrides.get(item.request.client_order_id)
        await self._resolved(decided)
        if not approve:
            return CommandResult(True, f"rejected #{item_id}")
        request = await self._gate(
            item.request.symbol, item.request.side, item.request.strategy, stops
        )
        pending_id = item.request.client_order_id
        if request is None:
            detail = f"approved by {actor}, then refused by the risk gate"
            await self._journal.decide_signal(pending_id, "denied", now, detail=detail)
            return CommandResult(False, f"#{item_id} approved but refused by the risk gate")
        record = await self.submit(request)
        await self._journal.decide_signal(
            pending_id, "approved", now, detail=actor, sent_order_id=request.client_order_id
        )
        return CommandResult(record.status != "rejected", f"#{item_id} sent: {record.status}")

    async def _resolved(self, decided: ApprovalDecided) -> None:
        self._overrides.pop(decided.item.request.client_order_id, None)
        await self._journal.record_audit(
            decided.at_ms,
            decided.actor,
            decided.decision,
            f"approval-{decided.item.id}",
            f"{decided.item.request.client_order_id} {decided.reason}".rstrip(),
        )
        self._bus.publish(ApprovalResolved(decided))
        if decided.decision != "approved":  # an approval is stored once its order is sent
            detail = f"{decided.actor} {decided.reason}".rstrip()
            await self._journal.decide_signal(
                decided.item.request.client_order_id, decided.decision, decided.at_ms, detail=detail
            )

    async def expire_approvals(self) -> None:
        for decided in self.queue.expire(self._clock.now_ms()):
            await self._resolved(decided)

    # Orders and exits (see moonai_tui.engine.exits) ---------------------------------

    async def submit(self, request: OrderRequest) -> OrderRecord:
        return await self._exits.submit(request)

    async def cancel_order(self, client_order_id: str, actor: str) -> CommandResult:
        return await self._exits.cancel_order(client_order_id, actor)

    async def flatten(self, symbol: str, actor: str) -> CommandResult:
        return await self._exits.flatten(symbol, actor)

    async def kill(self, actor: str, reason: str) -> CommandResult:
        """Latch first (nothing new may start), then cancel everything and flatten."""
        await self._exits.set_latch(True, reason, actor)
        # Nothing pending can be approved from here on; its audit waits until the
        # cancels and closes have been sent, which are what must be quick.
        cleared = self.queue.clear("kill-switch", self._clock.now_ms())
        await self._exits.cancel_entries()
        await self._exits.keep_flat()
        for decided in cleared:
            await self._resolved(decided)
        self._publish_risk()
        return CommandResult(True, "kill switch latched: orders cancelled, positions closing")

    async def reset_kill(self, actor: str) -> CommandResult:
        if not self.kill_switch.latched:
            return CommandResult(False, "the kill switch is not latched")
        await self._exits.set_latch(False, "reset", actor)
        self._publish_risk()
        return CommandResult(True, "kill switch reset: entries may resume")

    # Feed ----------------------------------------------------------------------------

    async def on_book(self, book: OrderBook) -> None:
        if book.bids and book.asks:
            mid = (Decimal(repr(book.bids[0].price)) + Decimal(repr(book.asks[0].price))) / 2
            self._marks[book.symbol] = mid
        if self._paper is not None:
            await self.apply_fills(self._paper.on_book(book))
            await self._apply_paper_ended()
        position = self._positions.get(book.symbol)
        if position is not None and position.qty:
            self._fills.publish_position(position)
        await self._exits.check_protection()
        await self._fills.sample_equity(force=False)
        await self.expire_approvals()

    async def on_trades(self, symbol: str, trades: tuple[Trade, ...]) -> None:
        if trades:
            self._marks[symbol] = Decimal(repr(trades[-1].price))
        if self._paper is None:
            return
        for trade in trades:
            await self.apply_fills(self._paper.on_trade(trade, symbol))
        await self._apply_paper_ended()

    async def _apply_paper_ended(self) -> None:
        """Closes the paper venue cancelled for want of a position (no fill reports them)."""
        assert self._paper is not None
        for venue_order in self._paper.take_ended():
            await self.apply_order_update(
                venue_order, detail="reduce-only: position already closed"
            )

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

    async def apply_order_update(self, venue_order: VenueOrder, detail: str = "") -> None:
        """An order state the venue reported (stream or reconciliation)."""
        await self._exits.apply_update(venue_order, detail)

    async def apply_fills(self, fills: list[Fill]) -> None:
        """Store new fills once each and move positions, PnL and orders with them."""
        await self._fills.apply(fills)

    def positions(self) -> list[Position]:
        return [p for p in self._positions.values() if p.qty]
