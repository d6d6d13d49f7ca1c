"""What every per-symbol market source provides: price, trades and candles over time.

Two sources implement it: ``ModelFeed`` (real candles with a generated
intra-candle market) and ``CaptureFeed`` (a real trades capture). Klines and
24h statistics are derived from this interface in ``klines.py``, so both
sources serve them identically.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from moonai_tui.sim.candles import CandleSeries

Int64s = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TradeBatch:
    """Public trades, oldest first; prices and sizes in the feed's integer units."""

    ts: Int64s
    price: Int64s
    size: Int64s
    buy: NDArray[np.bool_]
    key: Int64s
    """A number unique per trade and symbol, used as the trade id."""

    def __len__(self) -> int:
        return len(self.ts)

    @staticmethod
    def empty() -> TradeBatch:
        """A batch with no trades."""
        none = np.empty(0, dtype=np.int64)
        return TradeBatch(none, none, none, np.empty(0, dtype=np.bool_), none)

    @staticmethod
    def concat(parts: list[TradeBatch]) -> TradeBatch:
        """Join batches given oldest first."""
        if not parts:
            return TradeBatch.empty()
        return TradeBatch(
            np.concatenate([p.ts for p in parts]),
            np.concatenate([p.price for p in parts]),
            np.concatenate([p.size for p in parts]),
            np.concatenate([p.buy for p in parts]),
            np.concatenate([p.key for p in parts]),
        )

    def last(self, limit: int) -> TradeBatch:
        """The newest ``limit`` trades."""
        if len(self) <= limit:
            return self
        tail = slice(len(self) - limit, None)
        return TradeBatch(
            self.ts[tail], self.price[tail], self.size[tail], self.buy[tail], self.key[tail]
        )


@dataclass(frozen=True, slots=True)
class Steps:
    """Points of the intra-candle market in a time range (for partial and fine candles)."""

    ts: Int64s
    price: Int64s
    size: Int64s


class Feed(ABC):
    """One symbol's market over the simulated timeline.

    Attributes:
        symbol: ByBit id (the same for spot and linear).
        series: native candles, repeated periodically (``CandleSeries``).
        floor_ms: earliest time served; nothing older exists in the simulation.
    """

    def __init__(self, symbol: str, series: CandleSeries, floor_ms: int) -> None:
        self.symbol = symbol
        self.series = series
        self.floor_ms = floor_ms

    @property
    def price_decimals(self) -> int:
        """Decimals of the feed's price units."""
        return self.series.price_decimals

    @property
    def volume_decimals(self) -> int:
        """Decimals of the feed's volume units."""
        return self.series.volume_decimals

    @abstractmethod
    def price_at(self, t: int) -> tuple[int, bool]:
        """Last price at time ``t`` and whether the latest trade was a buy."""

    @abstractmethod
    def trades(self, t0: int, t1: int, limit: int) -> TradeBatch:
        """The newest ``limit`` trades with ``t0 < ts <= t1``, oldest first."""

    @abstractmethod
    def steps(self, row: int, shift: int, t0: int, t1: int) -> Steps:
        """Intra-candle points of candle ``row`` (copy ``shift``) with time in ``[t0, t1)``."""
