"""Instruments keep Decimal values exact; market events keep their order."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from moonai_tui.domain import Instrument
from moonai_tui.store import MarketEventRecord, Store

BTC_PERP = Instrument(
    symbol="BTC/USDT:USDT",
    market_id="BTCUSDT",
    kind="swap",
    base="BTC",
    quote="USDT",
    settle="USDT",
    tick_size=Decimal("0.10"),
    lot_size=Decimal("0.001"),
    min_qty=Decimal("0.001"),
    min_notional=Decimal("5"),
)
BTC_SPOT = Instrument(
    symbol="BTC/USDT",
    market_id="BTCUSDT",
    kind="spot",
    base="BTC",
    quote="USDT",
    settle=None,
    tick_size=Decimal("0.01"),
    lot_size=Decimal("0.000001"),
    min_qty=Decimal("0.000048"),
    min_notional=None,
)


async def test_instruments_round_trip_with_exact_decimals(store: Store) -> None:
    await store.upsert_instruments([BTC_SPOT, BTC_PERP])

    loaded = await store.load_instruments()

    assert loaded == [BTC_SPOT, BTC_PERP]  # by symbol
    # Exact digits, not a float's 18-place expansion (0.100000000000000006).
    assert [str(item.tick_size) for item in loaded] == ["0.01", "0.1"]
    assert str(loaded[0].lot_size) == "0.000001"


async def test_instruments_upsert_replaces_changed_rules(store: Store) -> None:
    await store.upsert_instruments([BTC_PERP])
    tighter = dataclasses.replace(BTC_PERP, tick_size=Decimal("0.01"), min_notional=None)

    await store.upsert_instruments([tighter])

    assert await store.load_instruments() == [tighter]


async def test_market_events_newest_limit_in_recorded_order(store: Store) -> None:
    for n in range(5):
        await store.record_market_event(1_000 + n, "connected", "BTC/USDT", "ticker", f"#{n}")

    recent = await store.market_events(limit=3)

    assert [event.detail for event in recent] == ["#2", "#3", "#4"]
    assert recent[-1] == MarketEventRecord(
        id=recent[-1].id,
        ts_ms=1_004,
        kind="connected",
        symbol="BTC/USDT",
        stream="ticker",
        detail="#4",
    )
    assert len(await store.market_events()) == 5


async def test_market_events_empty_store(store: Store) -> None:
    assert await store.market_events() == []
