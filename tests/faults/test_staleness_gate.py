"""The stale-data gate on its own: which streams count, when it closes and reopens."""

from __future__ import annotations

from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.events import Event, NoticeRaised
from moonai_tui.engine.staleness import EntriesGated, Freshness

SYMBOL = "BTC/USDT:USDT"


def drain(bus_sub: object) -> list[Event]:
    events = []
    while (event := bus_sub.get_nowait()) is not None:  # type: ignore[attr-defined]
        events.append(event)
    return events


def test_gate_follows_the_price_streams() -> None:
    clock, bus = FixedClock(0), EventBus()
    sub = bus.subscribe()
    fresh = Freshness(clock, 1_000, bus)
    assert fresh.block_reason(SYMBOL) == f"{SYMBOL}: no book data yet"
    fresh.touch(SYMBOL, "book")
    assert fresh.block_reason(SYMBOL) == f"{SYMBOL}: no ticker data yet"
    fresh.touch(SYMBOL, "ticker")
    assert fresh.block_reason(SYMBOL) == ""
    clock.advance(1_000)  # exactly the limit: still fresh
    fresh.touch(SYMBOL, "ticker")
    assert fresh.block_reason(SYMBOL) == ""
    clock.advance(1)
    assert fresh.block_reason(SYMBOL) == f"{SYMBOL}: book data stale for 1.0 s (limit 1 s)"
    fresh.check(SYMBOL)  # what the feed's watchdog does
    fresh.touch(SYMBOL, "book")
    fresh.touch(SYMBOL, "trades")  # quiet trades never block
    fresh.connection(SYMBOL, "book", "reconnecting", "gap: resyncing")
    assert fresh.block_reason(SYMBOL) == f"{SYMBOL}: book stream reconnecting: gap: resyncing"
    fresh.touch(SYMBOL, "book")
    events = drain(sub)
    gates = [(e.reason, e.at_ms) for e in events if isinstance(e, EntriesGated)]
    assert gates == [
        (f"{SYMBOL}: no ticker data yet", 0),  # the first touch of the book
        ("", 0),
        (f"{SYMBOL}: book data stale for 1.0 s (limit 1 s)", 1_001),
        ("", 1_001),
        (f"{SYMBOL}: book stream reconnecting: gap: resyncing", 1_001),
        ("", 1_001),
    ]
    notices = [e.message for e in events if isinstance(e, NoticeRaised)]
    # No notice for the start (never open before); one per later close and reopen.
    assert notices == [
        f"entries blocked: {SYMBOL}: book data stale for 1.0 s (limit 1 s)",
        f"{SYMBOL}: market data fresh again, entries allowed",
        f"entries blocked: {SYMBOL}: book stream reconnecting: gap: resyncing",
        f"{SYMBOL}: market data fresh again, entries allowed",
    ]
