"""The replayed market as the matching engine sees it: Decimal books, last prices and trades.

The engine never reads the integer units of the public market code directly;
this adapter converts at one place. Books come from the public hub, so an order
matches exactly the book a client can see (``current_book`` brings it to now).
"""

from __future__ import annotations

from decimal import Decimal

from moonai_tui.sim.context import SimContext
from moonai_tui.sim.instruments import PRICE_DECIMALS
from moonai_tui.sim.market import SymbolMarket

BOOK_LEVELS = 1_000
"""Levels a market order may walk (ByBit's deepest public view)."""
MAX_CATCH_UP_MS = 6 * 3_600_000
"""Longest stretch of the price path replayed in one sweep (after a long idle gap)."""

Level = tuple[Decimal, Decimal]
"""(price, size)."""


def _price(units: int) -> Decimal:
    return Decimal(units).scaleb(-PRICE_DECIMALS)


class Quotes:
    """Read access to the replayed market for one simulator."""

    def __init__(self, ctx: SimContext) -> None:
        self._ctx = ctx

    def now_ms(self) -> int:
        """Market time."""
        return self._ctx.market.clock.now_ms()

    def _market(self, category: str, symbol: str) -> SymbolMarket:
        market = self._ctx.market.get(category, symbol)
        assert market is not None, (category, symbol)
        return market

    def book(self, category: str, symbol: str, is_bid: bool) -> list[Level]:
        """The current book side, best first."""
        market = self._ctx.hub(category).current_book(symbol)
        decimals = market.book.size_decimals
        side = market.book.book.side(is_bid)
        return [(_price(p), Decimal(s).scaleb(-decimals)) for p, s in side.top(BOOK_LEVELS)]

    def best(self, category: str, symbol: str, is_bid: bool) -> Decimal | None:
        """Best bid or ask price."""
        levels = self.book(category, symbol, is_bid)
        return levels[0][0] if levels else None

    def last_price(self, category: str, symbol: str) -> Decimal:
        """Last traded price now, on the instrument's tick (also the simulator's mark price)."""
        market = self._market(category, symbol)
        units, _ = market.feed.price_at(self.now_ms())
        return _price(market.prices.one(units))

    def trades(self, category: str, symbol: str, t0: int, t1: int) -> list[tuple[int, Decimal]]:
        """(time, price) of the replayed public trades with ``t0 < time <= t1``, oldest first."""
        market = self._market(category, symbol)
        t0 = max(t0, t1 - MAX_CATCH_UP_MS)
        batch = market.feed.trades(t0, t1, 10_000_000)
        prices = market.prices.many(batch.price).tolist()
        return [(int(ts), _price(int(p))) for ts, p in zip(batch.ts.tolist(), prices, strict=True)]
