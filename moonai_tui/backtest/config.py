"""What a backtest simulates: account, market, costs, fill timing, stops and sizing.

Every field is validated when the config is built; a bad value raises one
:class:`~moonai_tui.errors.ConfigError` line naming the field, the value and what
is expected. Fractions are fractions (0.02 = 2 %), basis points are basis points.

Slippage models (both move every market-type fill against us, entries, signal
exits and triggered stops alike, as :class:`~moonai_tui.execution.FillModel` does):

* :class:`FixedSlippage`: a constant ``bps``: ``buy = p x (1 + bps/10,000)``,
  ``sell = p x (1 - bps/10,000)``.
* :class:`DepthSlippage`: a book-depth model. Each side of the book is assumed to
  start ``half_spread_bps`` away from the reference price and to hold
  ``depth_per_bps`` of quote notional per basis point further out (a uniform depth
  profile, so cumulative depth grows linearly with distance). A market order of
  notional ``N = qty x p`` walks ``N / depth_per_bps`` basis points into that
  profile; its volume-weighted average price is therefore
  ``half_spread_bps + N / (2 x depth_per_bps)`` basis points from ``p``.
  Example: depth 50,000 USDT per bp, order 100,000 USDT, half spread 0.5 bp:
  ``0.5 + 100,000 / 100,000 = 1.5`` bp. Bigger orders pay more, as on a real book.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from moonai_tui.errors import ConfigError
from moonai_tui.execution.fees import BYBIT_LINEAR_MAKER, BYBIT_LINEAR_TAKER

if TYPE_CHECKING:
    # Types only: importing the risk package costs a fresh backtest process ~30 ms.
    from moonai_tui.domain import Instrument
    from moonai_tui.risk.limits import RiskLimits

Market = Literal["spot", "linear"]
FillTiming = Literal["next_open", "signal_close"]
Sizing = Literal["risk", "all_in"]

BYBIT_DEFAULT_FUNDING_RATE = 0.0001
"""ByBit's baseline funding rate per 8 h interval (0.01 %); longs pay shorts when > 0."""


@dataclass(frozen=True, slots=True)
class FixedSlippage:
    """A constant adverse slippage in basis points (1 bp = 0.01 %)."""

    bps: float = 0.0


