"""Capture replay: the real Binance L2 + trades capture served as ByBit book and trades."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sim_builders import FrozenWall, make_exchange
from sim_data import BTC_DEPTH, BTC_TRADES, replay_binance_book

from moonai_tui.config import SimSettings
from moonai_tui.sim import RunningSimulator, start_simulator
from moonai_tui.sim.capture_data import read_depth_capture, read_trades_capture
from moonai_tui.sim.capture_feed import CaptureBook, CaptureFeed, capture_window

FIRST_APPLIED_DIFF_MS = 1_723_161_255_408  # the diffs before it predate the snapshot


def test_replayed_spot_book_equals_the_binance_replay() -> None:
    depth = read_depth_capture(BTC_DEPTH)
    book = CaptureBook(depth, tick=1, price_decimals=2)
    until = FIRST_APPLIED_DIFF_MS + 60_000
    book.advance(until, ())
    bids, asks, _ = replay_binance_book(BTC_DEPTH, until)
    ours_bids = {p / 100: s / 10**depth.size_decimals for p, s in book.book.bids.top(10_000)}
    ours_asks = {p / 100: s / 10**depth.size_decimals for p, s in book.book.asks.top(10_000)}
    assert ours_bids == pytest.approx(bids) and ours_asks == pytest.approx(asks)
    assert set(ours_bids) == set(bids) and set(ours_asks) == set(asks)


def test_linear_tick_aggregates_without_crossing_or_losing_size() -> None:
    depth = read_depth_capture(BTC_DEPTH)
    book = CaptureBook(depth, tick=10, price_decimals=2)  # BTCUSDT linear: 0.10
    bids, asks, times = replay_binance_book(BTC_DEPTH)
    book.advance(times[-1], ())
    ours_bids, ours_asks = book.book.bids.top(10_000), book.book.asks.top(10_000)
    assert all(p % 10 == 0 for p, _ in ours_bids + ours_asks)
    assert ours_bids[0][0] < ours_asks[0][0]
    scale = 10**depth.size_decimals
    assert sum(s for _, s in ours_bids) / scale == pytest.approx(sum(bids.values()))
    assert sum(s for _, s in ours_asks) / scale == pytest.approx(sum(asks.values()))


def test_capture_loops_with_a_fresh_snapshot_and_shifted_trades() -> None:
    depth, trades = read_depth_capture(BTC_DEPTH), read_trades_capture(BTC_TRADES)
    origin, period = capture_window(depth)
    assert origin % 60_000 == 0 and period % 60_000 == 0 and origin + period > depth.end_ms
    feed = CaptureFeed("BTCUSDT", depth, trades, origin)
    first = feed.trades(origin - 1, origin + period - 1, 100_000)
    second = feed.trades(origin + period - 1, origin + 2 * period - 1, 100_000)
    in_window = (trades.ts >= depth.start_ms) & (trades.ts <= depth.end_ms)
    assert len(first) == len(second) == in_window.sum() > 2_500
    assert np.array_equal(first.price, trades.price[in_window])
    assert np.array_equal(second.ts - period, first.ts) and np.array_equal(
        second.price, first.price
    )
    assert len(set(first.key.tolist()) | set(second.key.tolist())) == 2 * len(first)
    book = CaptureBook(depth, 1, 2)
    _, reset = book.advance(depth.end_ms, (50,))
    assert reset  # first use starts from the snapshot
    _, reset = book.advance(origin + period - 1, (50,))  # the quiet gap before the next copy
    assert not reset
    _, reset = book.advance(depth.start_ms + period, (50,))
    assert reset  # the next copy starts over


@pytest.fixture
async def capture_sim(wall: FrozenWall) -> AsyncIterator[RunningSimulator]:
    running = await start_simulator(
        SimSettings(mode="capture", book_updates_per_second=50), wall_clock=wall
    )
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def capture_exchange(capture_sim: RunningSimulator) -> AsyncIterator[Any]:
    client = make_exchange(capture_sim.http_base)
    try:
        yield client
    finally:
        await client.close()


async def test_capture_mode_serves_the_real_book_and_trades_through_ccxt(
    capture_sim: RunningSimulator, capture_exchange: Any, wall: FrozenWall
) -> None:
    _, _, times = replay_binance_book(BTC_DEPTH)
    assert capture_sim.market.clock.now_ms() == times[0] == FIRST_APPLIED_DIFF_MS
    wall.advance(1.0)  # 30 s of capture at speed 30
    now = capture_sim.market.clock.now_ms()
    book = await capture_exchange.fetch_order_book("BTC/USDT", limit=50)
    bids, asks, _ = replay_binance_book(BTC_DEPTH, now)
    assert book["bids"][:50] == [[p, bids[p]] for p in sorted(bids, reverse=True)[:50]]
    assert book["asks"][:50] == [[p, asks[p]] for p in sorted(asks)[:50]]

    trades = await capture_exchange.fetch_trades("BTC/USDT", limit=60)
    tape = pd.read_csv(BTC_TRADES)
    tape = tape[tape.trade_time_ms <= now].tail(60)
    assert [t["price"] for t in trades] == list(tape.price)
    assert [t["amount"] for t in trades] == list(tape.qty)
    assert [t["side"] for t in trades] == list(tape.side)
    ticker = await capture_exchange.fetch_ticker("BTC/USDT:USDT")
    assert ticker["last"] == pytest.approx(round(tape.price.iloc[-1], 1))
