"""The gate: every denial code, approvals, and reductions that always get out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from risk_builders import account, btc, position

from moonai_tui.risk import (
    AccountSnapshot,
    Approved,
    Denied,
    DenyCode,
    OrderIntent,
    RiskLimits,
    check_order,
)

D = Decimal
SYM = "BTC/USDT:USDT"


def _buy(**kwargs: object) -> OrderIntent:
    return OrderIntent(SYM, "buy", D("50000"), **kwargs)  # type: ignore[arg-type]


def _check(
    intent: OrderIntent, acct: AccountSnapshot, limits: RiskLimits | None = None
) -> Approved | Denied:
    return check_order(intent, acct, btc(), limits or RiskLimits())


def test_entry_is_sized_and_protected() -> None:
    # 100 USDT risk / 1,000 stop distance = 0.1 BTC; stop 49,000, take-profit 52,000
    assert _check(_buy(), account()) == Approved(
        symbol=SYM,
        side="buy",
        qty=D("0.1"),
        entry_price=D("50000"),
        stop_loss=D("49000"),
        take_profit=D("52000"),
        reduce_only=False,
        capped_by="risk",
    )


def test_short_entry_gets_stop_above_and_target_below() -> None:
    approved = _check(OrderIntent(SYM, "sell", D("50000")), account())
    assert isinstance(approved, Approved)
    assert (approved.qty, approved.stop_loss, approved.take_profit) == (
        D("0.1"),
        D("51000"),
        D("48000"),
    )


def test_adding_to_a_position_is_capped_by_what_is_already_held() -> None:
    # 10,000 cap - 9,000 held = 1,000 room -> 0.02 BTC
    acct = account(positions=(position(SYM, "0.18", "9000"),))
    approved = _check(_buy(), acct)
    assert isinstance(approved, Approved)
    assert (approved.qty, approved.capped_by) == (D("0.02"), "position_cap")


# One case per denial code; test_every_denial_code_is_covered keeps this list complete.
DENIALS: list[tuple[DenyCode, OrderIntent, AccountSnapshot, RiskLimits]] = [
    (DenyCode.KILL_SWITCH, _buy(), account(kill_switch=True), RiskLimits()),
    # (10,000 - 8,960) / 10,000 = 10.4 % >= 10 %
    (DenyCode.MAX_DRAWDOWN, _buy(), account("8960", peak="10000"), RiskLimits()),
    # (10,000 - 9,690) / 10,000 = 3.1 % >= 3 %; peak 9,690 so drawdown is 0
    (DenyCode.DAILY_LOSS, _buy(), account("9690", day_start="10000"), RiskLimits()),
    (DenyCode.STALE_DATA, _buy(), account(data_stale=True), RiskLimits()),
    (DenyCode.NO_EQUITY, _buy(), account("0"), RiskLimits()),
    (DenyCode.INVALID_PRICE, OrderIntent(SYM, "buy", D("0")), account(), RiskLimits()),
    (
        DenyCode.INVALID_QTY,
        OrderIntent(SYM, "sell", D("50000"), reduce_only=True, qty=D("0.0004")),
        account(positions=(position(SYM, "0.1", "5000"),)),
        RiskLimits(),
    ),
    (
        DenyCode.OPPOSITE_POSITION,
        _buy(),
        account(positions=(position(SYM, "-0.1", "5000"),)),
        RiskLimits(),
    ),
    (
        DenyCode.MAX_OPEN_POSITIONS,
        _buy(),
        account(positions=(position("ETH/USDT:USDT", "1", "3000"),)),
        RiskLimits(max_open_positions=1),
    ),
    (DenyCode.ATR_UNAVAILABLE, _buy(), account(), RiskLimits(atr_stop_multiple=D("2"))),
    (DenyCode.INVALID_STOP, _buy(stop_loss=D("50001")), account(), RiskLimits()),
    (DenyCode.INVALID_TAKE_PROFIT, _buy(take_profit=D("49999")), account(), RiskLimits()),
    (
        DenyCode.MAX_POSITION,
        _buy(),
        account(positions=(position(SYM, "0.2", "10000"),)),
        RiskLimits(),
    ),
    (
        DenyCode.MAX_LEVERAGE,
        _buy(),
        account(positions=(position("ETH/USDT:USDT", "10", "30000"),)),
        RiskLimits(),
    ),
    (DenyCode.BELOW_MIN_QTY, _buy(), account("10"), RiskLimits()),
    # entry 4,000, stop 2 % = 80: 10 x 1 % / 80 = 0.00125 -> 0.001 BTC (min qty met)
    # but 0.001 x 4,000 = 4 USDT < min notional 5
    (
        DenyCode.BELOW_MIN_NOTIONAL,
        OrderIntent(SYM, "buy", D("4000")),
        account("10"),
        RiskLimits(),
    ),
    (
        DenyCode.NO_POSITION,
        OrderIntent(SYM, "sell", D("50000"), reduce_only=True),
        account(),
        RiskLimits(),
    ),
    (
        DenyCode.NOT_A_REDUCTION,
        OrderIntent(SYM, "buy", D("50000"), reduce_only=True),
        account(positions=(position(SYM, "0.1", "5000"),)),
        RiskLimits(),
    ),
]


@pytest.mark.parametrize(
    ("code", "intent", "acct", "limits"), DENIALS, ids=[case[0].value for case in DENIALS]
)
def test_denial_code(
    code: DenyCode, intent: OrderIntent, acct: AccountSnapshot, limits: RiskLimits
) -> None:
    result = check_order(intent, acct, btc(), limits)
    assert isinstance(result, Denied)
    assert result.code is code
    assert result.reason and "\n" not in result.reason


def test_every_denial_code_is_covered() -> None:
    assert {case[0] for case in DENIALS} == set(DenyCode)


def test_daily_loss_reason_reads_for_a_person() -> None:
    result = _check(_buy(), account("9690", day_start="10000"))
    assert result == Denied(DenyCode.DAILY_LOSS, "daily loss 3.1% exceeds limit 3.0%")


def test_limit_reached_exactly_denies() -> None:
    # 9,700 is exactly 3.0 % down: reaching the limit already halts entries
    result = _check(_buy(), account("9700", day_start="10000"))
    assert result == Denied(DenyCode.DAILY_LOSS, "daily loss 3.0% reached limit 3.0%")


def test_reason_shows_digits_that_tell_value_from_limit() -> None:
    # 3.04 % would print as "3.0% exceeds limit 3.0%" with one digit
    result = _check(_buy(), account("9696", day_start="10000"))
    assert result == Denied(DenyCode.DAILY_LOSS, "daily loss 3.04% exceeds limit 3.00%")


def test_drawdown_reason() -> None:
    result = _check(_buy(), account("8960", peak="10000"))
    assert result == Denied(DenyCode.MAX_DRAWDOWN, "drawdown 10.4% exceeds limit 10.0%")


def test_drawdown_exactly_at_limit_denies() -> None:
    # (10,000 - 9,000) / 10,000 = 10.0 %: reaching the limit halts entries
    result = _check(_buy(), account("9000", peak="10000"))
    assert result == Denied(DenyCode.MAX_DRAWDOWN, "drawdown 10.0% reached limit 10.0%")


def test_kill_switch_wins_over_other_breaches() -> None:
    acct = account("8000", peak="10000", day_start="10000", kill_switch=True, data_stale=True)
    result = _check(_buy(), acct)
    assert isinstance(result, Denied)
    assert result.code is DenyCode.KILL_SWITCH


def test_reduction_allowed_when_halted_in_every_way() -> None:
    # kill switch, 20 % drawdown, 20 % daily loss and stale data: closing still passes
    acct = account(
        "8000",
        peak="10000",
        day_start="10000",
        kill_switch=True,
        data_stale=True,
        positions=(position(SYM, "0.25", "12500"),),
    )
    result = _check(OrderIntent(SYM, "sell", D("50000"), reduce_only=True), acct)
    assert result == Approved(
        symbol=SYM,
        side="sell",
        qty=D("0.25"),
        entry_price=D("50000"),
        stop_loss=None,
        take_profit=None,
        reduce_only=True,
        capped_by="reduction",
    )


def test_short_is_closed_by_a_buy_reduction() -> None:
    acct = account(kill_switch=True, positions=(position(SYM, "-0.3", "15000"),))
    result = _check(OrderIntent(SYM, "buy", D("50000"), reduce_only=True), acct)
    assert isinstance(result, Approved)
    assert result.qty == D("0.3")


def test_reduction_is_clipped_to_the_position() -> None:
    acct = account(positions=(position(SYM, "0.1", "5000"),))
    result = _check(OrderIntent(SYM, "sell", D("50000"), reduce_only=True, qty=D("0.5")), acct)
    assert isinstance(result, Approved)
    assert result.qty == D("0.1")


def test_partial_reduction_floors_to_the_lot() -> None:
    acct = account(positions=(position(SYM, "0.1", "5000"),))
    intent = OrderIntent(SYM, "sell", D("50000"), reduce_only=True, qty=D("0.0459"))
    result = _check(intent, acct)
    assert isinstance(result, Approved)
    assert result.qty == D("0.045")


def test_reduction_passes_when_snapshot_has_not_seen_the_position() -> None:
    # the exchange's reduce-only flag guarantees this cannot open anything
    intent = OrderIntent(SYM, "sell", D("50000"), reduce_only=True, qty=D("0.1"))
    result = _check(intent, account(kill_switch=True))
    assert isinstance(result, Approved)
    assert result.qty == D("0.1")


def test_account_derived_figures() -> None:
    acct = account(
        "9000",
        peak="12000",
        day_start="9500",
        positions=(position(SYM, "0.2", "10000"), position("ETH/USDT:USDT", "-2", "8000")),
    )
    # gross 18,000 / 9,000 = 2x; drawdown 3,000 / 12,000 = 25 %; daily 500 / 9,500
    assert acct.gross_notional == D("18000")
    assert acct.leverage == D("2")
    assert acct.drawdown_pct == D("0.25")
    assert acct.daily_loss_pct == D("500") / D("9500")
    assert acct.open_position_count == 2
