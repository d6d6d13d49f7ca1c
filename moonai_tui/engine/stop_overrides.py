"""A strategy's per-trade stop-loss / take-profit, turned into prices for the risk gate.

Strategies give them as fractions of the entry price (``Signal.stop_loss_pct`` /
``take_profit_pct``, from ``stops()`` at the entry bar), the same numbers the
backtester applies. The gate takes prices: it rounds them toward the entry,
refuses a stop or target on the wrong side, and sizes from the stop, so a wide
override still risks only ``risk_per_trade`` of equity and a tight one is still
held by the position and leverage caps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from moonai_tui.domain import Side
from moonai_tui.risk import Denied, DenyCode, OrderIntent


@dataclass(frozen=True, slots=True)
class StopOverride:
    """Fractions of the entry price; None (or NaN) = the risk settings' value."""

    stop_loss_pct: float | None = None
    take_profit_pct: float | None = None

    @classmethod
    def given(cls, stop_loss: float | None, take_profit: float | None) -> StopOverride | None:
        """The override, or None when the strategy set neither."""
        if stop_loss is None and take_profit is None:
            return None
        return cls(stop_loss, take_profit)

    def prices(self, entry: Decimal, side: Side) -> tuple[Decimal | None, Decimal | None] | Denied:
        """Stop and target prices for an entry at ``entry`` (None = from the settings).

        Example: buy at 50,000 with 1.5 % / 5 % -> stop 49,250, target 52,500; a sell
        mirrors them (50,750 / 47,500).

        Returns:
            The two prices, or ``INVALID_STOP`` / ``INVALID_TAKE_PROFIT`` for a
            fraction that is not a finite number above zero.
        """
        stop = _fraction(self.stop_loss_pct)
        target = _fraction(self.take_profit_pct)
        if isinstance(stop, str):
            return Denied(DenyCode.INVALID_STOP, f"strategy stop_loss_pct {stop}")
        if isinstance(target, str):
            return Denied(DenyCode.INVALID_TAKE_PROFIT, f"strategy take_profit_pct {target}")
        # A long loses below the entry and gains above it; a short the other way round.
        down, up = (-1, 1) if side == "buy" else (1, -1)
        return (
            None if stop is None else entry * (1 + down * stop),
            None if target is None else entry * (1 + up * target),
        )


def entry_intent(
    symbol: str, side: Side, mark: Decimal, stops: StopOverride | None
) -> OrderIntent | Denied:
    """The gate's question for an entry at ``mark``, with the strategy's stops if any."""
    intent = OrderIntent(symbol, side, mark)
    if stops is None:
        return intent
    prices = stops.prices(mark, side)
    if isinstance(prices, Denied):
        return prices
    return replace(intent, stop_loss=prices[0], take_profit=prices[1])


def _fraction(value: float | None) -> Decimal | str | None:
    """The fraction as a Decimal, None for "use the settings", or what is wrong with it."""
    if value is None or math.isnan(value):
        return None
    if not math.isfinite(value) or value <= 0:
        return f"{value!r} must be a fraction above zero"
    # repr gives the shortest decimal that round-trips: 0.015, not 0.01499999...
    return Decimal(repr(float(value)))