@dataclass(frozen=True, slots=True)
class DepthSlippage:
    """Slippage from a uniform book-depth profile (module docstring for the formula).

    Attributes:
        depth_per_bps: quote notional resting per basis point of distance, per side; > 0.
        half_spread_bps: distance of the best level from the reference price, >= 0.
    """

    depth_per_bps: float
    half_spread_bps: float = 0.0


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """Settings of one backtest run.

    Attributes:
        initial_equity: starting quote balance (USDT); > 0.
        market: ``linear`` (USDT perpetual: shorts, funding, leverage up to the caps) or
            ``spot`` (long only, no funding, never more than the cash).
        maker_fee: maker rate (ByBit linear VIP 0). Kept for completeness: every
            backtest fill is a market order or a triggered stop, so it pays ``taker_fee``.
        taker_fee: taker rate, charged on the notional of every fill.
        slippage: :class:`FixedSlippage` or :class:`DepthSlippage`.
        fill_timing: ``next_open`` (default: an order decided at bar t's close fills at
            bar t+1's open) or ``signal_close`` (fills at bar t's close: the comparison
            mode other tools such as vectorbt use by default; it assumes we could
            trade at the very price that produced the decision).
        funding_rate: constant funding rate per 8 h (linear only); ignored when
            ``funding_rates`` is given.
        funding_rates: a rate series indexed by funding time (UTC); the rate of a
            funding time is the series' last value at or before it.
        stop_loss_pct: stop distance as a fraction of the entry price; None = no stop.
            Per-trade overrides from ``strategy.stops()`` replace it.
        take_profit_pct: take-profit distance as a fraction; None = none.
        trailing_stop_pct: when set, the stop also trails the best price since entry at
            this distance (the tighter of the two applies).
        sizing: ``risk`` (the live rule, :func:`moonai_tui.risk.size_position`) or
            ``all_in`` (``all_in_fraction`` of equity per entry, fee included).
        risk_per_trade: equity fraction lost if the stop is hit (``risk`` sizing).
        max_position_pct_equity: notional cap as a fraction of equity (``risk`` sizing).
        max_leverage: gross notional cap over equity (``risk`` sizing; linear only).
        all_in_fraction: equity fraction committed by ``all_in`` sizing; at most 1 on
            spot, at most ``max_leverage`` on linear.
        allow_short: None = the market's default (linear yes, spot no). When False a
            short target (-1) only closes a long.
        close_at_end: close a position still open after the last bar at its close
            (taker fee and slippage); when False it stays open, valued at that close.
        tick_size: price grid (0 = none): stops, take-profits and slipped prices are
            rounded the conservative way, as live.
        lot_size: quantity grid (0 = none); sizes are floored to it.
        min_qty: smallest order quantity; smaller entries are skipped.
        min_notional: smallest order value; smaller entries are skipped.
    """

    initial_equity: float = 10_000.0
    market: Market = "linear"
    maker_fee: float = float(BYBIT_LINEAR_MAKER)
    taker_fee: float = float(BYBIT_LINEAR_TAKER)
    slippage: FixedSlippage | DepthSlippage = field(default_factory=FixedSlippage)
    fill_timing: FillTiming = "next_open"
    funding_rate: float = BYBIT_DEFAULT_FUNDING_RATE
    funding_rates: pd.Series | None = field(default=None, compare=False, hash=False)
    stop_loss_pct: float | None = 0.02
    take_profit_pct: float | None = 0.04
    trailing_stop_pct: float | None = None
    sizing: Sizing = "risk"
    risk_per_trade: float = 0.01
    max_position_pct_equity: float = 1.0
    max_leverage: float = 3.0
    all_in_fraction: float = 1.0
    allow_short: bool | None = None
    close_at_end: bool = True
    tick_size: float = 0.0
    lot_size: float = 0.0
    min_qty: float = 0.0
    min_notional: float = 0.0

    def __post_init__(self) -> None:
        _choice("market", self.market, ("spot", "linear"))
        _choice("fill_timing", self.fill_timing, ("next_open", "signal_close"))
        _choice("sizing", self.sizing, ("risk", "all_in"))
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, float | int) and not isinstance(value, bool):
                _check(math.isfinite(value), spec.name, value, "a finite number")
        _check(self.initial_equity > 0, "initial_equity", self.initial_equity, "> 0")
        _check(-1 < self.maker_fee < 1, "maker_fee", self.maker_fee, "a fraction in (-1, 1)")
        _check(0 <= self.taker_fee < 1, "taker_fee", self.taker_fee, "a fraction in [0, 1)")
        self._check_slippage()
        _check(
            abs(self.funding_rate) < 1, "funding_rate", self.funding_rate, "a fraction in (-1, 1)"
        )
        for name in ("stop_loss_pct", "take_profit_pct", "trailing_stop_pct"):
            value = getattr(self, name)
            if value is not None:
                _check(0 < value < 1, name, value, "a fraction in (0, 1) or None")
        _check(0 < self.risk_per_trade <= 0.02, "risk_per_trade", self.risk_per_trade, "(0, 0.02]")
        for name in ("max_position_pct_equity", "max_leverage"):
            _check(getattr(self, name) > 0, name, getattr(self, name), "> 0")
        cap = 1.0 if self.market == "spot" else self.max_leverage
        _check(
            0 < self.all_in_fraction <= cap,
            "all_in_fraction",
            self.all_in_fraction,
            f"(0, {cap:g}]",
        )
        if self.sizing == "risk" and self.stop_loss_pct is None:
            raise ConfigError(
                "backtest.stop_loss_pct is None, but sizing 'risk' needs a stop distance; "
                "set a stop or use sizing 'all_in'"
            )
        if self.allow_short is None:
            object.__setattr__(self, "allow_short", self.market == "linear")
        elif self.allow_short and self.market == "spot":
            raise ConfigError("backtest.allow_short is True, but spot cannot short; use 'linear'")
        for name in ("tick_size", "lot_size", "min_qty", "min_notional"):
            _check(getattr(self, name) >= 0, name, getattr(self, name), ">= 0 (0 = none)")
        if self.funding_rates is not None:
            self._check_funding_rates(self.funding_rates)

    @property
    def shorts(self) -> bool:
        """Whether a short target opens a short (resolved ``allow_short``)."""
        return bool(self.allow_short)

    @classmethod
    def from_risk_limits(
        cls, limits: RiskLimits, instrument: Instrument | None = None, **overrides: Any
    ) -> BacktestConfig:
        """A config with the live risk settings (and instrument grid), then ``overrides``.

        Raises:
            ConfigError: an invalid override, or ``atr_stop_multiple`` in ``limits``
                (the backtester's stops are percent-based).
        """
        if limits.atr_stop_multiple is not None:
            raise ConfigError("risk.atr_stop_multiple is not supported by the backtester yet")
        values: dict[str, Any] = {
            "risk_per_trade": float(limits.risk_per_trade),
            "stop_loss_pct": float(limits.stop_loss_pct),
            "take_profit_pct": float(limits.take_profit_pct),
            "max_position_pct_equity": float(limits.max_position_pct_equity),
            "max_leverage": float(limits.max_leverage),
        }
        if instrument is not None:
            values.update(
                market="linear" if instrument.kind == "swap" else "spot",
                tick_size=float(instrument.tick_size),
                lot_size=float(instrument.lot_size),
                min_qty=float(instrument.min_qty),
                min_notional=float(instrument.min_notional or 0),
            )
        values.update(overrides)
        return cls(**values)

    def with_changes(self, **changes: Any) -> BacktestConfig:
        """A copy with some fields changed (validated again)."""
        if "market" in changes and "allow_short" not in changes:
            changes["allow_short"] = None
        return replace(self, **changes)

    def _check_slippage(self) -> None:
        slip = self.slippage
        if isinstance(slip, FixedSlippage):
            _check(
                math.isfinite(slip.bps) and 0 <= slip.bps < 10_000,
                "slippage.bps",
                slip.bps,
                "in [0, 10000)",
            )
        elif isinstance(slip, DepthSlippage):
            _check(
                math.isfinite(slip.depth_per_bps) and slip.depth_per_bps > 0,
                "slippage.depth_per_bps",
                slip.depth_per_bps,
                "> 0",
            )
            _check(
                math.isfinite(slip.half_spread_bps) and 0 <= slip.half_spread_bps < 10_000,
                "slippage.half_spread_bps",
                slip.half_spread_bps,
                "in [0, 10000)",
            )
        else:
            raise ConfigError(
                f"backtest.slippage must be FixedSlippage or DepthSlippage, got {slip!r}"
            )

    @staticmethod
    def _check_funding_rates(rates: pd.Series) -> None:
        index = rates.index
        if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
            raise ConfigError("backtest.funding_rates must be indexed by tz-aware UTC times")
        if not index.is_monotonic_increasing or not index.is_unique:
            raise ConfigError("backtest.funding_rates times must be ascending and unique")
        values = rates.to_numpy(dtype=np.float64, na_value=np.nan)
        if len(values) == 0 or not bool((np.abs(values) < 1).all()):
            raise ConfigError(
                "backtest.funding_rates must be a non-empty series of fractions in (-1, 1)"
            )


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(
            f"backtest.{name} is {value!r}; expected one of {', '.join(map(repr, allowed))}"
        )


def _check(ok: bool, name: str, value: object, expected: str) -> None:
    if not ok:
        raise ConfigError(f"backtest.{name} is {value!r}; expected {expected}")
