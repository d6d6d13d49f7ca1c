"""Second method: a plain-Python loop, written from the rules in the docs, must produce
the same trades and equity as the compiled loop on ~2,000 random bars.

The reference deliberately calls the live Decimal rules (``resolve_exit_trigger``,
``size_position``, ``floor_to_step``) and does everything else the obvious way, one
bar at a time: events from the target, funding at each 00/08/16 UTC time, the pending
order, intrabar exits, the order at the close, marking to market.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from bt_builders import FixedTarget

from moonai_tui.backtest import BacktestConfig, FixedSlippage, run_backtest
from moonai_tui.domain import Instrument
from moonai_tui.execution import resolve_exit_trigger
from moonai_tui.execution.rounding import floor_to_step
from moonai_tui.risk import Denied, RiskLimits, size_position

EIGHT_HOURS = pd.Timedelta(hours=8)


def _d(x: float) -> Decimal:
    return Decimal(repr(float(x)))


@dataclass
class Position:
    side: int
    qty: float
    entry: float
    fee: float
    bar: int
    stop: float | None
    take: float | None
    best: float
    funding: float = 0.0


class Reference:
    """The backtest rules, one bar at a time, in plain Python."""

    def __init__(self, bars: pd.DataFrame, cfg: BacktestConfig, stop_over: np.ndarray) -> None:
        self.bars = bars
        self.cfg = cfg
        self.stop_over = stop_over
        self.cash = cfg.initial_equity
        self.pos: Position | None = None
        self.trades: list[tuple[object, ...]] = []
        self.lot = Decimal(str(cfg.lot_size))
        self.instrument = Instrument(
            "X/USDT:USDT", "X", "swap", "X", "USDT", "USDT", Decimal("0.0001"), self.lot,
            Decimal(str(cfg.min_qty)), Decimal(str(cfg.min_notional)),
        )  # fmt: skip

    def price(self, base: float, buy: bool) -> float:
        assert isinstance(self.cfg.slippage, FixedSlippage)
        move = self.cfg.slippage.bps / 10_000
        return base * (1 + move) if buy else base * (1 - move)

    def close(self, base: float, bar: int, reason: str) -> None:
        pos = self.pos
        assert pos is not None
        price = self.price(base, buy=pos.side < 0)
        fee = pos.qty * price * self.cfg.taker_fee
        pnl = pos.side * pos.qty * (price - pos.entry) - pos.fee - fee - pos.funding
        self.trades.append(
            (pos.bar, bar, pos.side, reason, pos.qty, pos.entry, price, pos.fee, fee,
             pos.funding, pnl)
        )  # fmt: skip
        self.cash += pos.side * pos.qty * price - fee
        self.pos = None

    def size(self, fill: float, stop: float | None) -> float:
        cfg = self.cfg
        if cfg.sizing == "all_in":
            raw = _d(cfg.all_in_fraction * self.cash / (fill * (1 + cfg.taker_fee)))
            qty = floor_to_step(raw, self.lot)
            ok = (
                qty >= Decimal(str(cfg.min_qty))
                and qty > 0
                and qty * _d(fill) >= _d(cfg.min_notional)
            )
            return float(qty) if ok else 0.0
        assert stop is not None
        spot = cfg.market == "spot"
        sized = size_position(
            equity=_d(self.cash),
            entry_price=_d(fill),
            stop_price=_d(stop),
            limits=RiskLimits(
                risk_per_trade=_d(cfg.risk_per_trade),
                max_position_pct_equity=_d(cfg.max_position_pct_equity),
                max_leverage=Decimal(1) if spot else _d(cfg.max_leverage),
            ),
            instrument=self.instrument,
            max_qty=_d(self.cash / (fill * (1 + cfg.taker_fee))) if spot else None,
        )
        return 0.0 if isinstance(sized, Denied) else float(sized.qty)

    def order(self, target: float, base: float, bar: int, decision: int) -> None:
        if target < 0 and not self.cfg.shorts:
            target = 0
        current = 0 if self.pos is None else self.pos.side
        if target == current:
            return
        if self.pos is not None:
            self.close(base, bar, "signal")
        if target == 0:
            return
        side = int(target)
        fill = self.price(base, buy=side > 0)
        stop_pct = self.stop_over[decision]
        if math.isnan(stop_pct):
            stop_pct = self.cfg.stop_loss_pct
        take_pct = self.cfg.take_profit_pct
        # risk/stops.py: distance = entry x pct; a long's stop is entry - distance
        stop = None if stop_pct is None else fill - side * (fill * stop_pct)
        take = None if take_pct is None else fill + side * (fill * take_pct)
        qty = self.size(fill, stop)
        if qty == 0:
            return
        fee = qty * fill * self.cfg.taker_fee
        self.cash -= side * qty * fill + fee
        self.pos = Position(side, qty, fill, fee, bar, stop, take, best=base)

    def protect(self, bar: int, o: float, h: float, low: float) -> None:
        pos = self.pos
        assert pos is not None
        level, trailed = pos.stop, False
        trail = self.cfg.trailing_stop_pct
        if trail is not None:
            trail_level = pos.best * (1 - pos.side * trail)
            tighter = level is None or (
                trail_level > level if pos.side > 0 else trail_level < level
            )
            if tighter:
                level, trailed = trail_level, True
        hit = resolve_exit_trigger(
            "long" if pos.side > 0 else "short",
            open_=_d(o),
            high=_d(h),
            low=_d(low),
            stop_loss=None if level is None else _d(level),
            take_profit=None if pos.take is None else _d(pos.take),
        )
        if hit is not None:
            reason = "trailing_stop" if hit.kind == "stop_loss" and trailed else hit.kind
            self.close(float(hit.price), bar, reason)
        elif trail is not None:
            pos.best = max(pos.best, h) if pos.side > 0 else min(pos.best, low)

    def run(self, target: np.ndarray) -> list[float]:
        events: list[float | None] = []
        state = 0.0
        for value in target:
            if math.isnan(value) or value == state:
                events.append(None)
            else:
                state = value
                events.append(value)
        times = self.bars.index
        rows = self.bars[["open", "high", "low", "close"]].to_numpy()
        next_open = self.cfg.fill_timing == "next_open"
        equity = []
        for i, (o, h, low, c) in enumerate(rows):
            if i > 0 and self.pos is not None and self.cfg.market == "linear":
                funding_time = times[i - 1].floor("8h") + EIGHT_HOURS
                while funding_time <= times[i]:
                    pay = self.pos.side * self.pos.qty * o * self.cfg.funding_rate
                    self.cash -= pay
                    self.pos.funding += pay
                    funding_time += EIGHT_HOURS
            previous = events[i - 1] if i > 0 else None
            if next_open and previous is not None:
                self.order(previous, o, i, i - 1)
            if self.pos is not None:
                self.protect(i, o, h, low)
            if not next_open and events[i] is not None:
                self.order(events[i], c, i, i)
            signed = 0.0 if self.pos is None else self.pos.side * self.pos.qty
            equity.append(self.cash + signed * c)
        if self.pos is not None:
            if self.cfg.close_at_end:
                self.close(rows[-1][3], len(rows) - 1, "end_of_data")
                equity[-1] = self.cash
            else:
                pos = self.pos
                pnl = pos.side * pos.qty * (rows[-1][3] - pos.entry) - pos.fee - pos.funding
                self.trades.append(
                    (pos.bar, len(rows) - 1, pos.side, "open", pos.qty, pos.entry,
                     rows[-1][3], pos.fee, 0.0, pos.funding, pnl)
                )  # fmt: skip
        return equity


def _random_case(seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 2_000
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.008, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    gaps = rng.random(n) < 0.03  # some bars open away from the last close
    open_ = np.where(gaps, open_ * np.exp(rng.normal(0, 0.03, n)), open_)
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.006, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.006, n)))
    index = pd.date_range("2024-01-01 03:00", periods=n, freq="1h", tz="UTC")
    bars = pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": 1.0}, index=index
    )
    target = np.full(n, np.nan)
    value = np.nan
    for i in range(20, n):
        if rng.random() < 0.08:
            value = rng.choice([-1.0, 0.0, 1.0, np.nan])
        target[i] = value
    stop_over = np.where(rng.random(n) < 0.3, rng.uniform(0.005, 0.05, n), np.nan)
    return bars, target, stop_over


CONFIGS = {
    "linear_next_open_trailing": BacktestConfig(
        trailing_stop_pct=0.03, slippage=FixedSlippage(2), lot_size=0.001, min_qty=0.001,
        min_notional=5,
    ),
    "linear_signal_close_keep_open": BacktestConfig(
        fill_timing="signal_close", funding_rate=-0.0002, close_at_end=False, take_profit_pct=None,
        lot_size=1e-6,
    ),
    "spot_risk_capped_by_cash": BacktestConfig(
        market="spot", risk_per_trade=0.02, stop_loss_pct=0.01, max_position_pct_equity=1.5,
        lot_size=0.01, min_qty=0.01,
    ),
    "linear_all_in_leveraged": BacktestConfig(
        sizing="all_in", all_in_fraction=2.0, fill_timing="signal_close", lot_size=0.001,
        stop_loss_pct=0.03, take_profit_pct=0.05, trailing_stop_pct=0.02,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", CONFIGS)
def test_compiled_loop_equals_the_python_reference(name: str) -> None:
    cfg = CONFIGS[name]
    bars, target, stop_over = _random_case(seed=len(name))
    stops = pd.DataFrame({"stop_loss_pct": stop_over}, index=bars.index)
    result = run_backtest(FixedTarget(target, stops), bars, cfg)
    reference = Reference(bars, cfg, stop_over)
    equity = reference.run(target)

    trades = result.trades
    side = np.where(trades["side"] == "long", 1, -1)
    got = list(
        zip(trades["entry_bar"], trades["exit_bar"], side, trades["exit_reason"], strict=True)
    )
    assert got == [t[:4] for t in reference.trades]
    numbers = ["qty", "entry_price", "exit_price", "entry_fee", "exit_fee", "funding", "pnl"]
    expected = np.array([t[4:] for t in reference.trades], dtype=np.float64)
    np.testing.assert_allclose(trades[numbers].to_numpy(), expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(result.equity.to_numpy(), equity, rtol=1e-10)
    # the random case is rich enough to exercise what it claims to
    assert len(trades) > 20
    reasons = set(trades["exit_reason"])
    assert {"signal", "stop_loss"} <= reasons
