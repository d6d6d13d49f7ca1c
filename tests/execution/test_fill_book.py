"""Market orders walking an order book; VWAP and fees worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from exec_builders import book, instrument

from moonai_tui.execution import FeeSchedule, FillLeg, FillModel, LookAheadError

D = Decimal
ASKS = [(50000.0, 0.4), (50010.0, 0.3), (50025.5, 0.2)]  # depth 0.9 BTC
BIDS = [(49990.0, 0.5), (49980.0, 1.0)]


def test_walk_three_levels_partial_fill_vwap_and_fee() -> None:
    # buy 1.2 against 0.9 of depth:
    #   0.4 x 50,000.0 = 20,000.00
    #   0.3 x 50,010.0 = 15,003.00
    #   0.2 x 50,025.5 = 10,005.10
    #   notional 45,008.10 over 0.9 -> VWAP 50,009.0; unfilled 1.2 - 0.9 = 0.3
    #   taker fee 45,008.10 x 0.00055 = 24.754455
    fill = FillModel().market_on_book("buy", D("1.2"), book(asks=ASKS), instrument())
    assert fill.legs == (
        FillLeg(D("50000.0"), D("0.4")),
        FillLeg(D("50010.0"), D("0.3")),
        FillLeg(D("50025.5"), D("0.2")),
    )
    assert fill.qty == D("0.9")
    assert fill.unfilled_qty == D("0.3")
    assert not fill.is_complete
    assert fill.notional == D("45008.10")
    assert fill.average_price == D("50009")
    assert fill.fee == D("24.754455")
    assert (fill.liquidity, fill.reason, fill.ts) == ("taker", "market", 1_000)


def test_walk_stops_inside_a_level() -> None:
    # buy 0.6: 0.4 at 50,000 + 0.2 at 50,010 = 20,000 + 10,002 = 30,002 -> VWAP 50,003.33...
    fill = FillModel().market_on_book("buy", D("0.6"), book(asks=ASKS), instrument())
    assert fill.legs == (FillLeg(D("50000.0"), D("0.4")), FillLeg(D("50010.0"), D("0.2")))
    assert fill.is_complete
    assert fill.average_price == D("30002") / D("0.6")


def test_sell_walks_the_bids() -> None:
    # 0.5 x 49,990 + 0.5 x 49,980 = 24,995 + 24,990 = 49,985 -> VWAP 49,985
    fill = FillModel().market_on_book("sell", D("1"), book(bids=BIDS), instrument())
    assert fill.qty == D("1")
    assert fill.average_price == D("49985")
    assert fill.fee == D("49985") * D("0.00055")


def test_partial_fill_is_floored_to_whole_lots() -> None:
    # depth 0.0015 + 0.0012 = 0.0027 -> 0.002 (lot 0.001): 0.0015 at 100 + 0.0005 at 101
    thin = book(asks=[(100.0, 0.0015), (101.0, 0.0012)])
    fill = FillModel().market_on_book("buy", D("0.01"), thin, instrument())
    assert fill.legs == (FillLeg(D("100.0"), D("0.0015")), FillLeg(D("101.0"), D("0.0005")))
    assert fill.unfilled_qty == D("0.008")


def test_extra_slippage_moves_each_leg_against_the_taker() -> None:
    # 10 bps: 50,000 x 1.001 = 50,050; 50,010 x 1.001 = 50,060.01 -> up to 50,060.1
    model = FillModel(slippage_bps=D("10"))
    fill = model.market_on_book("buy", D("0.5"), book(asks=ASKS), instrument())
    assert fill.legs == (FillLeg(D("50050.0"), D("0.4")), FillLeg(D("50060.1"), D("0.1")))


def test_empty_side_fills_nothing() -> None:
    fill = FillModel().market_on_book("buy", D("1"), book(bids=BIDS), instrument())
    assert fill.legs == ()
    assert (fill.qty, fill.unfilled_qty, fill.fee) == (D(0), D("1"), D(0))
    assert fill.average_price is None


def test_float_noise_in_book_prices_does_not_cost_a_tick() -> None:
    # 0.1 + 0.2 = 0.30000000000000004 in float; it is the price 0.30, not 0.31
    noisy = book(asks=[(0.1 + 0.2, 100.0)])
    fill = FillModel().market_on_book("buy", D("1"), noisy, instrument(tick="0.01", lot="1"))
    assert fill.legs == (FillLeg(D("0.30"), D("1")),)


def test_custom_fee_schedule_is_used() -> None:
    # 0.4 x 50,000 = 20,000 x 0.001 = 20
    model = FillModel(fees=FeeSchedule(maker_rate=D("0"), taker_rate=D("0.001")))
    fill = model.market_on_book("buy", D("0.4"), book(asks=ASKS), instrument())
    assert fill.fee == D("20")


def test_book_from_before_the_decision_is_refused() -> None:
    with pytest.raises(LookAheadError):
        FillModel().market_on_book(
            "buy", D("0.1"), book(asks=ASKS, ts=1_000), instrument(), after_ts=1_000
        )


def test_non_positive_quantity_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="quantity"):
        FillModel().market_on_book("buy", D("0"), book(asks=ASKS), instrument())
