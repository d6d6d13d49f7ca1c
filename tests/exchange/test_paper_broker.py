"""Paper broker: next-book market fills, limit fills through the price, SL/TP exits.

Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from moonai_tui.domain import BookLevel, Instrument, OrderBook, OrderRequest, Trade
from moonai_tui.engine.clock import FixedClock
from moonai_tui.exchange.execution import DuplicateClientOrderId, OrderRejected
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.execution import FillModel

SYMBOL = "BTC/USDT:USDT"
BTC = Instrument(
    SYMBOL, "BTCUSDT", "swap", "BTC", "USDT", "USDT", D("0.1"), D("0.001"), D("0.001"), D("5")
)


def book(ts: int, asks: list[tuple[float, float]], bids: list[tuple[float, float]]) -> OrderBook:
    return OrderBook(
        SYMBOL, ts, tuple(BookLevel(p, s) for p, s in bids), tuple(BookLevel(p, s) for p, s in asks)
    )


def broker(clock: FixedClock) -> PaperBroker:
    return PaperBroker(FillModel(), {SYMBOL: BTC}, clock.now_ms)


async def test_market_order_fills_on_the_next_book_walking_levels() -> None:
    clock = FixedClock(1_000)
    paper = broker(clock)
    seen = book(1_000, asks=[(100.0, 1.0)], bids=[(99.9, 1.0)])
    # The broker sees every book; the one the decision was made on came before the order.
    assert paper.on_book(seen) == []
    await paper.submit(OrderRequest("m-1", SYMBOL, "buy", "market", D("1.5")))
    later = book(1_001, asks=[(100.0, 1.0), (100.5, 0.25), (101.0, 5.0)], bids=[(99.9, 1.0)])
    fills = paper.on_book(later)
    # 1.0 @ 100.0 + 0.25 @ 100.5 + 0.25 @ 101.0 = 100 + 25.125 + 25.25 = 150.375
    assert [(f.qty, f.price) for f in fills] == [
        (D("1"), D("100.0")),
        (D("0.25"), D("100.5")),
        (D("0.25"), D("101.0")),
    ]
    # taker fee 150.375 × 0.00055 = 0.08270625, split by notional over the legs
    assert sum(f.fee for f in fills) == D("0.08270625")
    order = await paper.fetch_order("m-1", SYMBOL)
    assert order is not None and order.status == "filled"
    assert order.avg_price == D("150.375") / D("1.5")  # 100.25
    assert paper.on_book(book(1_002, asks=[(90.0, 9.0)], bids=[])) == []  # filled once


async def test_thin_book_fills_partially_then_completes_on_a_later_book() -> None:
    clock = FixedClock(0)
    paper = broker(clock)
    await paper.submit(OrderRequest("m-2", SYMBOL, "sell", "market", D("2")))
    first = paper.on_book(book(1, asks=[], bids=[(99.0, 0.5)]))
    assert [(f.qty, f.price) for f in first] == [(D("0.5"), D("99.0"))]
    assert (await paper.fetch_order("m-2", SYMBOL)).status == "partially_filled"  # type: ignore[union-attr]
    rest = paper.on_book(book(2, asks=[], bids=[(98.5, 3.0)]))
    assert [(f.qty, f.price) for f in rest] == [(D("1.5"), D("98.5"))]
    assert (await paper.fetch_order("m-2", SYMBOL)).status == "filled"  # type: ignore[union-attr]


async def test_limit_fills_only_when_a_trade_goes_through_it_at_the_limit_price() -> None:
    paper = broker(FixedClock(0))
    await paper.submit(OrderRequest("l-1", SYMBOL, "buy", "limit", D("0.2"), price=D("95.0")))
    assert paper.on_trade(Trade("a", 5, 95.0, 1.0, "sell"), SYMBOL) == []  # a touch is not enough
    fills = paper.on_trade(Trade("b", 6, 94.9, 1.0, "sell"), SYMBOL)
    # maker at the limit: 0.2 × 95 = 19; fee 19 × 0.0002 = 0.0038
    assert [(f.qty, f.price, f.fee, f.is_maker) for f in fills] == [
        (D("0.2"), D("95.0"), D("0.0038"), True)
    ]


async def test_attached_stop_loss_closes_the_position_when_traded_through() -> None:
    clock = FixedClock(0)
    paper = broker(clock)
    await paper.submit(
        OrderRequest(
            "e-1", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98.0"), take_profit=D("104.0")
        )
    )
    paper.on_book(book(1, asks=[(100.0, 5.0)], bids=[(99.9, 5.0)]))
    (protection,) = paper.protections()
    assert (protection.symbol, protection.side, protection.qty) == (SYMBOL, "long", D("0.1"))
    assert (protection.stop_loss, protection.take_profit) == (D("98.0"), D("104.0"))
    assert paper.on_trade(Trade("x", 2, 99.0, 1.0, "sell"), SYMBOL) == []
    (exit_fill,) = paper.on_trade(Trade("y", 3, 97.5, 1.0, "sell"), SYMBOL)
    # A single trade at 97.5 is a bar that opened through the stop: filled at 97.5 (gapped).
    assert (exit_fill.side, exit_fill.qty, exit_fill.price) == ("sell", D("0.1"), D("97.5"))
    assert paper.protections() == []


async def test_bad_orders_are_rejected_and_duplicates_refused() -> None:
    paper = broker(FixedClock(0))
    with pytest.raises(OrderRejected, match=r"multiple of 0\.001"):
        await paper.submit(OrderRequest("b-1", SYMBOL, "buy", "market", D("0.0015")))
    with pytest.raises(OrderRejected, match="unknown symbol"):
        await paper.submit(OrderRequest("b-2", "DOGE/USDT:USDT", "buy", "market", D("1")))
    await paper.submit(OrderRequest("b-3", SYMBOL, "buy", "limit", D("1"), price=D("90.0")))
    with pytest.raises(DuplicateClientOrderId):
        await paper.submit(OrderRequest("b-3", SYMBOL, "buy", "limit", D("1"), price=D("90.0")))
    await paper.cancel("b-3", SYMBOL)
    assert paper.on_trade(Trade("z", 9, 80.0, 1.0, "sell"), SYMBOL) == []
    with pytest.raises(OrderRejected, match="not open"):
        await paper.cancel("b-3", SYMBOL)


async def test_dropped_protection_never_fires() -> None:
    paper = broker(FixedClock(0))
    await paper.submit(OrderRequest("e-2", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98.0")))
    paper.on_book(book(1, asks=[(100.0, 5.0)], bids=[(99.9, 5.0)]))
    paper.drop_protections(SYMBOL)
    assert paper.on_trade(Trade("x", 2, 90.0, 1.0, "sell"), SYMBOL) == []
