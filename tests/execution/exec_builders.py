"""Builders for fill-model tests."""

from __future__ import annotations

from decimal import Decimal

from moonai_tui.domain import Bar, BookLevel, Instrument, OrderBook


def instrument(tick: str = "0.1", lot: str = "0.001") -> Instrument:
    return Instrument(
        symbol="BTC/USDT:USDT",
        market_id="BTCUSDT",
        kind="swap",
        base="BTC",
        quote="USDT",
        settle="USDT",
        tick_size=Decimal(tick),
        lot_size=Decimal(lot),
        min_qty=Decimal(lot),
        min_notional=Decimal("5"),
    )


def book(
    asks: list[tuple[float, float]] | None = None,
    bids: list[tuple[float, float]] | None = None,
    ts: int = 1_000,
) -> OrderBook:
    return OrderBook(
        symbol="BTC/USDT:USDT",
        ts=ts,
        bids=tuple(BookLevel(p, s) for p, s in bids or []),
        asks=tuple(BookLevel(p, s) for p, s in asks or []),
    )


def bar(o: float, h: float, low: float, c: float, ts: int = 60_000) -> Bar:
    return Bar(ts=ts, open=o, high=h, low=low, close=c, volume=1.0)
