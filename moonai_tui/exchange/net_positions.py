"""The paper venue's net positions: what a reduce-only order may reduce.

An exchange knows its positions and caps reduce-only orders with them; the paper
venue keeps the same from the fills it makes, and the trader tells it about any
position it learnt otherwise (a restart, a fill the venue did not make).
"""

from __future__ import annotations

from decimal import Decimal

from moonai_tui.domain import Fill, Side


class NetPositions:
    """Signed net quantity per symbol (negative = short)."""

    def __init__(self) -> None:
        self._qty: dict[str, Decimal] = {}

    def get(self, symbol: str) -> Decimal:
        return self._qty.get(symbol, Decimal(0))

    def set(self, symbol: str, qty: Decimal) -> None:
        self._qty[symbol] = qty

    def add(self, fill: Fill) -> None:
        signed = fill.qty if fill.side == "buy" else -fill.qty
        self._qty[fill.symbol] = self.get(fill.symbol) + signed

    def closable(self, symbol: str, side: Side) -> Decimal:
        """How much an order on ``side`` can reduce: the long for a sell, the short for a buy."""
        held = self.get(symbol)
        return max(held, Decimal(0)) if side == "sell" else max(-held, Decimal(0))
