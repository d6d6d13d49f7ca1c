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


@dataclass(frozen=True, slots=True)
class RiskEventRecord:
    """A stored refusal or breach by the risk gate."""

    id: int
    ts_ms: int
    code: str
    """Machine code, e.g. ``max_drawdown`` or ``kill_switch``."""
    symbol: str
    reason: str
    """One line for a person, e.g. 'daily loss 3.1% exceeds limit 3.0%'."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """Who did what and when (approvals, rejections, kill, reset...)."""

    id: int
    ts_ms: int
    actor: str
    action: str
    target: str
    detail: str
