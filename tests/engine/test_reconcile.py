"""Restart reconciliation on constructed cases, each difference explained or halting."""

from __future__ import annotations

from decimal import Decimal as D

from moonai_tui.domain import Fill, OrderRecord, OrderRequest, OrderStatus
from moonai_tui.engine.reconcile import VenueView, reconcile
from moonai_tui.exchange.execution import VenueOrder

SYMBOL = "BTC/USDT:USDT"


def record(client_id: str, status: OrderStatus, filled: str = "0") -> OrderRecord:
    request = OrderRequest(client_id, SYMBOL, "buy", "market", D("0.010"))
    return OrderRecord(request, "live", status, None, D(filled), None, D(0), "", 1, 0, 0)


def venue_order(client_id: str, status: OrderStatus, filled: str) -> VenueOrder:
    return VenueOrder(client_id, f"ex-{client_id}", SYMBOL, status, D(filled), D("100"), D(0))


def fill(trade_id: str, side: str, qty: str) -> Fill:
    return Fill(
        trade_id,
        "a",
        "ex-a",
        SYMBOL,
        side,
        D(qty),
        D("100"),
        D("0.01"),  # type: ignore[arg-type]
        "USDT",
        False,
        5,
    )


def test_order_filled_while_down_is_updated_and_its_fill_recorded() -> None:
    view = VenueView(
        orders_by_client_id={"a": venue_order("a", "filled", "0.010")},
        open_orders=(),
        fills=(fill("t1", "buy", "0.010"),),
        positions={SYMBOL: D("0.010")},
    )
    result = reconcile([record("a", "open")], set(), {}, view)
    assert [cid for cid, _ in result.order_updates] == ["a"]
    assert [f.trade_id for f in result.missing_fills] == ["t1"]
    assert result.halt_reason == ""
    assert len(result.differences) == 2


def test_already_stored_fills_are_not_repeated() -> None:
    view = VenueView({}, (), (fill("t1", "buy", "0.010"),), {SYMBOL: D("0.010")})
    result = reconcile([], {"t1"}, {SYMBOL: D("0.010")}, view)
    assert result.missing_fills == () and result.differences == () and not result.halt_reason


def test_order_the_exchange_never_saw_is_marked_for_rejection() -> None:
    view = VenueView({"b": None}, (), (), {})
    result = reconcile([record("b", "submitted"), record("c", "filled", "0.010")], set(), {}, view)
    assert result.orders_unknown_to_venue == ("b",)
    assert "never reached the exchange" in result.differences[0]


def test_foreign_open_order_is_reported_but_does_not_halt() -> None:
    stranger = VenueOrder(None, "ex-9", SYMBOL, "open", D(0), None, D(0))
    result = reconcile([], set(), {}, VenueView({}, (stranger,), (), {}))
    assert result.differences == (f"open order ex-9 on {SYMBOL} was not placed by this engine",)
    assert result.halt_reason == ""


def test_unexplained_position_halts_with_both_numbers() -> None:
    view = VenueView({}, (), (fill("t2", "sell", "0.005"),), {SYMBOL: D("0.020")})
    result = reconcile([], set(), {SYMBOL: D("0.010")}, view)
    # journal 0.010 − missed sell 0.005 = 0.005, but the exchange says 0.020
    assert "journal +0.005 vs exchange +0.020" in result.halt_reason
    assert result.halt_reason.endswith("trading halted until an operator checks the account")
