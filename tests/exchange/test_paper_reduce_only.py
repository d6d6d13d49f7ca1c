"""Paper venue, reduce-only: never more than the position, nothing at all when flat.

A protective exit (stop / take-profit) is a reduce-only close too. Books are one
level either side (ask 100.1 / bid 99.9, deep enough for every order here).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from moonai_tui.domain import BookLevel, Instrument, OrderBook, OrderRequest, Side, Trade
from moonai_tui.engine.clock import FixedClock
from moonai_tui.exchange.execution import OrderRejected
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.execution import FillModel

SYMBOL = "BTC/USDT:USDT"
BTC = Instrument(
    SYMBOL, "BTCUSDT", "swap", "BTC", "USDT", "USDT", D("0.1"), D("0.001"), D("0.001"), D("5")
)


def book(ts: int) -> OrderBook:
    return OrderBook(SYMBOL, ts, (BookLevel(99.9, 10.0),), (BookLevel(100.1, 10.0),))


def trade(price: float, ts: int) -> Trade:
    return Trade(f"t-{ts}", ts, price, 1.0, "sell")


def close(cid: str, qty: str, side: Side = "sell") -> OrderRequest:
    return OrderRequest(cid, SYMBOL, side, "market", D(qty), reduce_only=True)


async def long_position(qty: str, stop: str | None = "98") -> PaperBroker:
    paper = PaperBroker(FillModel(), {SYMBOL: BTC}, FixedClock(0).now_ms)
    entry = OrderRequest(
        "e-1", SYMBOL, "buy", "market", D(qty), stop_loss=None if stop is None else D(stop)
    )
    await paper.submit(entry)
    assert [f.qty for f in paper.on_book(book(1))] == [D(qty)]
    return paper


async def test_reduce_only_when_flat_is_rejected() -> None:
    paper = PaperBroker(FillModel(), {SYMBOL: BTC}, FixedClock(0).now_ms)
    with pytest.raises(OrderRejected, match="no position to reduce"):
        await paper.submit(close("c-1", "0.1"))


async def test_reduce_only_that_would_add_is_rejected() -> None:
    paper = await long_position("0.1")
    with pytest.raises(OrderRejected, match="no position to reduce"):
        await paper.submit(close("c-1", "0.1", side="buy"))


async def test_a_stop_that_fired_first_leaves_the_pending_close_nothing() -> None:
    paper = await long_position("0.1")
    await paper.submit(close("c-1", "0.1"))  # waits for the next book
    (exit_fill,) = paper.on_trade(trade(97.0, 2), SYMBOL)  # through the stop at 98
    assert (exit_fill.side, exit_fill.qty) == ("sell", D("0.1"))
    assert paper.on_book(book(3)) == []  # the close would have gone short 0.1
    assert paper.positions.get(SYMBOL) == 0
    (ended,) = paper.take_ended()
    assert (ended.client_order_id, ended.status, ended.filled_qty) == ("c-1", "cancelled", 0)
    assert paper.take_ended() == []  # reported once


async def test_a_close_that_filled_first_leaves_the_stop_nothing() -> None:
    paper = await long_position("0.1")
    await paper.submit(close("c-1", "0.1"))
    assert [f.qty for f in paper.on_book(book(2))] == [D("0.1")]
    assert paper.on_trade(trade(97.0, 3), SYMBOL) == []  # no trader dropped the stop here
    assert paper.protections() == []
    assert paper.positions.get(SYMBOL) == 0


async def test_two_closes_over_the_position_fill_only_the_position() -> None:
    paper = await long_position("0.3")
    await paper.submit(close("c-1", "0.2"))
    await paper.submit(close("c-2", "0.2"))
    fills = paper.on_book(book(2))
    # c-1 takes 0.2, c-2 only the 0.1 left: 0.3 sold, not 0.4
    assert [(f.client_order_id, f.qty) for f in fills] == [("c-1", D("0.2")), ("c-2", D("0.1"))]
    assert paper.positions.get(SYMBOL) == 0
    second = await paper.fetch_order("c-2", SYMBOL)
    assert second is not None and (second.status, second.filled_qty) == ("cancelled", D("0.1"))
    assert paper.take_ended() == []  # its fill tells the trader already


async def test_a_stop_after_a_partial_close_exits_only_the_rest() -> None:
    paper = await long_position("0.1")
    await paper.submit(close("c-1", "0.04"))
    paper.on_book(book(2))
    (exit_fill,) = paper.on_trade(trade(97.0, 3), SYMBOL)
    assert exit_fill.qty == D("0.06")  # 0.1 - 0.04, not the stop's original 0.1
    assert paper.positions.get(SYMBOL) == 0


async def test_a_reduce_only_limit_fills_only_the_position() -> None:
    paper = await long_position("0.1", stop=None)
    await paper.submit(
        OrderRequest("l-1", SYMBOL, "sell", "limit", D("0.25"), price=D("105"), reduce_only=True)
    )
    (fill,) = paper.on_trade(trade(105.5, 2), SYMBOL)
    assert (fill.qty, fill.price) == (D("0.1"), D("105"))
    order = await paper.fetch_order("l-1", SYMBOL)
    assert order is not None and order.status == "cancelled"
    assert paper.positions.get(SYMBOL) == 0


async def test_a_position_the_trader_reports_can_be_reduced() -> None:
    paper = PaperBroker(FillModel(), {SYMBOL: BTC}, FixedClock(0).now_ms)
    paper.positions.set(SYMBOL, D("-0.5"))  # e.g. restored after a restart
    await paper.submit(close("c-1", "0.7", side="buy"))
    assert [f.qty for f in paper.on_book(book(1))] == [D("0.5")]
    assert paper.positions.get(SYMBOL) == 0
