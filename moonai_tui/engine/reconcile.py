"""Restart reconciliation: what the journal believes against what the exchange reports.

Pure: the caller fetches the exchange's view (open orders, each journaled order
by client id, recent fills, positions) and applies the result. Every difference
becomes one readable line; a difference that nothing explains (a position that
the journal's fills cannot produce) halts trading instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from moonai_tui.domain import Fill, OrderRecord
from moonai_tui.exchange.execution import VenueOrder


@dataclass(frozen=True, slots=True)
class VenueView:
    """The exchange's side, fetched after a restart or an outage."""

    orders_by_client_id: Mapping[str, VenueOrder | None]
    """For every non-final journaled order: the exchange's order, or None if unknown."""
    open_orders: tuple[VenueOrder, ...]
    fills: tuple[Fill, ...]
    """Fills since the last stored one (a margin earlier is fine: duplicates are skipped)."""
    positions: Mapping[str, Decimal]
    """Signed position size per symbol; flat symbols may be left out."""


@dataclass(frozen=True, slots=True)
class Reconciliation:
    order_updates: tuple[tuple[str, VenueOrder], ...] = ()
    """Journaled orders to bring to the exchange's state."""
    orders_unknown_to_venue: tuple[str, ...] = ()
    """Journaled orders the exchange never saw: mark them rejected."""
    missing_fills: tuple[Fill, ...] = ()
    differences: tuple[str, ...] = ()
    halt_reason: str = ""
    """Non-empty when trading must not resume (shown to the operator)."""


def reconcile(
    journal_orders: Iterable[OrderRecord],
    stored_fill_ids: set[str],
    local_positions: Mapping[str, Decimal],
    venue: VenueView,
) -> Reconciliation:
    """Compare and explain; see the module docstring."""
    differences: list[str] = []
    updates: list[tuple[str, VenueOrder]] = []
    unknown: list[str] = []
    journaled_ids: set[str] = set()
    for order in journal_orders:
        client_id = order.request.client_order_id
        journaled_ids.add(client_id)
        if order.is_final:
            continue
        seen = venue.orders_by_client_id.get(client_id)
        if seen is None:
            unknown.append(client_id)
            differences.append(
                f"order {client_id} ({order.status}) never reached the exchange: marked rejected"
            )
        elif seen.status != order.status or seen.filled_qty != order.filled_qty:
            updates.append((client_id, seen))
            differences.append(
                f"order {client_id} is {seen.status} on the exchange "
                f"(journal: {order.status}, filled {seen.filled_qty})"
            )
    for open_order in venue.open_orders:
        if open_order.client_order_id not in journaled_ids:
            differences.append(
                f"open order {open_order.exchange_order_id} on {open_order.symbol} was not "
                "placed by this engine"
            )
    missing = tuple(fill for fill in venue.fills if fill.trade_id not in stored_fill_ids)
    for fill in missing:
        differences.append(
            f"fill {fill.trade_id} ({fill.side} {fill.qty} {fill.symbol} @ {fill.price}) "
            "happened while the engine was down: recorded"
        )
    expected = dict(local_positions)
    for fill in missing:
        signed = fill.qty if fill.side == "buy" else -fill.qty
        expected[fill.symbol] = expected.get(fill.symbol, Decimal(0)) + signed
    halts = []
    for symbol in sorted(set(expected) | set(venue.positions)):
        ours = expected.get(symbol, Decimal(0))
        theirs = venue.positions.get(symbol, Decimal(0))
        if ours != theirs:
            halts.append(f"{symbol}: journal {ours:+} vs exchange {theirs:+}")
    halt_reason = ""
    if halts:
        halt_reason = (
            "positions differ from the exchange and no recorded fill explains it ("
            + "; ".join(halts)
            + "): trading halted until an operator checks the account"
        )
        differences.append(halt_reason)
    return Reconciliation(
        order_updates=tuple(updates),
        orders_unknown_to_venue=tuple(unknown),
        missing_fills=missing,
        differences=tuple(differences),
        halt_reason=halt_reason,
    )
