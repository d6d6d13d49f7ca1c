"""Private REST trading through unmodified ccxt: orders, fills, fees, balances, positions.

Money is checked against values computed by hand from the book and the replayed
price path with Decimal (ccxt hands back floats, compared with a tight tolerance).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ccxt
import pytest
from sim_builders import FrozenWall

from moonai_tui.sim import RunningSimulator

BTC = "BTC/USDT:USDT"
TAKER, MAKER = Decimal("0.00055"), Decimal("0.0002")
START_BALANCE = Decimal(10000)


def d(value: Any) -> Decimal:
    return Decimal(str(value))


def close(actual: Any, expected: Decimal) -> bool:
    return abs(d(actual) - expected) <= Decimal("1e-6")


def future_path(sim: RunningSimulator, seconds: float) -> list[tuple[int, Decimal]]:
    """The replayed BTCUSDT linear trades of the next ``seconds`` of wall time (speed 30)."""
    now = sim.market.clock.now_ms()
    span = int(seconds * sim.market.clock.speed * 1000)
    return sim.private.desk.quotes.trades("linear", "BTCUSDT", now, now + span)


async def test_large_market_buy_walks_the_book_in_several_executions(
    trader: Any, sim: RunningSimulator
) -> None:
    book = await trader.fetch_order_book(BTC, 50)
    amount = Decimal("0.5")
    expected: list[tuple[Decimal, Decimal]] = []
    left = amount
    for price, size in book["asks"]:
        take = min(left, d(size))
        expected.append((d(price), take))
        left -= take
        if not left:
            break
    assert len(expected) >= 2, "the order must be larger than the best level"

    order = await trader.create_order(BTC, "market", "buy", float(amount))
    trades = await trader.fetch_my_trades(BTC)
    got = sorted((d(t["price"]), d(t["amount"])) for t in trades)
    assert got == sorted(expected)
    assert all(t["takerOrMaker"] == "taker" and t["order"] == order["id"] for t in trades)

    value = sum(p * q for p, q in expected)
    fee = sum(p * q * TAKER for p, q in expected)
    fetched = await trader.fetch_order(order["id"], BTC)
    assert fetched["status"] == "closed" and d(fetched["filled"]) == amount
    assert close(fetched["average"], value / amount)
    assert close(fetched["fee"]["cost"], fee)

    (position,) = await trader.fetch_positions()
    assert position["side"] == "long" and d(position["contracts"]) == amount
    assert close(position["entryPrice"], value / amount)
    assert close(position["initialMargin"], value / 10)
    balance = await trader.fetch_balance()
    assert close(balance["USDT"]["total"], START_BALANCE - fee)
    assert close(balance["USDT"]["used"], value / 10)


async def test_round_trip_realises_pnl_minus_fees(trader: Any) -> None:
    await trader.create_order(BTC, "market", "buy", 0.01)
    await trader.create_order(BTC, "market", "sell", 0.01, params={"reduceOnly": True})
    trades = await trader.fetch_my_trades(BTC)
    assert len(trades) == 2  # 0.01 fits in the best level of either side
    buy = next(t for t in trades if t["side"] == "buy")
    sell = next(t for t in trades if t["side"] == "sell")
    qty = Decimal("0.01")
    pnl = (d(sell["price"]) - d(buy["price"])) * qty
    fees = (d(buy["price"]) + d(sell["price"])) * qty * TAKER
    balance = await trader.fetch_balance()
    assert close(balance["USDT"]["total"], START_BALANCE + pnl - fees)
    assert close(balance["USDT"]["free"], START_BALANCE + pnl - fees)
    assert await trader.fetch_positions() == []
    (flat,) = await trader.fetch_positions([BTC])
    assert d(flat["contracts"]) == 0 and flat["side"] is None
    assert close(flat["realizedPnl"], pnl - fees)


async def test_limit_order_rests_then_fills_as_maker_when_the_path_trades_through(
    trader: Any, sim: RunningSimulator, wall: FrozenWall
) -> None:
    bid = d((await trader.fetch_order_book(BTC, 1))["bids"][0][0])
    path = future_path(sim, 60)
    low = min(p for _, p in path)
    limit = low + Decimal("0.5")
    assert limit < bid, "the limit must rest below the market first"
    first_through = next(ts for ts, p in path if p < limit)

    order = await trader.create_order(BTC, "limit", "buy", 0.01, float(limit))
    (resting,) = await trader.fetch_open_orders(BTC)
    assert resting["id"] == order["id"] and resting["status"] == "open"
    assert close(resting["remaining"], Decimal("0.01"))

    wall.advance(60)
    filled = await trader.fetch_order(order["id"], BTC)
    assert filled["status"] == "closed" and close(filled["average"], limit)
    (trade,) = await trader.fetch_my_trades(BTC)
    assert trade["takerOrMaker"] == "maker" and trade["timestamp"] == first_through
    assert close(trade["fee"]["cost"], limit * Decimal("0.01") * MAKER)
    assert await trader.fetch_open_orders() == []
    (closed,) = await trader.fetch_closed_orders(BTC)
    assert closed["id"] == order["id"]


async def test_crossing_limit_sell_takes_the_bids_down_to_its_price(trader: Any) -> None:
    bids = (await trader.fetch_order_book(BTC, 50))["bids"]
    limit = d(bids[1][0])  # crosses the two best levels, no further
    amount = d(bids[0][1]) + d(bids[1][1]) + Decimal("0.1")
    order = await trader.create_order(BTC, "limit", "sell", float(amount), float(limit))
    trades = await trader.fetch_my_trades(BTC)
    assert sorted(d(t["price"]) for t in trades) == sorted([d(bids[0][0]), d(bids[1][0])])
    assert all(t["takerOrMaker"] == "taker" for t in trades)
    fetched = await trader.fetch_order(order["id"], BTC)
    assert fetched["status"] == "open" and close(fetched["remaining"], Decimal("0.1"))


async def test_post_only_that_would_cross_is_cancelled(trader: Any) -> None:
    ask = (await trader.fetch_order_book(BTC, 1))["asks"][0][0]
    order = await trader.create_order(BTC, "limit", "buy", 0.01, ask, params={"postOnly": True})
    fetched = await trader.fetch_order(order["id"], BTC)
    assert fetched["status"] == "canceled" and fetched["filled"] == 0
    assert fetched["info"]["rejectReason"] == "EC_PostOnlyWillTakeLiquidity"
    assert await trader.fetch_my_trades(BTC) == []


async def test_ioc_cancels_its_rest_and_fok_fills_all_or_nothing(trader: Any) -> None:
    asks = (await trader.fetch_order_book(BTC, 50))["asks"]
    top = d(asks[0][1])
    ioc = await trader.create_order(
        BTC, "limit", "buy", float(top + 1), asks[0][0], params={"timeInForce": "IOC"}
    )
    got = await trader.fetch_order(ioc["id"], BTC)
    assert got["status"] == "closed" and close(got["filled"], top)  # PartiallyFilledCanceled
    assert got["info"]["orderStatus"] == "PartiallyFilledCanceled"
    fok = await trader.create_order(
        BTC, "limit", "buy", float(top + 1), asks[0][0], params={"timeInForce": "FOK"}
    )
    got = await trader.fetch_order(fok["id"], BTC)
    assert got["status"] == "canceled" and got["filled"] == 0
    assert len(await trader.fetch_my_trades(BTC)) == 1


async def test_refusals_map_to_ccxt_exceptions(trader: Any) -> None:
    with pytest.raises(ccxt.InvalidOrder, match="reduce-only"):
        await trader.create_order(BTC, "market", "sell", 0.01, params={"reduceOnly": True})
    with pytest.raises(ccxt.InsufficientFunds):
        await trader.create_order(BTC, "market", "buy", 2.0)  # ~12.5k margin at 10x
    with pytest.raises(ccxt.InvalidOrder, match="minimum order value"):
        await trader.create_order(BTC, "limit", "buy", 0.001, 1000)
    with pytest.raises(ccxt.BadRequest, match="qtyStep"):
        await trader.create_order(BTC, "limit", "buy", 0.01, 50000, params={"qty": "0.0105"})
    with pytest.raises(ccxt.BadRequest, match="below the minimum"):
        await trader.create_order("BTC/USDT", "limit", "buy", 0.001, 50000, {"qty": "0.00001"})
    with pytest.raises(ccxt.BadRequest, match="Price invalid"):
        await trader.create_order(BTC, "limit", "buy", 0.01, 50000, params={"price": "50000.05"})
    await trader.create_order(BTC, "limit", "buy", 0.01, 50000, params={"clientOrderId": "c-1"})
    with pytest.raises(ccxt.BadRequest, match="Duplicate clientOrderId"):
        await trader.create_order(BTC, "limit", "buy", 0.01, 50000, params={"clientOrderId": "c-1"})
    (only,) = await trader.fetch_open_orders(BTC)
    assert only["clientOrderId"] == "c-1"


async def test_cancel_and_cancel_all(trader: Any) -> None:
    a = await trader.create_order(BTC, "limit", "buy", 0.01, 50000)
    b = await trader.create_order(BTC, "limit", "buy", 0.01, 50100)
    c = await trader.create_order("ETH/USDT:USDT", "limit", "buy", 0.1, 2000)
    balance = await trader.fetch_balance()
    assert close(balance["USDT"]["used"], Decimal("0.01") * (50000 + 50100) / 10 + 20)
    await trader.cancel_order(a["id"], BTC)
    with pytest.raises(ccxt.OrderNotFound):
        await trader.cancel_order(a["id"], BTC)
    assert [o["id"] for o in await trader.fetch_open_orders(BTC)] == [b["id"]]
    await trader.cancel_all_orders(BTC)
    assert [o["id"] for o in await trader.fetch_open_orders()] == [c["id"]]
    await trader.cancel_all_orders()
    assert await trader.fetch_open_orders() == []
    canceled = await trader.fetch_canceled_orders(BTC)
    assert {o["id"] for o in canceled} == {a["id"], b["id"]}
    assert (await trader.fetch_balance())["USDT"]["used"] == 0


async def test_set_leverage_changes_margin_and_rejects_no_change(trader: Any) -> None:
    await trader.create_order(BTC, "market", "buy", 0.01)
    (before,) = await trader.fetch_positions([BTC])
    await trader.set_leverage(5, BTC)
    with pytest.raises(ccxt.BadRequest, match="not modified"):
        await trader.set_leverage(5, BTC)
    (after,) = await trader.fetch_positions([BTC])
    assert after["leverage"] == 5
    assert close(after["initialMargin"], d(before["initialMargin"]) * 2)


async def test_spot_market_buy_is_sized_in_quote_and_pays_fee_in_base(trader: Any) -> None:
    asks = (await trader.fetch_order_book("BTC/USDT", 5))["asks"]
    price = asks[0][0]
    order = await trader.create_order("BTC/USDT", "market", "buy", 0.001, price)
    fetched = await trader.fetch_order(order["id"], "BTC/USDT")
    assert fetched["status"] == "closed"
    cost = d(fetched["cost"])
    assert cost <= d(0.001) * d(price) and cost > 0
    balance = await trader.fetch_balance()
    filled = d(fetched["filled"])
    assert close(balance["BTC"]["total"], filled * (1 - Decimal("0.001")))
    assert close(balance["USDT"]["total"], START_BALANCE - cost)


async def test_attached_stop_loss_closes_the_position_on_the_path(
    trader: Any, sim: RunningSimulator, wall: FrozenWall
) -> None:
    path = future_path(sim, 60)
    low = min(p for _, p in path)
    last = d((await trader.fetch_ticker(BTC))["last"])
    stop = low + Decimal("1.0")
    assert stop < last
    await trader.create_order(
        BTC,
        "market",
        "buy",
        0.01,
        params={"stopLoss": {"triggerPrice": float(stop)}, "takeProfit": {"triggerPrice": 90000}},
    )
    (pos,) = await trader.fetch_positions()
    assert close(pos["stopLossPrice"], stop) and pos["takeProfitPrice"] == 90000
    ts, price = next((ts, p) for ts, p in path if p <= stop)
    wall.advance(60)
    assert await trader.fetch_positions() == []
    exit_trade = (await trader.fetch_my_trades(BTC))[-1]
    assert exit_trade["side"] == "sell" and exit_trade["timestamp"] == ts
    assert close(exit_trade["price"], price)
    assert exit_trade["info"]["stopOrderType"] == "StopLoss"


async def test_conditional_stop_order_waits_then_triggers(
    trader: Any, sim: RunningSimulator, wall: FrozenWall
) -> None:
    path = future_path(sim, 60)
    high = max(p for _, p in path)
    trigger = high - Decimal("1.0")
    ask = d((await trader.fetch_order_book(BTC, 1))["asks"][0][0])
    assert trigger > ask
    order = await trader.create_order(
        BTC,
        "market",
        "buy",
        0.01,
        params={"triggerPrice": float(trigger), "triggerDirection": "above"},
    )
    (waiting,) = await trader.fetch_open_orders(BTC)
    assert waiting["id"] == order["id"] and close(waiting["triggerPrice"], trigger)
    assert waiting["info"]["orderStatus"] == "Untriggered"
    ts, price = next((ts, p) for ts, p in path if p >= trigger)
    wall.advance(60)
    done = await trader.fetch_order(order["id"], BTC)
    assert done["status"] == "closed" and close(done["average"], price)
    assert done["lastTradeTimestamp"] == ts
    (pos,) = await trader.fetch_positions()
    assert close(pos["entryPrice"], price)


async def test_history_is_capped_by_finish_time_and_working_orders_are_kept(
    trader: Any, sim: RunningSimulator, wall: FrozenWall
) -> None:
    engine = sim.private.desk.engine
    engine.max_final_orders, engine.max_executions = 5, 8
    book = await trader.fetch_order_book(BTC, 5)
    far = book["bids"][0][0] * 0.5
    resting = await trader.create_order(BTC, "limit", "buy", 0.001, far)
    old = await trader.create_order(BTC, "limit", "buy", 0.001, far)
    sent = []
    for i in range(12):
        wall.advance(1.0)
        order = await trader.create_order(BTC, "market", "buy" if i % 2 else "sell", 0.001)
        sent.append(order["id"])
    wall.advance(1.0)
    await trader.cancel_order(old["id"], BTC)  # placed first, finished last
    wall.advance(1.0)
    sent.append((await trader.create_order(BTC, "market", "buy", 0.001))["id"])

    assert [o["id"] for o in await trader.fetch_open_orders(BTC)] == [resting["id"]]
    kept = {t["order"] for t in await trader.fetch_my_trades(BTC, None, 100)}
    assert kept <= set(sent) and sent[-1] in kept
    # Trimmed in batches: never more than a tenth over the cap (+1), never below it.
    assert 8 <= len(engine.executions) <= 8 * 11 // 10 + 1
    finals = {o.order_id for o in engine.orders.values() if not o.is_open}
    assert 5 <= len(finals) <= 6
    assert old["id"] in finals and sent[-1] in finals and sent[0] not in finals
