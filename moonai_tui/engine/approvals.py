"""The approval queue: in manual mode every entry waits here for a person.

Pure state with an injected clock; the engine calls it and publishes events,
the audit log records every decision (who, what, when).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from moonai_tui.domain import OrderRequest, Side

Decision = Literal["approved", "rejected", "expired"]


@dataclass(frozen=True, slots=True)
class PendingApproval:
    """An entry waiting for a person: what would be sent, and why."""

    id: int
    request: OrderRequest
    confidence: float
    reasons: str
    created_ms: int
    expires_ms: int


@dataclass(frozen=True, slots=True)
class ApprovalDecided:
    """What happened to a pending entry, and who decided."""

    item: PendingApproval
    decision: Decision
    actor: str
    at_ms: int
    reason: str = ""
    """Why, when the system decided for a reason other than time (e.g. superseded)."""


class ApprovalQueue:
    """Pending entries in arrival order; each leaves approved, rejected or expired, once."""

    def __init__(self, expire_after_ms: int) -> None:
        if expire_after_ms <= 0:
            raise ValueError("expire_after_ms must be positive")
        self._expire_after_ms = expire_after_ms
        self._items: dict[int, PendingApproval] = {}
        self._ids = itertools.count(1)

    def add(
        self, request: OrderRequest, confidence: float, reasons: str, now_ms: int
    ) -> PendingApproval:
        item = PendingApproval(
            next(self._ids), request, confidence, reasons, now_ms, now_ms + self._expire_after_ms
        )
        self._items[item.id] = item
        return item

    def pending(self) -> tuple[PendingApproval, ...]:
        return tuple(self._items.values())

    def decide(self, item_id: int, approve: bool, actor: str, now_ms: int) -> ApprovalDecided:
        """Approve or reject one item.

        Raises:
            KeyError: no such pending item (already decided or expired); the message
                says so, for ``ctl`` and the UI to show.
        """
        self.expire(now_ms)
        item = self._items.pop(item_id, None)
        if item is None:
            raise KeyError(f"no pending approval #{item_id} (decided or expired)")
        return ApprovalDecided(item, "approved" if approve else "rejected", actor, now_ms)

    def expire(self, now_ms: int) -> list[ApprovalDecided]:
        """Remove and return the items whose time ran out."""
        gone = [item for item in self._items.values() if item.expires_ms <= now_ms]
        for item in gone:
            del self._items[item.id]
        return [ApprovalDecided(item, "expired", "system", now_ms) for item in gone]

    def supersede(
        self, strategy: str, symbol: str, side: Side | None, now_ms: int
    ) -> list[ApprovalDecided]:
        """Expire what a newer signal of ``strategy`` on ``symbol`` makes stale.

        A pending entry on the other side (or any, when the signal says flat) would
        trade against what the strategy wants now; approving it by habit must not
        be possible. A signal on the same side leaves the entry waiting.
        """
        stale = [
            item
            for item in self._items.values()
            if item.request.strategy == strategy
            and item.request.symbol == symbol
            and item.request.side != side
        ]
        word = "flat" if side is None else side
        for item in stale:
            del self._items[item.id]
        return [
            ApprovalDecided(
                item, "expired", "system", now_ms, f"superseded by a newer {word} signal"
            )
            for item in stale
        ]

    def clear(self, actor: str, now_ms: int) -> list[ApprovalDecided]:
        """Reject everything (the kill switch does this)."""
        items = list(self._items.values())
        self._items.clear()
        return [ApprovalDecided(item, "rejected", actor, now_ms) for item in items]


__all__ = ["ApprovalDecided", "ApprovalQueue", "PendingApproval"]
