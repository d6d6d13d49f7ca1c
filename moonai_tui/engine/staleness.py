"""Stale market data blocks new entries on its symbol until fresh data arrives.

The price streams of a symbol (``GATED_STREAMS``: the order book the marks come
from, and the ticker) must each be connected and have delivered within
``feeds.stale_after_seconds`` for an entry to pass the risk gate. A stream that
drops, resyncs its book after a sequence gap, or goes quiet while still
connected (a stalled websocket) closes the gate; the next update opens it.
Trades and candles may be quiet on a calm market, so they are shown stale in
the header but do not block entries. Exits are never blocked (the risk gate
lets reductions through).

The gate is asked at decision time (``block_reason``), so it is exact; a watchdog
(``SymbolFeeds``) calls ``check`` to publish ``EntriesGated`` when a quiet stream
crosses the threshold, so the header, the Risk pane and the log can show it.
"""

from __future__ import annotations

from dataclasses import dataclass

from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import Clock
from moonai_tui.engine.events import Event, NoticeRaised, StreamState

GATED_STREAMS = ("book", "ticker")


@dataclass(frozen=True, slots=True)
class EntriesGated(Event):
    """Entries on ``symbol`` were blocked (``reason``) or allowed again (``reason`` '')."""

    symbol: str
    reason: str
    at_ms: int


@dataclass(slots=True)
class _Stream:
    state: StreamState = "connecting"
    detail: str = ""
    last_ms: int | None = None


class Freshness:
    """Per-symbol freshness of the price streams, and the entry gate it implies."""

    def __init__(self, clock: Clock, stale_after_ms: int, bus: EventBus) -> None:
        self._clock = clock
        self.stale_after_ms = stale_after_ms
        self._bus = bus
        self._streams: dict[tuple[str, str], _Stream] = {}
        self._blocked: dict[str, str] = {}
        """Symbols whose gate was published closed, with the reason published."""
        self._opened: set[str] = set()
        """Symbols whose gate has been open once (no 'blocked' notice before that)."""

    def _stream(self, symbol: str, stream: str) -> _Stream:
        return self._streams.setdefault((symbol, stream), _Stream())

    def touch(self, symbol: str, stream: str) -> None:
        """``stream`` of ``symbol`` delivered data now."""
        record = self._stream(symbol, stream)
        record.last_ms = self._clock.now_ms()
        record.state, record.detail = "connected", ""
        if stream in GATED_STREAMS and (symbol in self._blocked or symbol not in self._opened):
            self.check(symbol)

    def connection(self, symbol: str, stream: str, state: StreamState, detail: str) -> None:
        """``stream`` changed connection state; anything but connected closes the gate now."""
        record = self._stream(symbol, stream)
        record.state, record.detail = state, detail
        if stream in GATED_STREAMS and state != "connected":
            self.check(symbol)

    def block_reason(self, symbol: str) -> str:
        """Why an entry on ``symbol`` must wait for fresh data ('' when it need not)."""
        now = self._clock.now_ms()
        for stream in GATED_STREAMS:
            record = self._streams.get((symbol, stream))
            if record is None or record.last_ms is None:
                return f"{symbol}: no {stream} data yet"
            if record.state != "connected":
                why = f": {record.detail}" if record.detail else ""
                return f"{symbol}: {stream} stream {record.state}{why}"
            age = now - record.last_ms
            if age > self.stale_after_ms:
                return (
                    f"{symbol}: {stream} data stale for {age / 1000:.1f} s "
                    f"(limit {self.stale_after_ms / 1000:g} s)"
                )
        return ""

    def check(self, symbol: str) -> None:
        """Publish a change of ``symbol``'s gate (blocked <-> allowed)."""
        reason = self.block_reason(symbol)
        now = self._clock.now_ms()
        if reason and symbol not in self._blocked:
            self._blocked[symbol] = reason
            self._bus.publish(EntriesGated(symbol, reason, now))
            if symbol in self._opened:
                self._bus.publish(NoticeRaised("warning", f"entries blocked: {reason}"))
        elif not reason and (symbol in self._blocked or symbol not in self._opened):
            was_blocked = symbol in self._opened
            self._blocked.pop(symbol, None)
            self._opened.add(symbol)
            self._bus.publish(EntriesGated(symbol, "", now))
            if was_blocked:
                self._bus.publish(
                    NoticeRaised("info", f"{symbol}: market data fresh again, entries allowed")
                )


def always_open(symbol: str) -> str:
    """The gate of a trader without a feed monitor: never closed."""
    return ""
