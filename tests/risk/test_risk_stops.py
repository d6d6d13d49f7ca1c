"""Stop-loss and take-profit prices, rounded toward the entry."""

from __future__ import annotations

from decimal import Decimal

from moonai_tui.risk import (
    Denied,
    DenyCode,
    ProtectivePrices,
    RiskLimits,
    protective_prices,
    stop_distance,
    stop_loss_price,
    take_profit_price,
)

D = Decimal
TICK = D("0.1")


def test_default_long_stop_and_target_at_50000() -> None:
    # 2 % of 50,000 = 1,000 -> stop 49,000; 4 % = 2,000 -> take-profit 52,000
    assert protective_prices(D("50000"), "buy", RiskLimits(), TICK) == ProtectivePrices(
        D("49000"), D("52000")
    )


def test_long_prices_round_toward_the_entry() -> None:
    # 12,345.6 x 0.02 = 246.912 -> 12,345.6 - 246.912 = 12,098.688 -> up to 12,098.7
    # 12,345.6 x 0.04 = 493.824 -> 12,345.6 + 493.824 = 12,839.424 -> down to 12,839.4
    prices = protective_prices(D("12345.6"), "buy", RiskLimits(), TICK)
    assert prices == ProtectivePrices(D("12098.7"), D("12839.4"))


def test_short_prices_round_toward_the_entry() -> None:
    # stop 12,345.6 + 246.912 = 12,592.512 -> down to 12,592.5
    # target 12,345.6 - 493.824 = 11,851.776 -> up to 11,851.8
    prices = protective_prices(D("12345.6"), "sell", RiskLimits(), TICK)
    assert prices == ProtectivePrices(D("12592.5"), D("11851.8"))


def test_single_price_helpers_agree() -> None:
    assert stop_loss_price(D("12345.6"), "buy", D("246.912"), TICK) == D("12098.7")
    assert take_profit_price(D("12345.6"), "sell", D("493.824"), TICK) == D("11851.8")


def test_atr_stop_uses_atr_times_multiple() -> None:
    # ATR 400 x 1.5 = 600 -> long stop 49,400; take-profit stays 4 % -> 52,000
    limits = RiskLimits(atr_stop_multiple=D("1.5"))
    assert stop_distance(D("50000"), limits, D("400")) == D("600")
    prices = protective_prices(D("50000"), "buy", limits, TICK, atr=D("400"))
    assert prices == ProtectivePrices(D("49400"), D("52000"))


def test_atr_stop_without_atr_is_denied() -> None:
    limits = RiskLimits(atr_stop_multiple=D("1.5"))
    result = protective_prices(D("50000"), "buy", limits, TICK)
    assert isinstance(result, Denied)
    assert result.code is DenyCode.ATR_UNAVAILABLE


def test_explicit_stop_is_rounded_toward_entry() -> None:
    # long stop 49,000.04 -> up to 49,000.1; take-profit 52,000.09 -> down to 52,000.0
    prices = protective_prices(
        D("50000"),
        "buy",
        RiskLimits(),
        TICK,
        stop_loss=D("49000.04"),
        take_profit=D("52000.09"),
    )
    assert prices == ProtectivePrices(D("49000.1"), D("52000.0"))


def test_explicit_stop_on_wrong_side_is_denied() -> None:
    result = protective_prices(D("50000"), "sell", RiskLimits(), TICK, stop_loss=D("49000"))
    assert isinstance(result, Denied)
    assert result.code is DenyCode.INVALID_STOP


def test_explicit_take_profit_on_wrong_side_is_denied() -> None:
    result = protective_prices(D("50000"), "buy", RiskLimits(), TICK, take_profit=D("49000"))
    assert isinstance(result, Denied)
    assert result.code is DenyCode.INVALID_TAKE_PROFIT


def test_atr_stop_below_zero_is_denied() -> None:
    # ATR 400 x 200 = 80,000 below a 50,000 entry would be a negative stop
    limits = RiskLimits(atr_stop_multiple=D("200"))
    result = protective_prices(D("50000"), "buy", limits, TICK, atr=D("400"))
    assert isinstance(result, Denied)
    assert result.code is DenyCode.INVALID_STOP
