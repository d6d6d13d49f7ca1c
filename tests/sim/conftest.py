"""Fixtures for the simulator tests: injected wall clocks, a running simulator, ccxt clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from moonai_tui.config import SimSettings
from moonai_tui.exchange.ccxt_factory import exchange_config
from moonai_tui.sim import RunningSimulator, start_simulator

START = "2024-03-02T00:00"
"""One day into the demo data, so a day of real candles is history."""
START_MS = 1_709_337_600_000
DATA_START_MS = 1_709_251_200_000


class FrozenWall:
    """A wall clock that moves only when the test says so."""

    def __init__(self, seconds: float = 1_000.0) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


class SteppingWall(FrozenWall):
    """A wall clock that moves a fixed step on every reading.

    The simulator reads the clock once per streaming tick, so the market moves
    on without real time passing; streams keep producing trades and candles.
    """

    def __init__(self, step: float) -> None:
        super().__init__()
        self.step = step

    def __call__(self) -> float:
        self.seconds += self.step
        return self.seconds


@pytest.fixture
def wall() -> FrozenWall:
    return FrozenWall()


@pytest.fixture
async def sim(wall: FrozenWall) -> AsyncIterator[RunningSimulator]:
    running = await start_simulator(
        SimSettings(start=START, book_updates_per_second=50), wall_clock=wall
    )
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def streaming_sim() -> AsyncIterator[RunningSimulator]:
    running = await start_simulator(
        SimSettings(start=START, book_updates_per_second=50), wall_clock=SteppingWall(0.05)
    )
    try:
        yield running
    finally:
        await running.stop()


def make_exchange(http_base: str) -> Any:
    import ccxt.pro

    return ccxt.pro.bybit(exchange_config("sim", http_base))


@pytest.fixture
async def exchange(sim: RunningSimulator) -> AsyncIterator[Any]:
    client = make_exchange(sim.http_base)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def streaming_exchange(streaming_sim: RunningSimulator) -> AsyncIterator[Any]:
    client = make_exchange(streaming_sim.http_base)
    try:
        yield client
    finally:
        await client.close()


API_KEY = "moonai-demo-key"
API_SECRET = "moonai-demo-secret"
"""The demo account's documented default credentials (``SimSettings``)."""


def make_trader(http_base: str, **options: Any) -> Any:
    """A ccxt.pro client with the demo account's keys (``options`` merged into its options)."""
    import ccxt.pro

    config = exchange_config("sim", http_base)
    config["apiKey"] = options.pop("apiKey", API_KEY)
    config["secret"] = options.pop("secret", API_SECRET)
    config["options"].update(options)
    return ccxt.pro.bybit(config)


@pytest.fixture
async def trader(sim: RunningSimulator) -> AsyncIterator[Any]:
    client = make_trader(sim.http_base)
    try:
        await client.load_markets()
        yield client
    finally:
        await client.close()
