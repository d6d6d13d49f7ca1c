"""ByBit v5 JSON shapes of the private data (bybit-v5-subset.md §5.7–5.15, §6.6).

The same item builders serve REST lists and websocket pushes; the websocket
adds ``category`` (orders, executions, positions). Fields that ccxt uses to
tell a contract from spot are load-bearing (§7): linear orders carry
``tpslMode``, executions carry ``createType`` and ``category``, and position
rows never carry ``closedSize``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from moonai_tui.sim.account import CoinState, Position, quantize
from moonai_tui.sim.orders import Execution, Order

ACCOUNT_TYPE = "UNIFIED"


def num(value: Decimal | None, empty: str = "") -> str:
    """A decimal as ByBit's plain string (no exponent, no trailing zeros); None → ``empty``."""
    if value is None:
        return empty
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def order_item(order: Order, with_category: bool = False) -> dict[str, Any]:
    """An order object (§5.12); ``with_category`` for the websocket ``order`` topic."""
    avg = order.avg_price
    leaves_value = order.leaves * order.price if order.price is not None else Decimal(0)
    item: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderLinkId": order.link_id,
        "blockTradeId": "",
        "side": order.side,
        "orderType": order.order_type,
        "price": num(order.price, "0"),
        "qty": num(order.qty),
        "timeInForce": order.time_in_force,
        "orderStatus": order.status,
        "avgPrice": num(quantize(avg, Decimal("1e-8")) if avg is not None else None),
        "cumExecQty": num(order.cum_qty),
        "cumExecValue": num(order.cum_value),
        "cumExecFee": num(order.cum_fee),
        "cumFeeDetail": {order.fee_coin: num(order.cum_fee)} if order.fee_coin else {},
        "leavesQty": num(order.leaves),
        "leavesValue": num(leaves_value),
        "reduceOnly": order.reduce_only,
        "closeOnTrigger": order.close_on_trigger,
        "triggerPrice": num(order.trigger_price),
        "triggerDirection": order.trigger_direction,
        "triggerBy": "LastPrice" if order.trigger_price is not None else "",
        "takeProfit": num(order.take_profit),
        "stopLoss": num(order.stop_loss),
        "tpTriggerBy": "LastPrice" if order.take_profit is not None else "",
        "slTriggerBy": "LastPrice" if order.stop_loss is not None else "",
        "positionIdx": 0,
        "createType": order.create_type,
        "stopOrderType": order.stop_order_type,
        "rejectReason": order.reject_reason,
        "cancelType": order.cancel_type,
        "marketUnit": order.market_unit,
        "isLeverage": "" if order.category == "linear" else "0",
        "createdTime": str(order.created_ms),
        "updatedTime": str(order.updated_ms or order.created_ms),
    }
    if order.category == "linear":
        # The contract marker for ccxt (§5.12): present, even when empty.
        item["tpslMode"] = "Full" if order.take_profit or order.stop_loss else ""
    if with_category:
        item["category"] = order.category
    return item


def execution_item(execution: Execution, with_category: bool = False) -> dict[str, Any]:
    """An execution row (§5.13); ``with_category`` for the websocket ``execution`` topic."""
    order = execution.order
    item: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderLinkId": order.link_id,
        "side": order.side,
        "orderType": order.order_type,
        "orderPrice": num(order.price if order.price is not None else execution.price),
        "orderQty": num(order.qty),
        "execId": execution.exec_id,
        "execPrice": num(execution.price),
        "execQty": num(execution.qty),
        "execValue": num(execution.value),
        "execFee": num(execution.fee),
        "feeRate": num(execution.fee_rate),
        "feeCoin": execution.fee_coin,
        "execType": "Trade",
        "isMaker": execution.is_maker,
        "execTime": str(execution.time_ms),
        "closedSize": num(execution.closed_size),
        "leavesQty": num(execution.leaves),
        "markPrice": num(execution.price),
        "stopOrderType": order.stop_order_type,
        "seq": 0,
    }
    if order.category == "linear":
        item["createType"] = order.create_type  # the contract marker for ccxt (§5.13)
    if with_category:
        item["category"] = order.category
    return item


