"""The order manager: journal first, send, never double an order, resolve the unknown.

Every order gets a client order id and a journal row BEFORE the request leaves.
A timeout does not mean "not sent": the manager asks the venue about that
client id and only re-sends, with the SAME id, when the venue has never seen it.
The venue refuses a second order with a known client id, so even a race
between a late first request and a retry cannot double an order.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass

from moonai_tui.domain import OrderRecord, OrderRequest, TradingMode
from moonai_tui.engine.clock import Clock
from moonai_tui.errors import TemporaryError
from moonai_tui.exchange.execution import (
    DuplicateClientOrderId,
    ExecutionClient,
    OrderRejected,
    VenueOrder,
)
from moonai_tui.store.journal import TradingJournal

log = logging.getLogger(__name__)


def new_client_order_id(prefix: str = "mai") -> str:
    """A unique ByBit ``orderLinkId`` (at most 36 characters)."""
    return f"{prefix}-{secrets.token_hex(12)}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    """Sends at most; each unknown outcome is resolved by a query before the next."""
    delay_seconds: float = 0.2
    """Pause before asking the venue about an unknown outcome (doubles each time)."""


class OrderManager:
    """Submits orders through an execution client with a durable journal."""

    def __init__(
        self,
        client: ExecutionClient,
        journal: TradingJournal,
        clock: Clock,
        mode: TradingMode,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._client = client
        self._journal = journal
        self._clock = clock
        self._mode = mode
        self._retry = retry or RetryPolicy()

    async def submit(self, request: OrderRequest) -> OrderRecord:
        """Journal, send and return the order's state as known after sending.

        Returns a record in status ``open``/``partially_filled``/``filled`` when the
        venue has it, ``rejected`` when it refused, or ``unknown`` when every attempt
        timed out and no query could tell (reconciliation resolves it later).
        """
        # One commit before the request leaves: the row says "submitted, attempt 1".
        await self._journal.journal_order(
            request, self._mode, self._clock.now_ms(), status="submitted", attempts=1
        )
        delay = self._retry.delay_seconds
        last_error = ""
        for attempt in range(self._retry.attempts):
            if attempt:
                await self._journal.update_order(
                    request.client_order_id, "submitted", self._clock.now_ms(), attempted=True
                )
            try:
                venue = await self._client.submit(request)
                return await self._apply(request, venue, "acknowledged")
            except OrderRejected as exc:
                return await self._reject(request, str(exc))
            except DuplicateClientOrderId:
                # An earlier attempt landed after all: the venue's order is ours.
                found = await self._query(request)
                if found is not None:
                    return await self._apply(request, found, "found after duplicate")
                last_error = "venue reports a duplicate it cannot show"
            except TemporaryError as exc:
                last_error = str(exc)
                await asyncio.sleep(delay)
                delay *= 2
                found = await self._query(request)
                if found is not None:
                    return await self._apply(request, found, "found after timeout")
        record = await self._journal.update_order(
            request.client_order_id,
            "unknown",
            self._clock.now_ms(),
            detail=f"no answer after {self._retry.attempts} attempts: {last_error}",
        )
        assert record is not None
        return record

    async def _query(self, request: OrderRequest) -> VenueOrder | None:
        try:
            return await self._client.fetch_order(request.client_order_id, request.symbol)
        except TemporaryError as exc:
            log.warning("order %s: query failed: %s", request.client_order_id, exc)
            return None

    async def _apply(self, request: OrderRequest, venue: VenueOrder, how: str) -> OrderRecord:
        record = await self._journal.update_order(
            request.client_order_id,
            venue.status,
            self._clock.now_ms(),
            detail=how,
            exchange_order_id=venue.exchange_order_id,
            filled_qty=venue.filled_qty,
            avg_price=venue.avg_price,
            fee=venue.fee,
        )
        assert record is not None
        return record

    async def _reject(self, request: OrderRequest, reason: str) -> OrderRecord:
        record = await self._journal.update_order(
            request.client_order_id, "rejected", self._clock.now_ms(), detail=reason
        )
        assert record is not None
        return record
