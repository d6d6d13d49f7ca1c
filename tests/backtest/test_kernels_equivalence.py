"""The numba ports equal the shared live rules they copy, on many random inputs.

Each test draws a few thousand cases with a fixed seed, on coarse grids so that
ties (open == stop, raw size exactly on a lot line, stop rounded onto the entry)
happen often: those are where a port would silently differ.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from moonai_tui.backtest.kernels import (
    DENY_NAMES,
    NO_EXIT,
    SIZE_OK,
    STOP_LOSS,
    TAKE_PROFIT,
    exit_trigger,
    fee_of,
    protective_levels,
    size_qty,
    slipped_price,
)
from moonai_tui.domain import Instrument
from moonai_tui.execution import FeeSchedule, FillModel, resolve_exit_trigger
from moonai_tui.risk import Denied, RiskLimits, protective_prices, size_position

D = Decimal
NAN = float("nan")
CASES = 3000
KINDS = {NO_EXIT: None, STOP_LOSS: "stop_loss", TAKE_PROFIT: "take_profit"}


def _instrument(tick: str, lot: str, min_qty: str, min_notional: str | None) -> Instrument:
    return Instrument(
        "BTC/USDT:USDT",
        "BTCUSDT",
        "swap",
        "BTC",
        "USDT",
        "USDT",
        D(tick),
        D(lot),
        D(min_qty),
        None if min_notional is None else D(min_notional),
    )


def test_exit_trigger_equals_resolve_exit_trigger() -> None:
    rng = random.Random(1)
    both_inside = 0
    for _ in range(CASES):
        side = rng.choice(("long", "short"))
        open_ = rng.randint(95, 105)
        low = open_ - rng.randint(0, 6)
        high = open_ + rng.randint(0, 6)
        # levels near the bar, so gaps, touches and "both inside" all happen
        stop = rng.choice((None, open_ + rng.randint(-8, 8)))
        take = rng.choice((None, open_ + rng.randint(-8, 8)))
        expected = resolve_exit_trigger(
            side,
            open_=D(open_),
            high=D(high),
            low=D(low),
            stop_loss=None if stop is None else D(stop),
            take_profit=None if take is None else D(take),
        )
        kind, price, gapped = exit_trigger(
            side == "long",
            float(open_),
            float(high),
            float(low),
            NAN if stop is None else float(stop),
            NAN if take is None else float(take),
        )
        case = (side, open_, high, low, stop, take)
        if expected is None:
            assert kind == NO_EXIT, case
        else:
            assert (KINDS[kind], price, gapped) == (
                expected.kind,
                float(expected.price),
                expected.gapped,
            ), case
        if stop is not None and take is not None:
            below, above = sorted((stop, take))
            both_inside += low <= below < open_ < above <= high
    assert both_inside > 30  # the case the conservative rule is about


def _dec(rng: random.Random, low: float, high: float, places: int) -> Decimal:
    return D(str(round(rng.uniform(low, high), places)))


def _log_dec(rng: random.Random, low: float, high: float, places: int) -> Decimal:
    """Log-uniform, so small and large magnitudes are both drawn often."""
    return max(D(str(round(10 ** rng.uniform(low, high), places))), D(1).scaleb(-places))


def test_size_qty_equals_size_position() -> None:
    rng = random.Random(2)
    outcomes: set[str] = set()
    for _ in range(CASES):
        equity = rng.choice((D(0), D(-5), _dec(rng, 10, 200_000, 2)))
        entry = rng.choice((D(0), _log_dec(rng, -1, 5, 2)))
        stop = rng.choice((entry, entry * (1 - _dec(rng, 0.001, 0.2, 3))))
        limits = RiskLimits(
            risk_per_trade=_dec(rng, 0.001, 0.02, 3),
            max_position_pct_equity=_dec(rng, 0.01, 2, 2),
            max_leverage=_dec(rng, 0.5, 10, 1),
        )
        lot = rng.choice(("0.001", "0.01", "0.1", "1"))
        min_notional = rng.choice((None, "5", "100"))
        instrument = _instrument("0.1", lot, rng.choice((lot, "0.5")), min_notional)
        symbol_notional = rng.choice((D(0), _dec(rng, 0, 300_000, 2)))
        gross_notional = rng.choice((D(0), _dec(rng, 0, 600_000, 2)))
        max_qty = rng.choice((None, _dec(rng, 0, 50, 3)))
        expected = size_position(
            equity=equity,
            entry_price=entry,
            stop_price=stop,
            limits=limits,
            instrument=instrument,
            symbol_notional=symbol_notional,
            gross_notional=gross_notional,
            max_qty=max_qty,
        )
        qty, code = size_qty(
            float(equity),
            float(entry),
            float(stop),
            float(limits.risk_per_trade),
            float(limits.max_position_pct_equity),
            float(limits.max_leverage),
            float(instrument.lot_size),
            float(instrument.min_qty),
            float(instrument.min_notional or 0),
            float(symbol_notional),
            float(gross_notional),
            NAN if max_qty is None else float(max_qty),
        )
        case = (equity, entry, stop, limits, instrument, symbol_notional, gross_notional, max_qty)
        if isinstance(expected, Denied):
            assert DENY_NAMES[code] == expected.code.value, case
            outcomes.add(expected.code.value)
        else:
            assert code == SIZE_OK, case
            assert qty == pytest.approx(float(expected.qty), rel=1e-12, abs=1e-15), case
            outcomes.add(expected.capped_by)
    # the draw reaches every branch, so the comparison means something
    assert outcomes >= {
        "no_equity",
        "invalid_price",
        "invalid_stop",
        "max_position",
        "max_leverage",
        "below_min_qty",
        "below_min_notional",
        "risk",
        "position_cap",
        "leverage_cap",
        "requested",
    }


def test_protective_levels_equal_protective_prices() -> None:
    rng = random.Random(3)
    outcomes: set[str] = set()
    for _ in range(CASES):
        tick = rng.choice(("0.1", "0.01", "0.5", "1"))
        entry = D(rng.randint(1, 100_000)) * D(tick)
        side = rng.choice(("buy", "sell"))
        stop_pct = min(_log_dec(rng, -5, 0, 6), D("0.5"))
        take_pct = min(_log_dec(rng, -5, 0, 6), D("0.99"))
        limits = RiskLimits(stop_loss_pct=stop_pct, take_profit_pct=take_pct)
        expected = protective_prices(entry, side, limits, D(tick))
        stop, take, code = protective_levels(
            float(entry), side == "buy", float(stop_pct), float(take_pct), float(tick)
        )
        case = (entry, side, stop_pct, take_pct, tick)
        if isinstance(expected, Denied):
            assert DENY_NAMES[code] == expected.code.value, case
            outcomes.add(expected.code.value)
        else:
            assert code == SIZE_OK, case
            assert stop == pytest.approx(float(expected.stop_loss), rel=1e-12), case
            assert take == pytest.approx(float(expected.take_profit), rel=1e-12), case
            outcomes.add("ok")
    assert outcomes == {"ok", "invalid_stop", "invalid_take_profit"}


def test_fee_of_equals_fee_schedule() -> None:
    rng = random.Random(4)
    for _ in range(CASES):
        notional = _dec(rng, -1e6, 1e6, 4)
        rate = _dec(rng, 0, 0.01, 5)
        expected = FeeSchedule(maker_rate=D(0), taker_rate=rate).fee(notional, "taker")
        assert fee_of(float(notional), float(rate)) == pytest.approx(float(expected), rel=1e-12)


def test_slipped_price_equals_the_fill_models_market_price() -> None:
    rng = random.Random(5)
    for _ in range(CASES):
        tick = rng.choice(("0.1", "0.01", "0.5"))
        price = D(rng.randint(1, 200_000)) * D(tick)
        bps = rng.choice((D(0), _dec(rng, 0, 50, 1)))
        side = rng.choice(("buy", "sell"))
        fill = FillModel(slippage_bps=bps).market_at_price(
            side, D(1), price, _instrument(tick, "0.001", "0.001", None)
        )
        got = slipped_price(float(price), side == "buy", 1.0, float(bps), 0.0, float(tick))
        case = (price, bps, side, tick)
        assert got == pytest.approx(float(fill.average_price), rel=1e-12), case
