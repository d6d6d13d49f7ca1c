"""Plain records the store hands out where no domain type exists yet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MarketEventRecord:
    """A stored market-data event: a stream connected, dropped, went stale..."""

    id: int
    ts_ms: int
    """When it happened, Unix milliseconds, UTC."""
    kind: str
    """What happened, e.g. ``connected``, ``disconnected``, ``stale``."""
    symbol: str
    stream: str
    """Which stream, e.g. ``ticker``, ``orderbook``, ``trades``, ``ohlcv``."""
    detail: str
