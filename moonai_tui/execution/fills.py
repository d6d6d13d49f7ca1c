"""What the fill model answers: frozen, exact fill results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from moonai_tui.domain import Side
from moonai_tui.execution.fees import Liquidity

FillReason = Literal["market", "limit", "stop_loss", "take_profit"]
"""Why the fill happened: an order of that type, or a protective exit that triggered."""


@dataclass(frozen=True, slots=True)
class FillLeg:
    """One price level's part of a fill: ``qty`` at ``price`` (a tick multiple)."""

    price: Decimal
    qty: Decimal

    @property
    def notional(self) -> Decimal:
        """``price x qty``, exact."""
        return self.price * self.qty


@dataclass(frozen=True, slots=True)
class FillResult:
    """The outcome of one order against one market state.

    ``legs`` holds one entry per price level crossed (one for a bar fill); the paper
    broker records each leg as a separate execution, as an exchange would. The
    aggregate figures are derived, so they can never disagree with the legs.

    Attributes:
        side: buy or sell.
        requested_qty: the order's quantity.
        legs: the executed parts, in execution order; empty when nothing filled.
        fee: total fee in quote currency, ``sum(leg notional) x rate``; positive = paid.
        liquidity: maker or taker (decides the fee rate).
        reason: market, limit, stop_loss or take_profit.
        ts: time of the fill in Unix ms (book or bar time), when known.
        gapped: True when a stop filled at a bar's open because the bar gapped through it.
    """

    side: Side
    requested_qty: Decimal
    legs: tuple[FillLeg, ...]
    fee: Decimal
    liquidity: Liquidity
    reason: FillReason
    ts: int | None = None
    gapped: bool = False

    @property
    def qty(self) -> Decimal:
        """Filled quantity: ``sum(leg.qty)``."""
        return sum((leg.qty for leg in self.legs), Decimal(0))

    @property
    def unfilled_qty(self) -> Decimal:
        """``requested_qty - qty``; above zero after a partial fill."""
        return self.requested_qty - self.qty

    @property
    def is_complete(self) -> bool:
        """True when the whole requested quantity filled."""
        return self.unfilled_qty == 0

    @property
    def notional(self) -> Decimal:
        """``sum(leg.price x leg.qty)`` in quote currency, exact."""
        return sum((leg.notional for leg in self.legs), Decimal(0))

    @property
    def average_price(self) -> Decimal | None:
        """Volume-weighted average price ``notional / qty``; None when nothing filled.

        Not rounded to the tick: an average of tick prices need not be a tick price
        (exchanges report it the same way). Decimal's 28 significant digits apply.
        """
        filled = self.qty
        return None if filled == 0 else self.notional / filled
