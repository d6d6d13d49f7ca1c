"""Sizing and limits, with golden numbers worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from risk_builders import btc

from moonai_tui.errors import ConfigError
from moonai_tui.risk import Denied, DenyCode, PositionSize, RiskLimits, size_position

D = Decimal


def _size(
    equity: str = "10000",
    entry: str = "50000",
    stop: str = "49000",
    limits: RiskLimits | None = None,
    **kwargs: object,
) -> PositionSize | Denied:
    return size_position(
        equity=D(equity),
        entry_price=D(entry),
        stop_price=D(stop),
        limits=limits or RiskLimits(),
        instrument=kwargs.pop("instrument", btc()),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def test_one_percent_risk_two_percent_stop_sizes_point_one_btc() -> None:
    # risk = 10,000 x 0.01 = 100 USDT; stop distance = 50,000 - 49,000 = 1,000
    # qty = 100 / 1,000 = 0.1 BTC (notional 5,000: under the 100 % cap of 10,000)
    size = _size()
    assert size == PositionSize(qty=D("0.100"), risk_qty=D("0.1"), capped_by="risk")


def test_five_percent_position_cap_caps_the_size() -> None:
    # cap = 10,000 x 0.05 = 500 USDT -> 500 / 50,000 = 0.01 BTC < 0.1 from risk
    size = _size(limits=RiskLimits(max_position_pct_equity=D("0.05")))
    assert isinstance(size, PositionSize)
    assert (size.qty, size.capped_by) == (D("0.01"), "position_cap")
    assert size.risk_qty == D("0.1")


def test_size_floors_to_the_lot() -> None:
    # entry 30,000, stop 29,400: distance 600; qty = 100 / 600 = 0.16666... -> floor 0.166
    size = _size(entry="30000", stop="29400")
    assert isinstance(size, PositionSize)
    assert size.qty == D("0.166")


def test_leverage_cap_counts_open_notional() -> None:
    # room = 10,000 x 3 - 28,000 = 2,000 USDT -> 2,000 / 50,000 = 0.04 BTC
    size = _size(gross_notional=D("28000"))
    assert isinstance(size, PositionSize)
    assert (size.qty, size.capped_by) == (D("0.04"), "leverage_cap")


def test_existing_symbol_notional_uses_up_the_position_cap() -> None:
    # cap 10,000 x 1 = 10,000; already 9,000 in BTC -> room 1,000 -> 0.02 BTC
    size = _size(symbol_notional=D("9000"), gross_notional=D("9000"))
    assert isinstance(size, PositionSize)
    assert (size.qty, size.capped_by) == (D("0.02"), "position_cap")


def test_requested_qty_is_an_upper_bound() -> None:
    size = _size(max_qty=D("0.05"))
    assert isinstance(size, PositionSize)
    assert (size.qty, size.capped_by) == (D("0.05"), "requested")


def test_short_entry_sizes_on_the_stop_above() -> None:
    # short at 50,000 with stop 51,000: distance 1,000 -> 0.1 BTC
    size = _size(stop="51000")
    assert isinstance(size, PositionSize)
    assert size.qty == D("0.1")


def test_below_min_qty_is_denied() -> None:
    # equity 10: risk 0.1 USDT / 1,000 = 0.0001 BTC < min 0.001
    size = _size(equity="10")
    assert isinstance(size, Denied)
    assert size.code is DenyCode.BELOW_MIN_QTY
    assert "0.001" in size.reason


def test_below_min_notional_is_denied() -> None:
    # equity 150: risk 1.5 / 1,000 = 0.0015 -> floor 0.001 BTC = 50 USDT < min 100
    size = _size(equity="150", instrument=btc(min_notional="100"))
    assert isinstance(size, Denied)
    assert size.code is DenyCode.BELOW_MIN_NOTIONAL


def test_full_symbol_is_denied_max_position() -> None:
    size = _size(symbol_notional=D("10000"), gross_notional=D("10000"))
    assert isinstance(size, Denied)
    assert size.code is DenyCode.MAX_POSITION
    assert size.reason == "position size 100.0% reached limit 100.0%"


def test_full_leverage_is_denied_max_leverage() -> None:
    size = _size(gross_notional=D("31000"))
    assert isinstance(size, Denied)
    assert size.code is DenyCode.MAX_LEVERAGE
    assert size.reason == "leverage 3.10x reached limit 3.00x"


def test_stop_at_entry_is_denied() -> None:
    size = _size(stop="50000")
    assert isinstance(size, Denied)
    assert size.code is DenyCode.INVALID_STOP


def test_risk_per_trade_two_percent_is_the_ceiling() -> None:
    assert RiskLimits(risk_per_trade=D("0.02")).risk_per_trade == D("0.02")
    with pytest.raises(ConfigError, match="risk_per_trade"):
        RiskLimits(risk_per_trade=D("0.0201"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("risk_per_trade", D("0")),
        ("stop_loss_pct", D("1")),
        ("take_profit_pct", D("0")),
        ("atr_stop_multiple", D("-1")),
        ("max_position_pct_equity", D("0")),
        ("max_leverage", D("0")),
        ("max_open_positions", 0),
        ("max_daily_loss_pct", D("0")),
        ("max_drawdown_pct", D("1")),
        ("risk_per_trade", 0.01),  # a float, not a Decimal
    ],
)
def test_invalid_limits_are_config_errors(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=name):
        RiskLimits(**{name: value})  # type: ignore[arg-type]


def test_defaults_match_the_issue() -> None:
    limits = RiskLimits()
    assert (limits.risk_per_trade, limits.stop_loss_pct, limits.take_profit_pct) == (
        D("0.01"),
        D("0.02"),
        D("0.04"),
    )
