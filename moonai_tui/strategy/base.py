"""The strategy base class and the Signal the live path raises.

A strategy turns a bars DataFrame into a target position per bar (+1 long,
-1 short, 0 flat, NaN no opinion yet). The same ``target`` runs in the
backtester on the whole history and live on a rolling window at each bar close;
orders follow only its changes (see ``moonai_tui.strategy.transitions``).

A complete strategy::

    class SmaCross(Strategy):
        name = "sma_cross"
        fast: int = 10
        slow: int = 30

        def warmup(self) -> int:
            return self.slow

        def target(self, bars: pd.DataFrame) -> pd.Series:
            close = bars["close"].to_numpy()
            up = sma(close, self.fast) > sma(close, self.slow)
            out = np.where(up, 1.0, -1.0)
            out[: self.slow - 1] = np.nan
            return pd.Series(out, index=bars.index)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

import pandas as pd

from moonai_tui.domain import OrderBook, Side, Trade
from moonai_tui.errors import StrategyError
from moonai_tui.strategy.params import (
    ParamSpec,
    ParamValue,
    collect_params,
    unknown_param_message,
)

MIN_LIVE_BARS = 1_000
"""Smallest live window: exponential indicators (EMA, Wilder RSI/ATR) need history
well beyond their nominal warm-up before a truncated window gives the backtest's value."""
LIVE_MARGIN = 50
"""Bars kept live beyond the warm-up even when a strategy's lookback() is smaller."""


@dataclass(frozen=True, slots=True)
class Signal:
    """What a strategy wants now: an entry side (None = flat/close), how sure, and why.

    ``stop_loss_pct`` / ``take_profit_pct`` are the strategy's per-trade overrides
    (fractions of the entry price; None = the risk settings).
    """

    side: Side | None
    confidence: float
    reasons: str
    stop_loss_pct: float | None = None
    take_profit_pct: float | None = None


class Strategy:
    """Base class of every strategy; typed class attributes are its parameters."""

    name: ClassVar[str] = ""
    _params: ClassVar[Mapping[str, ParamSpec]] = MappingProxyType({})
    _source: ClassVar[Path | None] = None
    """The file the loader imported the class from (error messages name it)."""

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        inherited: dict[str, ParamSpec] = {}
        for base in reversed(cls.__mro__[1:]):
            inherited.update(getattr(base, "_params", {}))
        cls._params = MappingProxyType(collect_params(cls, inherited))

    def __init__(self, **params: ParamValue) -> None:
        """Build with parameter values (the rest keep their class defaults).

        Raises:
            StrategyError: an unknown name ("did you mean"), a wrong type, a value
                out of bounds, or a failed :meth:`validate`.
        """
        specs = type(self)._params
        for key, value in params.items():
            spec = specs.get(key)
            if spec is None:
                plain = [k for k in vars(type(self)) if not k.startswith("_")]
                raise StrategyError(unknown_param_message(self.label, key, specs, plain))
            setattr(self, key, spec.coerce(value, self.label))
        try:
            self.validate()
        except ValueError as exc:
            raise StrategyError(f"{self.label}: {exc}") from None

    @property
    def label(self) -> str:
        """The strategy's name, or its class name when it has none."""
        return self.name or type(self).__name__

    @classmethod
    def parameters(cls) -> Mapping[str, ParamSpec]:
        """The declared parameters by name (type, default, bounds)."""
        return cls._params

    @property
    def params(self) -> dict[str, ParamValue]:
        """The current parameter values."""
        values: dict[str, ParamValue] = {name: getattr(self, name) for name in self._params}
        return values

    def validate(self) -> None:
        """Check parameters against each other; raise ValueError with a reason."""

    def warmup(self) -> int:
        """Bars needed before ``target`` gives its first value (NaN before)."""
        return 0

    def sizes(self) -> tuple[int, int]:
        """``(warmup(), lookback())`` checked to be whole numbers >= 0.

        Raises:
            StrategyError: either raised or returned something else.
        """
        sizes: list[int] = []
        for what in ("warmup", "lookback"):
            try:
                value = getattr(self, what)()
            except Exception as exc:
                raise StrategyError(
                    f"{self.label}: {what}() raised {type(exc).__name__}: {exc}"
                ) from None
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise StrategyError(
                    f"{self.label}: {what}() must return an int >= 0, got {value!r}"
                )
            sizes.append(value)
        return sizes[0], sizes[1]

    def live_window(self) -> int:
        """Bars the live runner evaluates ``target`` on: ``lookback()``, at least
        ``warmup() + LIVE_MARGIN``.

        Raises:
            StrategyError: as :meth:`sizes`.
        """
        warmup, lookback = self.sizes()
        return max(lookback, warmup + LIVE_MARGIN)

    def lookback(self) -> int:
        """Bars the live runner keeps per symbol; raise it for long exponential memories."""
        return max(MIN_LIVE_BARS, 10 * self.warmup())

    def target(self, bars: pd.DataFrame) -> pd.Series:
        """Target position per bar on ``bars.index``: +1.0, -1.0, 0.0 or NaN.

        Vectorised and causal: the value at bar t may use rows up to t only.
        """
        raise NotImplementedError(f"{self.label} defines no target()")

    def stops(self, bars: pd.DataFrame) -> pd.DataFrame | None:
        """Per-bar overrides, read at the entry bar: columns ``stop_loss_pct``,
        ``take_profit_pct`` (fractions; NaN = the risk settings). None = no overrides."""
        return None

    def explain(self, bars: pd.DataFrame) -> tuple[float, str]:
        """Confidence in 0..1 and a short reason for the last row (shown live)."""
        return 1.0, ""

    def on_book(self, book: OrderBook) -> Signal | None:
        """Optional per-book-update hook for book strategies."""
        return None

    def on_trade(self, trade: Trade) -> Signal | None:
        """Optional per-public-trade hook for tick strategies."""
        return None

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({inner})"
