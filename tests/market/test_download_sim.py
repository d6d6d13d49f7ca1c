"""The downloader and the download command against the real simulator on 127.0.0.1.

The simulator serves nothing before its data set starts (the shipped demo
begins 2024-03-01 00:00 UTC), so it is started two days in to have history.
Its market clock is frozen (an injected wall clock), so "now", the forming bar
and every served candle are the same on every run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from market_helpers import MINUTE, sqlite_url

from moonai_tui.config import Settings, SimSettings
from moonai_tui.domain import Bar
from moonai_tui.exchange.ccxt_factory import create_pro_exchange
from moonai_tui.market.data_commands import run_data_download
from moonai_tui.market.download import download_candles
from moonai_tui.sim import RunningSimulator, start_simulator
from moonai_tui.store import Store

SYMBOL = "BTC/USDT:USDT"
FROZEN_WALL_SECONDS = 1_000.0
SIM_START = "2024-03-03T00:00"


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start_simulator(
        SimSettings(speed=60, start=SIM_START), wall_clock=lambda: FROZEN_WALL_SECONDS
    )
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def exchange(sim: RunningSimulator) -> AsyncIterator[Any]:
    client = create_pro_exchange("sim", sim.http_base)
    try:
        yield client
    finally:
        await client.close()


def as_rows(bars: list[Bar]) -> list[list[float]]:
    return [[b.ts, b.open, b.high, b.low, b.close, b.volume] for b in bars]


async def test_download_from_simulator_pages_and_matches_ccxt(
    sim: RunningSimulator, exchange: Any, store: Store
) -> None:
    now = sim.market.clock.now_ms()
    since = now - 2_500 * MINUTE

    report = await download_candles(exchange, store, SYMBOL, "1m", since, now + 10 * MINUTE)

    assert (report.requests, report.fetched, report.stored) == (3, 2_500, 2_500)
    assert report.latest_ms == now  # the frozen clock sits at the forming bar's open
    stored = await store.load_candles(SYMBOL, "1m")
    assert (stored[0].ts, stored[-1].ts) == (since, now - MINUTE)
    # ccxt's own pagination is the independent reference for what the exchange serves.
    reference = await exchange.fetch_ohlcv(
        SYMBOL, "1m", since=since, params={"paginate": True, "until": now - 1}
    )
    assert as_rows(stored) == reference


async def test_download_from_simulator_twice_second_run_fetches_nothing(
    sim: RunningSimulator, exchange: Any, store: Store
) -> None:
    now = sim.market.clock.now_ms()
    first = await download_candles(exchange, store, SYMBOL, "1m", now - 1_500 * MINUTE, now)

    second = await download_candles(exchange, store, SYMBOL, "1m", now - 1_500 * MINUTE, now)

    assert first.fetched == 1_500
    assert (second.gaps, second.requests, second.fetched, second.stored) == (0, 0, 0, 0)
    assert await store.candle_count(SYMBOL, "1m") == 1_500


async def test_download_from_simulator_stops_at_the_ends_of_its_data(
    sim: RunningSimulator, exchange: Any, store: Store
) -> None:
    now = sim.market.clock.now_ms()
    data_start = now - 2 * 1_440 * MINUTE  # SIM_START is two days after the data begins
    far_future = now + 365 * 1_440 * MINUTE

    report = await download_candles(
        exchange, store, SYMBOL, "1m", data_start - 1_440 * MINUTE, far_future
    )

    stored = await store.load_candles(SYMBOL, "1m")
    assert (stored[0].ts, stored[-1].ts, len(stored)) == (data_start, now - MINUTE, 2_880)
    assert report.until_ms == now  # capped at the forming bar, not the far future
    assert (report.fetched, report.gaps_left) == (2_880, 1)  # the day before the data


async def test_download_spot_hourly_from_simulator(
    sim: RunningSimulator, exchange: Any, store: Store
) -> None:
    hour = 60 * MINUTE
    now = sim.market.clock.now_ms()

    report = await download_candles(exchange, store, "ETH/USDT", "1h", now - 48 * hour, now)

    reference = await exchange.fetch_ohlcv("ETH/USDT", "1h", since=now - 48 * hour, limit=48)
    assert report.fetched == 48
    assert as_rows(await store.load_candles("ETH/USDT", "1h")) == reference


async def test_download_command_with_sim_market_prints_summary_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The day asked for is closed history by the time the simulator starts.
    settings = Settings(
        market="sim",
        database_url=sqlite_url(tmp_path / "moonai.db"),
        sim=SimSettings(speed=1.0, start=SIM_START),
    )

    first = await run_data_download(settings, SYMBOL, "1m", "2024-03-01", "2024-03-02")
    first_out, first_err = capsys.readouterr()
    second = await run_data_download(settings, SYMBOL, "1m", "2024-03-01", "2024-03-02")
    second_out, _ = capsys.readouterr()

    assert (first, second) == (0, 0)
    assert first_out == (
        "BTC/USDT:USDT 1m 2024-03-01 00:00 → 2024-03-02 00:00: fetched 1,440 bars in 2 "
        "requests, stored 1,440, filled 1 of 1 gaps (1,440 bars stored)\n"
    )
    assert "100% (1,440/1,440 bars)" in first_err  # stderr is not a TTY here: plain lines
    assert second_out == (
        "BTC/USDT:USDT 1m 2024-03-01 00:00 → 2024-03-02 00:00: already complete, "
        "nothing fetched (1,440 bars stored)\n"
    )
