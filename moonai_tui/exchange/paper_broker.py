"""The paper broker: local fills against the live feed, with the backtester's fill model.

It is an ``ExecutionClient`` like the ccxt one, so the order manager, journal
and portfolio cannot tell them apart. Rules (all from ``moonai_tui.execution``):

* A market order fills on the first book snapshot RECEIVED after its submission
  (never the book the decision saw), walking the levels, taker fee. Depth that
  is missing is filled from later books. Arrival order, not the book's own time
  stamp, decides: a replay's market time and the engine's wall clock differ.
* A limit order rests and fills at its price, maker fee, once a public trade
  goes through it (a touch is not enough by default).
* Attached stop-loss / take-profit become a protective exit of the filled
  quantity, triggered by public trades with the conservative intrabar rule.
* Reduce-only orders and protective exits never fill more than the position
  (``positions``), as on ByBit: a stop that fired while a close was on its way
  leaves the close nothing to do (it ends cancelled), so no race flips a position.

The venue lives in memory; a restart rebuilds it with :meth:`PaperBroker.restore`
from the journal's open paper orders and the stored protections, as an exchange
would still hold them. Fill ids are named after the order and count on from the
fills it already had, so a restored order never reuses a stored fill's id.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from moonai_tui.domain import (
    FINAL_ORDER_STATUSES,
    Bar,
    Fill,
    Instrument,
    OrderBook,
    OrderRecord,
    OrderRequest,
    OrderStatus,
    Trade,
)
from moonai_tui.exchange.execution import (
    DuplicateClientOrderId,
    OrderRejected,
    VenueOrder,
)
from moonai_tui.exchange.net_positions import NetPositions
from moonai_tui.execution import FillModel, FillResult
from moonai_tui.store.paper_book import ProtectionRecord

MAX_FINISHED_ORDERS = 1_000
"""Final orders kept for ``fetch_order`` and duplicate-id checks; older ones are forgotten
(the journal has them). Every book and trade scans only the open orders."""
MAX_RECENT_FILLS = 10_000
"""Fills kept for ``fills_since``; the engine runs for weeks, the journal keeps them all."""


@dataclass(slots=True)
class _PaperOrder:
    request: OrderRequest
    exchange_order_id: str
    submitted_ms: int
    after_book: int
    """Books of this symbol received before submission; only later ones may fill it."""
    status: OrderStatus = "open"
    filled_qty: Decimal = Decimal(0)
    notional: Decimal = Decimal(0)
    fee: Decimal = Decimal(0)
    fill_count: int = 0
    """Fills so far (stored ones included after a restore): the next fill id's number."""

    def venue(self) -> VenueOrder:
        avg = self.notional / self.filled_qty if self.filled_qty else None
        return VenueOrder(
            self.request.client_order_id,
            self.exchange_order_id,
            self.request.symbol,
            self.status,
            self.filled_qty,
            avg,
            self.fee,
        )


