"""Fills into positions: each fill stored once, then positions, PnL, protections and the
equity curve move with it, and every change is published.

The trader owns the account view and hands this ledger the dicts it reads; the
ledger is the only writer of positions after start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from moonai_tui.domain import Fill, Position, TradingMode
from moonai_tui.engine.account_view import AccountView
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.exits import Exits
from moonai_tui.engine.portfolio import apply_fill, flat, unrealised_pnl
from moonai_tui.engine.trading_events import FillRecorded, PositionChanged
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.store.journal import TradingJournal


class FillLedger:
    """Applies fills to the account's positions and persists what they change."""

    def __init__(
        self,
        *,
        bus: EventBus,
        journal: TradingJournal,
        exits: Exits,
        account: AccountView,
        paper: PaperBroker | None,
        mode: TradingMode,
        publish_risk: Callable[[], None],
    ) -> None:
        self._bus = bus
        self._journal = journal
        self._exits = exits
        self._account = account
        self._positions = account.positions
        self._paper = paper
        self._mode = mode
        self._publish_risk = publish_risk
        self._saved_protections = 0

    def protections_saved(self) -> None:
        """The paper venue's protections as they are now are already stored (restored)."""
        if self._paper is not None:
            self._saved_protections = self._paper.protections_revision

    async def apply(self, fills: list[Fill]) -> None:
        """Store new fills once each and move positions, PnL and orders with them."""
        touched: set[str] = set()
        for fill in fills:
            if not await self._journal.record_fill(fill, self._mode):
                continue
            self._exits.closes.filled(fill)
            position = apply_fill(self._positions.get(fill.symbol, flat(fill.symbol)), fill)
            if fill.client_order_id is not None:
                order = await self._journal.order(fill.client_order_id)
                if order is not None and order.request.stop_loss is not None:
                    position = _protected(
                        position, order.request.stop_loss, order.request.take_profit
                    )
            self._positions[fill.symbol] = position
            if self._paper is not None:
                self._paper.positions.set(fill.symbol, position.qty)
                if position.qty == 0:
                    # Closed by an exit or a flatten: its stop and target must not fire later.
                    self._paper.drop_protections(fill.symbol)
            await self._journal.save_position(position, self._mode)
            self._bus.publish(FillRecorded(fill))
            self.publish_position(position)
            if fill.client_order_id:
                touched.add(fill.client_order_id)
        for client_order_id in touched:
            await self._exits.refresh(client_order_id)
        if self._paper is not None and self._paper.protections_revision != self._saved_protections:
            self._saved_protections = self._paper.protections_revision
            await self._journal.save_paper_protections(self._paper.protections())
        if fills:
            await self.sample_equity(force=True)
            self._publish_risk()
            await self._exits.keep_flat()

    async def sample_equity(self, *, force: bool) -> None:
        """Store a point of the equity curve when one is due (see AccountView.sample)."""
        sample = self._account.sample(force=force)
        if sample is not None:
            await self._journal.record_equity(self._mode, sample)
            if not force:
                self._publish_risk()

    def publish_position(self, position: Position) -> None:
        mark = self._account.marks.get(position.symbol)
        upnl = unrealised_pnl(position, mark) if mark is not None else Decimal(0)
        self._bus.publish(PositionChanged(position, mark, upnl))


def _protected(position: Position, stop: Decimal, target: Decimal | None) -> Position:
    if position.qty == 0:
        return position
    return replace(position, stop_loss=stop, take_profit=target)
