"""Instrument specifications served by the simulator (ByBit's real filters, early 2024).

Spot and linear perpetuals share one ByBit id per coin (BTCUSDT, ETHUSDT); the
category tells them apart. Prices of all four use two decimals on the wire
(ByBit's ``priceScale``), with a tick of 0.01, except BTCUSDT linear (0.10).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from moonai_tui.domain import Instrument

Category = Literal["spot", "linear"]
CATEGORIES: tuple[Category, ...] = ("spot", "linear")
SYMBOL_IDS: tuple[str, ...] = ("BTCUSDT", "ETHUSDT")

PRICE_DECIMALS = 2
"""Decimals of every price string the simulator sends (ByBit priceScale 2)."""

LAUNCH_TIME_MS = {"BTCUSDT": "1585526400000", "ETHUSDT": "1585526400000"}


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    """One tradable market: tick and lot rules as ByBit publishes them."""

    category: Category
    symbol_id: str
    base: str
    quote: str
    tick: str
    """Price step, e.g. "0.01"."""
    qty_step: str
    """Quantity step (spot basePrecision, linear qtyStep)."""
    min_qty: str
    max_qty: str
    min_notional: str
    """Spot minOrderAmt or linear minNotionalValue, in quote coin."""

    @property
    def tick_units(self) -> int:
        """The tick in price units of 10**-PRICE_DECIMALS."""
        return int(Decimal(self.tick) * 10**PRICE_DECIMALS)

    @property
    def qty_decimals(self) -> int:
        """Decimals of the quantity step; book sizes are multiples of it."""
        exponent = Decimal(self.qty_step).normalize().as_tuple().exponent
        assert isinstance(exponent, int)
        return max(0, -exponent)

    @property
    def unified_symbol(self) -> str:
        """The ccxt symbol: BTC/USDT (spot) or BTC/USDT:USDT (linear)."""
        pair = f"{self.base}/{self.quote}"
        return pair if self.category == "spot" else f"{pair}:{self.quote}"

    def to_domain(self) -> Instrument:
        """The spec as the product's domain type."""
        return Instrument(
            symbol=self.unified_symbol,
            market_id=self.symbol_id,
            kind="spot" if self.category == "spot" else "swap",
            base=self.base,
            quote=self.quote,
            settle=None if self.category == "spot" else self.quote,
            tick_size=Decimal(self.tick),
            lot_size=Decimal(self.qty_step),
            min_qty=Decimal(self.min_qty),
            min_notional=Decimal(self.min_notional),
        )

    def info(self) -> dict[str, Any]:
        """The instruments-info item in ByBit's v5 shape (bybit-v5-subset.md §5.1)."""
        if self.category == "spot":
            return {
                "symbol": self.symbol_id,
                "baseCoin": self.base,
                "quoteCoin": self.quote,
                "innovation": "0",
                "status": "Trading",
                "marginTrading": "utaOnly",
                "stTag": "0",
                "lotSizeFilter": {
                    "basePrecision": self.qty_step,
                    "quotePrecision": "0.00000001",
                    "minOrderQty": self.min_qty,
                    "maxOrderQty": self.max_qty,
                    "minOrderAmt": self.min_notional,
                    "maxOrderAmt": "2000000",
                },
                "priceFilter": {"tickSize": self.tick},
                "riskParameters": {"priceLimitRatioX": "0.05", "priceLimitRatioY": "0.05"},
            }
        max_price = Decimal("1999999.80") if self.tick == "0.10" else Decimal("199999.98")
        return {
            "symbol": self.symbol_id,
            "contractType": "LinearPerpetual",
            "status": "Trading",
            "baseCoin": self.base,
            "quoteCoin": self.quote,
            "settleCoin": self.quote,
            "launchTime": LAUNCH_TIME_MS[self.symbol_id],
            "deliveryTime": "0",
            "deliveryFeeRate": "",
            "priceScale": str(PRICE_DECIMALS),
            "leverageFilter": {"minLeverage": "1", "maxLeverage": "100.00", "leverageStep": "0.01"},
            "priceFilter": {
                "minPrice": self.tick,
                "maxPrice": str(max_price),
                "tickSize": self.tick,
            },
            "lotSizeFilter": {
                "maxOrderQty": self.max_qty,
                "maxMktOrderQty": self.max_qty,
                "minOrderQty": self.min_qty,
                "qtyStep": self.qty_step,
                "postOnlyMaxOrderQty": self.max_qty,
                "minNotionalValue": self.min_notional,
            },
            "unifiedMarginTrade": True,
            "fundingInterval": 480,
            "copyTrading": "both",
            "upperFundingRate": "0.00375",
            "lowerFundingRate": "-0.00375",
            "isPreListing": False,
            "preListingInfo": None,
        }


SPECS: dict[tuple[Category, str], InstrumentSpec] = {
    ("spot", "BTCUSDT"): InstrumentSpec(
        "spot", "BTCUSDT", "BTC", "USDT", "0.01", "0.000001", "0.000048", "71.73956243", "1"
    ),
    ("spot", "ETHUSDT"): InstrumentSpec(
        "spot", "ETHUSDT", "ETH", "USDT", "0.01", "0.00001", "0.00062", "1229.2336343", "1"
    ),
    ("linear", "BTCUSDT"): InstrumentSpec(
        "linear", "BTCUSDT", "BTC", "USDT", "0.10", "0.001", "0.001", "1190.000", "5"
    ),
    ("linear", "ETHUSDT"): InstrumentSpec(
        "linear", "ETHUSDT", "ETH", "USDT", "0.01", "0.01", "0.01", "7240.00", "5"
    ),
}
"""Every market the simulator serves, keyed by (category, ByBit id)."""


def sim_instruments() -> list[Instrument]:
    """The simulator's markets as domain instruments (for callers that need specs offline)."""
    return [spec.to_domain() for spec in SPECS.values()]