class PaperBroker:
    """Simulated execution on the current feed; feed it with ``on_book`` and ``on_trade``."""

    def __init__(
        self,
        fill_model: FillModel,
        instruments: Mapping[str, Instrument],
        now_ms: Callable[[], int],
    ) -> None:
        self._model = fill_model
        self._instruments = instruments
        self._now_ms = now_ms
        self._orders: dict[str, _PaperOrder] = {}
        """Open and partially filled orders: what each book and trade is matched against."""
        self._finished: OrderedDict[str, _PaperOrder] = OrderedDict()
        self._protections: list[ProtectionRecord] = []
        self._fills: deque[Fill] = deque(maxlen=MAX_RECENT_FILLS)
        self._books_seen: dict[str, int] = {}
        self.positions = NetPositions()
        self._ended: list[VenueOrder] = []
        """Orders the venue ended without a fill since the last ``take_ended``."""
        self.protections_revision = 0
        """Goes up whenever the protections change: the trader saves them then."""

    # ExecutionClient -----------------------------------------------------------------

    async def submit(self, request: OrderRequest) -> VenueOrder:
        instrument = self._instruments.get(request.symbol)
        if instrument is None:
            raise OrderRejected(f"paper: unknown symbol {request.symbol}")
        if request.client_order_id in self._orders or request.client_order_id in self._finished:
            raise DuplicateClientOrderId(f"paper: duplicate client id {request.client_order_id}")
        if request.qty < instrument.min_qty or request.qty % instrument.lot_size != 0:
            raise OrderRejected(
                f"paper: qty {request.qty} must be a multiple of {instrument.lot_size} "
                f"and at least {instrument.min_qty}"
            )
        if request.type != "market" and request.price is None:
            raise OrderRejected(f"paper: a {request.type} order needs a price")
        if request.reduce_only and self.positions.closable(request.symbol, request.side) <= 0:
            raise OrderRejected(
                f"paper: reduce-only {request.side} {request.symbol} has no position to reduce"
            )
        order = _PaperOrder(
            request,
            # From the client id, so an id is never reused after a restart.
            f"paper-{request.client_order_id}",
            self._now_ms(),
            self._books_seen.get(request.symbol, 0),
        )
        self._orders[request.client_order_id] = order
        return order.venue()

    async def fetch_order(self, client_order_id: str, symbol: str) -> VenueOrder | None:
        order = self._orders.get(client_order_id) or self._finished.get(client_order_id)
        return None if order is None else order.venue()

    async def cancel(self, client_order_id: str, symbol: str) -> None:
        order = self._orders.get(client_order_id)
        if order is None or order.status in FINAL_ORDER_STATUSES:
            raise OrderRejected(f"paper: order {client_order_id} is not open")
        order.status = "cancelled"
        self._retire(order)

    async def fills_since(self, since_ms: int | None) -> list[Fill]:
        return [fill for fill in self._fills if since_ms is None or fill.ts_ms >= since_ms]

    # Feed ------------------------------------------------------------------------

    def on_book(self, book: OrderBook) -> list[Fill]:
        """Fill waiting market orders of ``book.symbol`` on this (later) book."""
        seen = self._books_seen.get(book.symbol, 0) + 1
        self._books_seen[book.symbol] = seen
        fills: list[Fill] = []
        for order in list(self._orders.values()):
            request = order.request
            if (
                request.symbol != book.symbol
                or request.type != "market"
                or order.status in FINAL_ORDER_STATUSES
                or seen <= order.after_book
            ):
                continue
            qty = self._fillable(order)
            filled: list[Fill] = []
            if qty > 0:
                result = self._model.market_on_book(
                    request.side, qty, book, self._instruments[request.symbol]
                )
                filled = self._record(order, result, book.ts)
                fills.extend(filled)
            self._end_if_nothing_to_reduce(order, report=not filled)
        return fills

    def on_trade(self, trade: Trade, symbol: str) -> list[Fill]:
        """Fill resting limits and trigger protective exits that ``trade`` went through."""
        price_bar = Bar(trade.ts, trade.price, trade.price, trade.price, trade.price, 0.0)
        instrument = self._instruments[symbol]
        fills: list[Fill] = []
        for order in list(self._orders.values()):
            request = order.request
            if (
                request.symbol != symbol
                or request.type != "limit"
                or order.status in FINAL_ORDER_STATUSES
                or request.price is None
            ):
                continue
            qty = self._fillable(order)
            filled: list[Fill] = []
            if qty > 0:
                result = self._model.limit_on_bar(
                    request.side, qty, request.price, price_bar, instrument
                )
                if result is not None:
                    filled = self._record(order, result, trade.ts)
                    fills.extend(filled)
            self._end_if_nothing_to_reduce(order, report=not filled)
        for protection in list(self._protections):
            if protection.symbol != symbol:
                continue
            # A protective exit closes the position, never more (a close may have run first).
            qty = min(
                protection.qty,
                self.positions.closable(symbol, "sell" if protection.side == "long" else "buy"),
            )
            if qty <= 0:
                self._protections.remove(protection)
                self.protections_revision += 1
                continue
            exit_fill = self._model.exit_on_bar(
                "long" if protection.side == "long" else "short",
                qty,
                price_bar,
                instrument,
                stop_loss=protection.stop_loss,
                take_profit=protection.take_profit,
            )
            if exit_fill is not None:
                self._protections.remove(protection)
                self.protections_revision += 1
                fills.extend(
                    self._fills_from(
                        exit_fill, protection.client_order_id + "-exit", None, symbol, trade.ts, 0
                    )
                )
        return fills

    # Restart -------------------------------------------------------------------------

    def restore(
        self,
        orders: Iterable[OrderRecord],
        fill_counts: Mapping[str, int],
        protections: Iterable[ProtectionRecord],
    ) -> list[VenueOrder]:
        """Take back the open orders and protections the venue had before a restart.

        Args:
            orders: The journal's non-final paper orders; each is taken as the venue
                holds it (filled quantity, average price, fee), open or partially
                filled. A market order fills on the first book after the restart,
                as an exchange would have filled it while the engine was away.
            fill_counts: Stored fills per client order id (fill ids count on from there).
            protections: The stored protective exits.

        Returns:
            The venue's view of each restored order.
        """
        restored = []
        for record in orders:
            request = record.request
            filled = record.filled_qty
            order = _PaperOrder(
                request,
                record.exchange_order_id or f"paper-{request.client_order_id}",
                record.created_ms,
                0,
                status="partially_filled" if filled else "open",
                filled_qty=filled,
                notional=filled * record.avg_price if record.avg_price is not None else Decimal(0),
                fee=record.fee,
                fill_count=fill_counts.get(request.client_order_id, 0),
            )
            self._orders[request.client_order_id] = order
            restored.append(order.venue())
        self._protections = list(protections)
        self.protections_revision += 1
        return restored

    def take_ended(self) -> list[VenueOrder]:
        """Orders the venue ended without a fill (a reduce-only order left with nothing
        to reduce) since the last call: no fill will tell the trader about them."""
        ended, self._ended = self._ended, []
        return ended

    # Internals ---------------------------------------------------------------------

    def _fillable(self, order: _PaperOrder) -> Decimal:
        """What ``order`` may fill now: its rest, capped at the position for reduce-only."""
        request = order.request
        remaining = request.qty - order.filled_qty
        if request.reduce_only:
            return min(remaining, self.positions.closable(request.symbol, request.side))
        return remaining

    def _end_if_nothing_to_reduce(self, order: _PaperOrder, *, report: bool) -> None:
        """Cancel an open reduce-only order whose position is gone, as ByBit does;
        ``report`` it for ``take_ended`` unless it filled in this step (its fills tell)."""
        request = order.request
        if (
            not request.reduce_only
            or order.status in FINAL_ORDER_STATUSES
            or self.positions.closable(request.symbol, request.side) > 0
        ):
            return
        order.status = "cancelled"
        self._retire(order)
        if report:
            self._ended.append(order.venue())

    def _record(self, order: _PaperOrder, result: FillResult, ts: int) -> list[Fill]:
        if not result.legs:
            return []
        request = order.request
        order.filled_qty += result.qty
        order.notional += result.notional
        order.fee += result.fee
        order.status = "filled" if order.filled_qty >= request.qty else "partially_filled"
        fills = self._fills_from(
            result,
            request.client_order_id,
            order.exchange_order_id,
            request.symbol,
            ts,
            order.fill_count,
        )
        order.fill_count += len(fills)
        self._retire(order)
        protect = request.stop_loss is not None or request.take_profit is not None
        if order.status == "filled" and protect and not request.reduce_only:
            self._protections.append(
                ProtectionRecord(
                    request.client_order_id,
                    request.symbol,
                    "long" if request.side == "buy" else "short",
                    request.qty,
                    request.stop_loss,
                    request.take_profit,
                )
            )
            self.protections_revision += 1
        return fills

    def _retire(self, order: _PaperOrder) -> None:
        """Move a final order out of the matching set into the bounded finished record."""
        if order.status not in FINAL_ORDER_STATUSES:
            return
        key = order.request.client_order_id
        self._orders.pop(key, None)
        self._finished[key] = order
        while len(self._finished) > MAX_FINISHED_ORDERS:
            self._finished.popitem(last=False)

    def _fills_from(
        self,
        result: FillResult,
        client_order_id: str,
        exchange_order_id: str | None,
        symbol: str,
        ts: int,
        fills_before: int,
    ) -> list[Fill]:
        total = result.notional
        fills = []
        for number, leg in enumerate(result.legs, start=fills_before + 1):
            # The order's fee split over its legs by notional, so the legs add up exactly.
            fee = result.fee * leg.notional / total if total else Decimal(0)
            fill = Fill(
                trade_id=f"{client_order_id}-{number}",
                client_order_id=client_order_id,
                exchange_order_id=exchange_order_id,
                symbol=symbol,
                side=result.side,
                qty=leg.qty,
                price=leg.price,
                fee=fee,
                fee_currency="USDT",
                is_maker=result.liquidity == "maker",
                ts_ms=result.ts if result.ts is not None else ts,
            )
            self._fills.append(fill)
            fills.append(fill)
            self.positions.add(fill)
        return fills

    def drop_protections(self, symbol: str) -> None:
        """Forget the protective exits of ``symbol`` (its position was closed otherwise)."""
        kept = [p for p in self._protections if p.symbol != symbol]
        if len(kept) != len(self._protections):
            self._protections = kept
            self.protections_revision += 1

    def protections(self) -> list[ProtectionRecord]:
        """The active protective exits, oldest first."""
        return list(self._protections)
