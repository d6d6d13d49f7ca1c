"""Builders shared by the trader tests: one BTC swap, books, a paper trader on a store."""

from __future__ import annotations

from decimal import Decimal as D

from moonai_tui.domain import BookLevel, Instrument, OrderBook, Trade
from moonai_tui.engine.bus import EventBus, Subscription
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.events import Event
from moonai_tui.engine.trader import Trader
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.execution import FillModel
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store import Store

SYMBOL = "BTC/USDT:USDT"
BTC = Instrument(
    SYMBOL, "BTCUSDT", "swap", "BTC", "USDT", "USDT", D("0.1"), D("0.001"), D("0.001"), D("5")
)


def book(price: float, size: float = 10.0) -> OrderBook:
    """A one-level book 0.1 either side of ``price``."""
    return OrderBook(SYMBOL, 0, (BookLevel(price - 0.1, size),), (BookLevel(price + 0.1, size),))


def trade(price: float, ts: int = 0) -> tuple[Trade, ...]:
    return (Trade(f"t-{price}-{ts}", ts, price, 1.0, "sell"),)


def drain(sub: Subscription) -> list[Event]:
    events = []
    while (event := sub.get_nowait()) is not None:
        events.append(event)
    return events


def paper_trader(
    store: Store,
    clock: FixedClock,
    bus: EventBus | None = None,
    *,
    manual: bool = True,
    limits: RiskLimits | None = None,
    broker: PaperBroker | None = None,
) -> tuple[Trader, PaperBroker]:
    paper = broker or PaperBroker(FillModel(), {SYMBOL: BTC}, clock.now_ms)
    trader = Trader(
        bus=bus or EventBus(),
        clock=clock,
        journal=store.journal,
        venue=paper,
        paper=paper,
        mode="paper",
        instruments={SYMBOL: BTC},
        limits=limits or RiskLimits(),
        manual_approval=manual,
        approval_timeout_ms=60_000,
        starting_equity=D("10000"),
    )
    return trader, paper
