"""Fixtures for the simulator tests: injected wall clocks, a running simulator, ccxt clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sim_builders import START, FrozenWall, SteppingWall, make_exchange, make_trader

from moonai_tui.config import SimSettings
from moonai_tui.sim import RunningSimulator, start_simulator


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


@pytest.fixture
async def trader(sim: RunningSimulator) -> AsyncIterator[Any]:
    client = make_trader(sim.http_base)
    try:
        await client.load_markets()
        yield client
    finally:
        await client.close()
