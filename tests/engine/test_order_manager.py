"""The order manager never doubles an order, whatever the venue's timeouts do.

The venue here is a stand-in for our own ExecutionClient interface (the ccxt
client against the simulator is covered by integration tests): it can accept an
order and lose the answer, lose the request, or fail the follow-up query, in a
seeded random mix, and it refuses a second order with a known client id as
ByBit does.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from moonai_tui.domain import Fill, OrderRequest
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.order_manager import OrderManager, RetryPolicy, new_client_order_id
from moonai_tui.errors import TemporaryError
from moonai_tui.exchange.execution import DuplicateClientOrderId, OrderRejected, VenueOrder
from moonai_tui.store import open_store


class FlakyVenue:
    def __init__(
        self,
        rng: random.Random,
        *,
        p_lost_request: float,
        p_lost_answer: float,
        p_query_fails: float,
    ) -> None:
        self.rng = rng
        self.p_lost_request = p_lost_request
        self.p_lost_answer = p_lost_answer
        self.p_query_fails = p_query_fails
        self.orders: dict[str, VenueOrder] = {}
        self.submits = 0
        self.timeouts = 0
        self.reject_all = False

    async def submit(self, request: OrderRequest) -> VenueOrder:
        self.submits += 1
        if self.reject_all:
            raise OrderRejected("bybit 110007: ab not enough for new order")
        if self.rng.random() < self.p_lost_request:
            self.timeouts += 1
            raise TemporaryError("create_order: RequestTimeout (request lost)")
        if request.client_order_id in self.orders:
            raise DuplicateClientOrderId("bybit 10001: Duplicate clientOrderId.")
        order = VenueOrder(
            request.client_order_id,
            f"ex-{len(self.orders)}",
            request.symbol,
            "filled",
            request.qty,
            Decimal("100"),
            Decimal("0.01"),
        )
        self.orders[request.client_order_id] = order
        if self.rng.random() < self.p_lost_answer:
            self.timeouts += 1
            raise TemporaryError("create_order: RequestTimeout (answer lost)")
        return order

    async def fetch_order(self, client_order_id: str, symbol: str) -> VenueOrder | None:
        if self.rng.random() < self.p_query_fails:
            raise TemporaryError("fetch_order: RequestTimeout")
        return self.orders.get(client_order_id)

    async def cancel(self, client_order_id: str, symbol: str) -> None:
        raise NotImplementedError

    async def fills_since(self, since_ms: int) -> list[Fill]:
        return []


def request(client_id: str) -> OrderRequest:
    return OrderRequest(client_id, "BTC/USDT:USDT", "buy", "market", Decimal("0.001"))


async def test_injected_timeouts_never_double_an_order(tmp_path: Path) -> None:
    venue = FlakyVenue(random.Random(42), p_lost_request=0.4, p_lost_answer=0.4, p_query_fails=0.2)
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
        manager = OrderManager(
            venue, store.journal, FixedClock(0), "live", RetryPolicy(attempts=8, delay_seconds=0)
        )
        ids = [new_client_order_id() for _ in range(50)]
        records = [await manager.submit(request(client_id)) for client_id in ids]
        journaled = await store.journal.orders("live")
    assert venue.timeouts >= 50, "the mix must inject at least 50 submit timeouts"
    # Exactly one venue order per client id, and the journal agrees with the venue.
    assert sorted(venue.orders) == sorted(ids)
    assert len(journaled) == 50
    for record in records:
        venue_order = venue.orders[record.request.client_order_id]
        assert record.status == "filled"
        assert record.exchange_order_id == venue_order.exchange_order_id


async def test_rejection_is_recorded_with_its_reason(tmp_path: Path) -> None:
    venue = FlakyVenue(random.Random(1), p_lost_request=0, p_lost_answer=0, p_query_fails=0)
    venue.reject_all = True
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
        manager = OrderManager(venue, store.journal, FixedClock(0), "live")
        record = await manager.submit(request("mai-r"))
        history = await store.journal.order_history("mai-r")
    assert record.status == "rejected" and "not enough" in record.reason
    # Journaled as submitted in the one commit before the request left.
    assert [status for _, status, _ in history] == ["submitted", "rejected"]
    assert venue.submits == 1


async def test_no_answer_at_all_leaves_the_order_unknown_not_resent_forever(tmp_path: Path) -> None:
    venue = FlakyVenue(random.Random(1), p_lost_request=1.0, p_lost_answer=0, p_query_fails=0)
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
        manager = OrderManager(
            venue, store.journal, FixedClock(0), "live", RetryPolicy(attempts=3, delay_seconds=0)
        )
        record = await manager.submit(request("mai-u"))
    assert record.status == "unknown" and "3 attempts" in record.reason
    assert venue.submits == 3 and venue.orders == {}


def test_client_ids_are_unique_and_fit_bybit() -> None:
    ids = {new_client_order_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(len(i) <= 36 for i in ids)


class WitnessVenue(FlakyVenue):
    """Reads the journal through its own connection the moment a request arrives."""

    def __init__(self, path: Path) -> None:
        super().__init__(random.Random(0), p_lost_request=0, p_lost_answer=0, p_query_fails=0)
        self.path = path
        self.seen: list[tuple[str, int] | None] = []

    async def submit(self, request: OrderRequest) -> VenueOrder:
        import sqlite3

        with sqlite3.connect(self.path) as connection:
            self.seen.append(
                connection.execute(
                    "SELECT status, attempts FROM orders WHERE client_order_id = ?",
                    (request.client_order_id,),
                ).fetchone()
            )
        if len(self.seen) == 1:
            raise TemporaryError("create_order: RequestTimeout (request lost)")
        return await super().submit(request)


async def test_every_send_finds_its_journal_row_already_committed(tmp_path: Path) -> None:
    # Another connection sees what a crash right now would leave: the row, and on
    # the retry the attempt counted, before each request reaches the venue.
    venue = WitnessVenue(tmp_path / "m.db")
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
        manager = OrderManager(
            venue, store.journal, FixedClock(0), "live", RetryPolicy(attempts=3, delay_seconds=0)
        )
        record = await manager.submit(request("mai-w"))
    assert venue.seen == [("submitted", 1), ("submitted", 2)]
    assert record.status == "filled"
