"""The protection check: which positions lack a full exchange-side stop."""

from __future__ import annotations

from decimal import Decimal

from risk_builders import position

from moonai_tui.risk import ProtectiveOrder, unprotected_positions

D = Decimal
BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"


def test_position_without_stop_is_listed() -> None:
    naked = position(BTC, "0.1", "5000")
    assert unprotected_positions([naked], []) == (naked,)


def test_position_level_stop_protects() -> None:
    assert unprotected_positions([position(BTC, "0.1", "5000", stop="49000")], []) == ()


def test_full_stop_order_on_closing_side_protects() -> None:
    stop = ProtectiveOrder(BTC, "sell", D("0.1"), D("49000"))
    assert unprotected_positions([position(BTC, "0.1", "5000")], [stop]) == ()


def test_two_partial_stops_that_cover_the_position_protect() -> None:
    # 0.04 + 0.06 = 0.1 covers the whole 0.1 long
    stops = [
        ProtectiveOrder(BTC, "sell", D("0.04"), D("49000")),
        ProtectiveOrder(BTC, "sell", D("0.06"), D("48500")),
    ]
    assert unprotected_positions([position(BTC, "0.1", "5000")], stops) == ()


def test_half_covered_position_is_listed() -> None:
    naked = position(BTC, "0.1", "5000")
    stop = ProtectiveOrder(BTC, "sell", D("0.05"), D("49000"))
    assert unprotected_positions([naked], [stop]) == (naked,)


def test_orders_that_do_not_protect_are_ignored() -> None:
    short = position(BTC, "-0.1", "5000")
    useless = [
        ProtectiveOrder(BTC, "sell", D("0.1"), D("51000")),  # wrong side for a short
        ProtectiveOrder(BTC, "buy", D("0.1"), D("48000"), kind="take_profit"),
        ProtectiveOrder(BTC, "buy", D("0.1"), D("51000"), reduce_only=False),
        ProtectiveOrder(ETH, "buy", D("0.1"), D("51000")),  # another symbol
    ]
    assert unprotected_positions([short], useless) == (short,)


def test_only_the_naked_one_of_several_is_listed() -> None:
    covered = position(BTC, "-0.1", "5000")
    naked = position(ETH, "2", "6000")
    stop = ProtectiveOrder(BTC, "buy", D("0.1"), D("51000"))
    assert unprotected_positions([covered, naked], [stop]) == (naked,)
