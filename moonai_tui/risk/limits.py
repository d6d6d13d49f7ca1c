"""The risk limits: one frozen value, built from config, read by every rule."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from moonai_tui.errors import ConfigError

MAX_RISK_PER_TRADE = Decimal("0.02")
"""Hard ceiling on ``risk_per_trade`` (2 % of equity); no config can raise it."""


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """Limits as fractions (0.01 = 1 %), multiples or counts.

    Attributes:
        risk_per_trade: equity fraction lost if a new entry's stop is hit; in (0, 0.02].
        stop_loss_pct: stop distance as a fraction of the entry price; in (0, 1).
        take_profit_pct: take-profit distance as a fraction of the entry price; > 0.
        atr_stop_multiple: when set, the stop distance is ``ATR x multiple`` instead of
            ``entry x stop_loss_pct`` (the take-profit stays percent-based).
        max_position_pct_equity: largest notional in one symbol, as a fraction of
            equity (1 = one times equity); > 0.
        max_leverage: largest gross open notional over equity, new order included; > 0.
        max_open_positions: most symbols with an open position at once; >= 1.
        max_daily_loss_pct: loss since the day's start, as a fraction of the
            day-start equity, at which new entries stop; in (0, 1).
        max_drawdown_pct: fall from peak equity at which new entries stop; in (0, 1).
    """

    risk_per_trade: Decimal = Decimal("0.01")
    stop_loss_pct: Decimal = Decimal("0.02")
    take_profit_pct: Decimal = Decimal("0.04")
    atr_stop_multiple: Decimal | None = None
    max_position_pct_equity: Decimal = Decimal("1")
    max_leverage: Decimal = Decimal("3")
    max_open_positions: int = 5
    max_daily_loss_pct: Decimal = Decimal("0.03")
    max_drawdown_pct: Decimal = Decimal("0.10")

    def __post_init__(self) -> None:
        # Floats would make Decimal arithmetic fail later, far from the cause.
        for spec in fields(self):
            value = getattr(self, spec.name)
            expected: type = int if spec.name == "max_open_positions" else Decimal
            if value is None and spec.name == "atr_stop_multiple":
                continue
            if type(value) is not expected:
                raise ConfigError(f"risk.{spec.name} must be a {expected.__name__}, got {value!r}")
        _check(0 < self.risk_per_trade <= MAX_RISK_PER_TRADE, "risk_per_trade", "in (0, 0.02]")
        _check(0 < self.stop_loss_pct < 1, "stop_loss_pct", "in (0, 1)")
        _check(self.take_profit_pct > 0, "take_profit_pct", "> 0")
        if self.atr_stop_multiple is not None:
            _check(self.atr_stop_multiple > 0, "atr_stop_multiple", "> 0")
        _check(self.max_position_pct_equity > 0, "max_position_pct_equity", "> 0")
        _check(self.max_leverage > 0, "max_leverage", "> 0")
        _check(self.max_open_positions >= 1, "max_open_positions", ">= 1")
        _check(0 < self.max_daily_loss_pct < 1, "max_daily_loss_pct", "in (0, 1)")
        _check(0 < self.max_drawdown_pct < 1, "max_drawdown_pct", "in (0, 1)")


def _check(ok: bool, name: str, expected: str) -> None:
    if not ok:
        raise ConfigError(f"risk.{name} must be {expected}")
