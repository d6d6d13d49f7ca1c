"""Bring the paper venue back after a restart: its open orders and its protections.

An exchange keeps resting orders and attached stops while the engine is away;
the paper venue lives in the engine's memory, so a restart rebuilds it from the
journal: every non-final paper order is taken back as the venue held it, and
the stored protections are checked against the stored positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from moonai_tui.domain import OrderRecord, Position
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.store.journal import TradingJournal
from moonai_tui.store.paper_book import PositionSide, ProtectionRecord

RESTORED = "restored after a restart"


def checked_protections(
    stored: Iterable[ProtectionRecord], positions: Mapping[str, Position], now_ms: int
) -> list[ProtectionRecord]:
    """The stored protections that still guard a position, plus any a position lacks.

    A protection whose position is flat or on the other side is dropped (the
    engine stopped between closing the position and forgetting its stop). A
    position that records a stop or target but has no protection (stopped
    between storing the position and storing its protection) gets one for its
    whole size; a position with neither is left to the protection invariant.
    """
    kept = [p for p in stored if _side(positions.get(p.symbol)) == p.side]
    guarded = {p.symbol for p in kept}
    for symbol, position in sorted(positions.items()):
        side = _side(position)
        if side is None or symbol in guarded:
            continue
        if position.stop_loss is None and position.take_profit is None:
            continue
        kept.append(
            ProtectionRecord(
                f"restored-{symbol}-{now_ms}",
                symbol,
                side,
                abs(position.qty),
                position.stop_loss,
                position.take_profit,
            )
        )
    return kept


def _side(position: Position | None) -> PositionSide | None:
    if position is None or position.qty == 0:
        return None
    return "long" if position.qty > 0 else "short"


async def restore_paper_venue(
    paper: PaperBroker,
    journal: TradingJournal,
    positions: Mapping[str, Position],
    now_ms: int,
) -> list[OrderRecord]:
    """Give ``paper`` back its open orders and protections; returns the restored orders.

    An order the journal left ``pending``, ``submitted`` or ``unknown`` was in the
    venue's hands (the paper venue takes an order in the same step as the
    journal commit), so it comes back open and the journal says so.
    """
    orders = list(reversed(await journal.orders("paper", open_only=True)))  # oldest first
    counts = await journal.fill_counts("paper", [o.request.client_order_id for o in orders])
    stored = await journal.paper_protections()
    protections = checked_protections(stored, positions, now_ms)
    restored: list[OrderRecord] = []
    for record, venue in zip(orders, paper.restore(orders, counts, protections), strict=True):
        updated = record
        if venue.status != record.status:
            updated = (
                await journal.update_order(
                    record.request.client_order_id,
                    venue.status,
                    now_ms,
                    detail=RESTORED,
                    exchange_order_id=venue.exchange_order_id,
                )
                or record
            )
        restored.append(updated)
    if protections != stored:
        await journal.save_paper_protections(protections)
    return restored
