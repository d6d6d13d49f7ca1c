"""Bar fills: next-bar-open market orders, limit orders, fees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from exec_builders import bar, instrument

from moonai_tui.execution import FeeSchedule, FillLeg, FillModel, LookAheadError

D = Decimal


def test_fee_schedule_defaults_are_bybit_linear() -> None:
    fees = FeeSchedule()
    # 5,000 notional: taker 5,000 x 0.00055 = 2.75; maker 5,000 x 0.0002 = 1.0
    assert fees.fee(D("5000"), "taker") == D("2.75")
    assert fees.fee(D("5000"), "maker") == D("1.0")


def test_negative_taker_rate_is_refused() -> None:
    with pytest.raises(ValueError):
        FeeSchedule(taker_rate=D("-0.0001"))


def test_next_bar_open_buy_with_slippage() -> None:
    # 50,000 x (1 + 10/10,000) = 50,050; fee 0.1 x 50,050 x 0.00055 = 2.75275
    model = FillModel(slippage_bps=D("10"))
    fill = model.market_on_next_bar(
        "buy", D("0.1"), bar(50000, 50100, 49900, 50050, ts=120_000), instrument(), after_ts=60_000
    )
    assert fill.legs == (FillLeg(D("50050.0"), D("0.1")),)
    assert fill.fee == D("2.75275")
    assert (fill.ts, fill.liquidity) == (120_000, "taker")


def test_next_bar_open_sell_with_slippage() -> None:
    # 50,000 x (1 - 0.001) = 49,950; fee 0.1 x 49,950 x 0.00055 = 2.74725
    model = FillModel(slippage_bps=D("10"))
    fill = model.market_on_next_bar(
        "sell", D("0.1"), bar(50000, 50100, 49900, 50050, ts=120_000), instrument(), after_ts=60_000
    )
    assert fill.average_price == D("49950")
    assert fill.fee == D("2.74725")


def test_slipped_price_rounds_against_us_to_the_tick() -> None:
    # 50,000.3 x 0.0005 = 25.00015
    # buy:  50,025.30015 -> up to 50,025.4;  sell: 49,975.29985 -> down to 49,975.2
    model = FillModel(slippage_bps=D("5"))
    nxt = bar(50000.3, 50001, 49999, 50000, ts=120_000)
    buy = model.market_on_next_bar("buy", D("1"), nxt, instrument(), after_ts=60_000)
    sell = model.market_on_next_bar("sell", D("1"), nxt, instrument(), after_ts=60_000)
    assert buy.average_price == D("50025.4")
    assert sell.average_price == D("49975.2")


def test_no_slippage_fills_at_the_open_exactly() -> None:
    fill = FillModel().market_on_next_bar(
        "buy", D("1"), bar(50000.3, 50001, 49999, 50000, ts=120_000), instrument(), after_ts=0
    )
    assert fill.average_price == D("50000.3")


def test_fill_on_the_decision_bar_is_look_ahead() -> None:
    with pytest.raises(LookAheadError):
        FillModel().market_on_next_bar(
            "buy", D("1"), bar(1, 1, 1, 1, ts=60_000), instrument(), after_ts=60_000
        )


def test_market_at_price_for_close_fill_mode() -> None:
    fill = FillModel().market_at_price("sell", D("2"), D("100.5"), instrument(), ts=5)
    assert fill.legs == (FillLeg(D("100.5"), D("2")),)
    assert fill.fee == D("201") * D("0.00055")


# Limit orders: buy limit 100.0, sell limit 100.0, qty 2 -> maker fee 200 x 0.0002 = 0.04


def test_buy_limit_fills_when_low_trades_through() -> None:
    fill = FillModel().limit_on_bar(
        "buy", D("2"), D("100.0"), bar(101, 102, 99.9, 101), instrument()
    )
    assert fill is not None
    assert fill.legs == (FillLeg(D("100.0"), D("2")),)
    assert (fill.fee, fill.liquidity, fill.reason) == (D("0.04"), "maker", "limit")


def test_buy_limit_touch_does_not_fill_by_default() -> None:
    assert (
        FillModel().limit_on_bar("buy", D("2"), D("100.0"), bar(101, 102, 100, 101), instrument())
        is None
    )


def test_buy_limit_touch_fills_when_configured() -> None:
    model = FillModel(limit_fills_on_touch=True)
    fill = model.limit_on_bar("buy", D("2"), D("100.0"), bar(101, 102, 100, 101), instrument())
    assert fill is not None and fill.average_price == D("100.0")
    # one tick above the limit is still no fill, touch or not
    assert (
        model.limit_on_bar("buy", D("2"), D("100.0"), bar(101, 102, 100.1, 101), instrument())
        is None
    )


def test_sell_limit_fills_when_high_trades_through() -> None:
    model = FillModel()
    through = model.limit_on_bar("sell", D("2"), D("100.0"), bar(99, 100.1, 98, 99), instrument())
    touch = model.limit_on_bar("sell", D("2"), D("100.0"), bar(99, 100, 98, 99), instrument())
    assert through is not None and through.average_price == D("100.0")
    assert touch is None


def test_limit_gapped_through_fills_at_the_limit_not_the_open() -> None:
    # a resting buy at 100 gets its own price when the bar opens at 95
    fill = FillModel().limit_on_bar("buy", D("1"), D("100.0"), bar(95, 96, 94, 95), instrument())
    assert fill is not None and fill.average_price == D("100.0")


def test_limit_off_the_tick_is_refused() -> None:
    with pytest.raises(ValueError, match="multiple"):
        FillModel().limit_on_bar("buy", D("1"), D("100.05"), bar(95, 96, 94, 95), instrument())