def position_item(
    pos: Position, mark: Decimal, tick: Decimal, with_category: bool = False
) -> dict[str, Any]:
    """A linear position row (§5.14); never with ``closedSize`` (ccxt would read history)."""
    liq = pos.liq_price()
    item: dict[str, Any] = {
        "symbol": pos.symbol,
        "side": pos.side,
        "size": num(abs(pos.size)),
        "avgPrice": num(pos.avg_price),
        "positionValue": num(pos.value),
        "leverage": num(pos.leverage),
        "markPrice": num(mark),
        "liqPrice": num(quantize(liq, tick) if liq is not None and liq > 0 else None),
        "bustPrice": "",
        "positionIM": num(quantize(pos.initial_margin, Decimal("1e-8"))),
        "positionMM": num(quantize(pos.maintenance_margin, Decimal("1e-8"))),
        "positionBalance": num(quantize(pos.initial_margin, Decimal("1e-8"))),
        "unrealisedPnl": num(pos.unrealised(mark) if pos.size else Decimal(0)),
        "curRealisedPnl": num(pos.cur_realised),
        "cumRealisedPnl": num(pos.cum_realised),
        "takeProfit": num(pos.take_profit),
        "stopLoss": num(pos.stop_loss),
        "trailingStop": "0",
        "tpslMode": "Full",
        "positionIdx": 0,
        "positionStatus": "Normal",
        "tradeMode": 0,
        "riskId": 1,
        "riskLimitValue": "2000000",
        "autoAddMargin": 0,
        "adlRankIndicator": 2 if pos.size else 0,
        "isReduceOnly": False,
        "createdTime": str(pos.created_ms),
        "updatedTime": str(pos.updated_ms),
        "seq": pos.seq,
    }
    if with_category:
        item["category"] = "linear"
    return item


def wallet_item(states: list[CoinState], for_ws: bool = False) -> dict[str, Any]:
    """The unified account's ``wallet-balance`` list item (§5.8), also the ``wallet`` push.

    ``availableToWithdraw`` is "" as on current UTA accounts, so ccxt computes
    free = walletBalance − (locked + totalPositionIM + totalOrderIM) over REST.
    Over the websocket ccxt takes used = ``locked`` alone whenever the key exists
    (§6.6), so ``for_ws`` omits a zero ``locked``: then REST and websocket balances
    agree for margin trading (a coin with spot orders still reports its lock).
    """
    usdt = states[0]
    total_equity = sum((s.usd_value for s in states), start=Decimal(0))
    coins = [
        {
            "coin": s.coin,
            "equity": num(s.equity),
            "usdValue": num(quantize(s.usd_value, Decimal("1e-8"))),
            "walletBalance": num(s.wallet),
            "availableToWithdraw": "",
            "locked": num(s.locked),
            "totalOrderIM": num(quantize(s.order_im, Decimal("1e-8"))),
            "totalPositionIM": num(quantize(s.position_im, Decimal("1e-8"))),
            "totalPositionMM": num(quantize(s.position_mm, Decimal("1e-8"))),
            "unrealisedPnl": num(s.unrealised),
            "cumRealisedPnl": num(s.cum_realised),
            "borrowAmount": "0",
            "accruedInterest": "0",
            "bonus": "0",
            "marginCollateral": True,
            "collateralSwitch": True,
        }
        for s in states
    ]
    if for_ws:
        for item, state in zip(coins, states, strict=True):
            if not state.locked:
                del item["locked"]
    im = usdt.position_im + usdt.order_im
    return {
        "accountType": ACCOUNT_TYPE,
        "totalEquity": num(quantize(total_equity, Decimal("1e-8"))),
        "totalWalletBalance": num(quantize(total_equity - usdt.unrealised, Decimal("1e-8"))),
        "totalMarginBalance": num(usdt.equity),
        "totalAvailableBalance": num(quantize(usdt.available, Decimal("1e-8"))),
        "totalInitialMargin": num(quantize(im, Decimal("1e-8"))),
        "totalMaintenanceMargin": num(quantize(usdt.position_mm, Decimal("1e-8"))),
        "totalPerpUPL": num(usdt.unrealised),
        "accountIMRate": num(quantize(im / usdt.equity, Decimal("1e-4"))) if usdt.equity else "0",
        "accountMMRate": (
            num(quantize(usdt.position_mm / usdt.equity, Decimal("1e-4"))) if usdt.equity else "0"
        ),
        "accountLTV": "0",
        "coin": coins,
    }
