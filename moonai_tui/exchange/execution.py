"""The execution interface: one protocol, two implementations (ccxt live, paper broker).

The order manager talks only to this protocol, so a timeout, a rejection or a
duplicate means the same thing whichever venue is behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from moonai_tui.domain import Fill, OrderRequest, OrderStatus
from moonai_tui.errors import ExchangeError


class OrderRejected(ExchangeError):
    """The venue refused the order (bad size, insufficient funds, reduce-only...)."""


class DuplicateClientOrderId(ExchangeError):
    """The venue already has an order with this client id: an earlier attempt landed."""


@dataclass(frozen=True, slots=True)
class VenueOrder:
    """An order as the venue reports it."""

    client_order_id: str | None
    exchange_order_id: str
    symbol: str
    status: OrderStatus
    filled_qty: Decimal
    avg_price: Decimal | None
    fee: Decimal


class ExecutionClient(Protocol):
    async def submit(self, request: OrderRequest) -> VenueOrder:
        """Send the order; the request carries the client order id to reuse on retry.

        Raises:
            TemporaryError: the outcome is unknown (timeout, connection lost).
            OrderRejected: the venue refused it.
            DuplicateClientOrderId: the venue already has this client id.
        """
        ...

    async def fetch_order(self, client_order_id: str, symbol: str) -> VenueOrder | None:
        """The venue's view of the order, or None if it never arrived."""
        ...

    async def cancel(self, client_order_id: str, symbol: str) -> None: ...

    async def fills_since(self, since_ms: int | None) -> list[Fill]:
        """Our fills from ``since_ms`` on (venue time; None = the venue's recent window)."""
        ...
