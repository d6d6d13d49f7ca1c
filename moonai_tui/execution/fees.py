"""Trading fees: a maker rate and a taker rate, charged on notional."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Liquidity = Literal["maker", "taker"]
"""maker: our order rested in the book and was hit; taker: our order crossed the book."""

BYBIT_LINEAR_TAKER = Decimal("0.00055")
"""ByBit's base (VIP 0) taker rate for USDT linear perpetuals: 0.055 %."""
BYBIT_LINEAR_MAKER = Decimal("0.0002")
"""ByBit's base (VIP 0) maker rate for USDT linear perpetuals: 0.02 %."""


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Fee rates as fractions of notional (0.00055 = 0.055 %).

    A negative maker rate is a rebate, as on some exchanges' upper tiers; a
    negative taker rate is refused because no exchange pays takers.
    """

    maker_rate: Decimal = BYBIT_LINEAR_MAKER
    taker_rate: Decimal = BYBIT_LINEAR_TAKER

    def __post_init__(self) -> None:
        if self.taker_rate < 0:
            raise ValueError(f"taker_rate must be >= 0, got {self.taker_rate}")
        if not -1 < self.maker_rate < 1 or self.taker_rate >= 1:
            raise ValueError("fee rates are fractions of notional, e.g. 0.00055")

    def rate(self, liquidity: Liquidity) -> Decimal:
        """The rate for ``liquidity``."""
        return self.maker_rate if liquidity == "maker" else self.taker_rate

    def fee(self, notional: Decimal, liquidity: Liquidity) -> Decimal:
        """Fee in quote currency: ``fee = |notional| x rate``, exact (not rounded).

        Example: 0.1 BTC at 50,000 as taker: ``5,000 x 0.00055 = 2.75`` USDT.
        """
        return abs(notional) * self.rate(liquidity)
