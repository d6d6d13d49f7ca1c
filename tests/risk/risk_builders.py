"""Small builders for risk tests: a BTC linear perpetual and a flat 10,000 USDT account."""

from __future__ import annotations

from decimal import Decimal

from moonai_tui.domain import Instrument
from moonai_tui.risk import AccountSnapshot, PositionExposure

D = Decimal


def btc(
    *,
    tick: str = "0.1",
    lot: str = "0.001",
    min_qty: str = "0.001",
    min_notional: str | None = "5",
) -> Instrument:
    return Instrument(
        symbol="BTC/USDT:USDT",
        market_id="BTCUSDT",
        kind="swap",
        base="BTC",
        quote="USDT",
        settle="USDT",
        tick_size=D(tick),
        lot_size=D(lot),
        min_qty=D(min_qty),
        min_notional=None if min_notional is None else D(min_notional),
    )


def account(
    equity: str = "10000",
    *,
    peak: str | None = None,
    day_start: str | None = None,
    positions: tuple[PositionExposure, ...] = (),
    kill_switch: bool = False,
    data_stale: bool = False,
) -> AccountSnapshot:
    return AccountSnapshot(
        equity=D(equity),
        peak_equity=D(peak if peak is not None else equity),
        day_start_equity=D(day_start if day_start is not None else equity),
        positions=positions,
        kill_switch=kill_switch,
        data_stale=data_stale,
    )


def position(symbol: str, qty: str, notional: str, stop: str | None = None) -> PositionExposure:
    return PositionExposure(symbol, D(qty), D(notional), None if stop is None else D(stop))
