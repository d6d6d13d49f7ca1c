"""The trading half of the store: order journal, fills, positions, risk, audit, kill switch.

Reach it as ``store.journal``. Each method is one unit of work in its own
transaction, so a journal row is durable before the caller sends the order.
On a SQLite file the order journal's writes (the order path) go through a
:class:`JournalWriter` instead of the async session, and so does the kill-switch
latch: see ``journal_writer``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from decimal import Decimal
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from moonai_tui.domain import (
    Fill,
    KillSwitchState,
    OrderRecord,
    OrderRequest,
    OrderStatus,
    Position,
    TradingMode,
)
from moonai_tui.store import equity as equity_repo
from moonai_tui.store import latch_sql, order_sql, oversight, paper_book
from moonai_tui.store import orders as order_repo
from moonai_tui.store import signals as signal_repo
from moonai_tui.store.equity import EquityHistory, EquitySample
from moonai_tui.store.journal_writer import JournalWriter
from moonai_tui.store.paper_book import ProtectionRecord
from moonai_tui.store.records import AuditRecord, RiskEventRecord
from moonai_tui.store.signals import Outcome, SignalRecord

UnitOfWork = Callable[[str], AbstractAsyncContextManager[AsyncSession]]


class TradingJournal:
    """Orders, fills, positions and the operator's controls, persisted."""

    def __init__(self, unit_of_work: UnitOfWork, writer: JournalWriter | None = None) -> None:
        """``writer``: the fast path for order-journal writes (SQLite files); None uses
        ``unit_of_work`` for everything (other databases)."""
        self._unit_of_work = unit_of_work
        self._writer = writer

    def close(self) -> None:
        """Close the order journal's own connection, if it has one."""
        if self._writer is not None:
            self._writer.close()

    async def journal_order(
        self,
        request: OrderRequest,
        mode: TradingMode,
        now_ms: int,
        *,
        status: OrderStatus = "pending",
        attempts: int = 0,
    ) -> OrderRecord:
        """Write the order BEFORE its request leaves (``pending``, or ``submitted``
        with ``attempts=1`` when the caller sends right after this commit).

        Raises:
            DuplicateOrderError: the client order id is already journaled (a retry
                must reuse the existing row, never journal a second one).
        """
        if self._writer is not None:
            return await self._writer.run(
                partial(
                    order_sql.journal,
                    request=request,
                    mode=mode,
                    now_ms=now_ms,
                    status=status,
                    attempts=attempts,
                ),
                "journal an order",
            )
        async with self._unit_of_work("journal an order") as session:
            return await order_repo.journal(session, request, mode, now_ms, status, attempts)

    async def update_order(
        self,
        client_order_id: str,
        status: OrderStatus,
        now_ms: int,
        *,
        detail: str = "",
        exchange_order_id: str | None = None,
        filled_qty: Decimal | None = None,
        avg_price: Decimal | None = None,
        fee: Decimal | None = None,
        attempted: bool = False,
    ) -> OrderRecord | None:
        """Record a state transition; a final order is never reopened. None if unknown."""
        if self._writer is not None:
            return await self._writer.run(
                partial(
                    order_sql.update,
                    client_order_id=client_order_id,
                    status=status,
                    now_ms=now_ms,
                    detail=detail,
                    exchange_order_id=exchange_order_id,
                    filled_qty=filled_qty,
                    avg_price=avg_price,
                    fee=fee,
                    attempted=attempted,
                ),
                "update an order",
            )
        async with self._unit_of_work("update an order") as session:
            return await order_repo.update(
                session,
                client_order_id,
                status,
                now_ms,
                detail=detail,
                exchange_order_id=exchange_order_id,
                filled_qty=filled_qty,
                avg_price=avg_price,
                fee=fee,
                attempted=attempted,
            )

    async def order(self, client_order_id: str) -> OrderRecord | None:
        async with self._unit_of_work("read an order") as session:
            return await order_repo.load(session, client_order_id)

    async def orders(
        self, mode: TradingMode, *, open_only: bool = False, limit: int | None = None
    ) -> list[OrderRecord]:
        """Orders of ``mode``, newest first."""
        async with self._unit_of_work("read orders") as session:
            return await order_repo.load_many(session, mode, open_only=open_only, limit=limit)

    async def order_history(self, client_order_id: str) -> list[tuple[int, str, str]]:
        """``(ts_ms, status, detail)`` for every transition of the order, in order."""
        async with self._unit_of_work("read an order's history") as session:
            return await order_repo.history(session, client_order_id)

    async def record_fill(self, fill: Fill, mode: TradingMode) -> bool:
        """Store a fill once (idempotent on the exchange trade id); False if already stored."""
        async with self._unit_of_work("record a fill") as session:
            return await order_repo.record_fill(session, fill, mode)

    async def fill_counts(self, mode: TradingMode, client_order_ids: list[str]) -> dict[str, int]:
        """Stored fills per client order id (ids without fills are left out)."""
        async with self._unit_of_work("count fills") as session:
            return await order_repo.fill_counts(session, mode, client_order_ids)

    async def fills(self, mode: TradingMode, symbol: str | None = None) -> list[Fill]:
        async with self._unit_of_work("read fills") as session:
            return await order_repo.fills(session, mode, symbol)

    async def save_position(self, position: Position, mode: TradingMode) -> None:
        async with self._unit_of_work("save a position") as session:
            await order_repo.save_position(session, position, mode)

    async def positions(self, mode: TradingMode) -> list[Position]:
        async with self._unit_of_work("read positions") as session:
            return await order_repo.positions(session, mode)

    async def save_paper_protections(self, protections: list[ProtectionRecord]) -> None:
        """Replace the stored paper protections with the venue's current set."""
        async with self._unit_of_work("save paper protections") as session:
            await paper_book.replace_all(session, protections)

    async def paper_protections(self) -> list[ProtectionRecord]:
        async with self._unit_of_work("read paper protections") as session:
            return await paper_book.load_all(session)

    async def record_equity(self, mode: TradingMode, sample: EquitySample) -> None:
        async with self._unit_of_work("record equity") as session:
            await equity_repo.add(session, mode, sample)

    async def equity_history(
        self, mode: TradingMode, day_start_ms: int, recent: int
    ) -> EquityHistory:
        """Peak ever, the sample that opened the day at ``day_start_ms``, the newest samples."""
        async with self._unit_of_work("read the equity curve") as session:
            return await equity_repo.history(session, mode, day_start_ms, recent)

    async def record_risk_event(self, ts_ms: int, code: str, symbol: str, reason: str) -> None:
        async with self._unit_of_work("record a risk event") as session:
            oversight.add_risk_event(session, ts_ms, code, symbol, reason)

    async def risk_events(self, limit: int = 100) -> list[RiskEventRecord]:
        async with self._unit_of_work("read risk events") as session:
            return await oversight.risk_events(session, limit)

    async def record_audit(
        self, ts_ms: int, actor: str, action: str, target: str, detail: str = ""
    ) -> None:
        async with self._unit_of_work("write the audit log") as session:
            oversight.add_audit(session, ts_ms, actor, action, target, detail)

    async def audit(self, limit: int = 100) -> list[AuditRecord]:
        async with self._unit_of_work("read the audit log") as session:
            return await oversight.audit(session, limit)

    async def record_signal(self, record: SignalRecord) -> None:
        """Store a raised signal (after its order, if any, was sent: not on the order path)."""
        async with self._unit_of_work("record a signal") as session:
            signal_repo.add(session, record)

    async def decide_signal(
        self,
        client_order_id: str,
        outcome: Outcome,
        at_ms: int,
        *,
        detail: str = "",
        sent_order_id: str | None = None,
    ) -> bool:
        """Set the outcome of the pending signal of ``client_order_id``; False if none."""
        async with self._unit_of_work("record a signal's outcome") as session:
            return await signal_repo.decide(
                session, client_order_id, outcome, at_ms, detail, sent_order_id
            )

    async def signals(self, mode: TradingMode, limit: int = 100) -> list[SignalRecord]:
        """The ``limit`` most recent signals of ``mode``, oldest first."""
        async with self._unit_of_work("read signals") as session:
            return await signal_repo.recent(session, mode, limit)

    async def kill_switch(self) -> KillSwitchState:
        async with self._unit_of_work("read the kill switch") as session:
            return await oversight.kill_switch(session)

    async def set_kill_switch(
        self, latched: bool, reason: str, actor: str, now_ms: int
    ) -> KillSwitchState:
        """Latch (``latched=True``) or release the kill switch; audited."""
        if self._writer is not None:
            return await self._writer.run(
                partial(
                    latch_sql.set_kill_switch,
                    latched=latched,
                    reason=reason,
                    actor=actor,
                    now_ms=now_ms,
                ),
                "set the kill switch",
            )
        async with self._unit_of_work("set the kill switch") as session:
            return await oversight.set_kill_switch(session, latched, reason, actor, now_ms)
