"""`ctl kill` to flat: how long from the command to no open position (target < 1 s).

An engine runs in this process on the built-in simulator (paper, or live through
ccxt against the simulator), trading ``sma_cross`` with auto approval. Each run
waits until a position is open, then sends ``kill`` through the control socket
exactly as ``moonai-tui ctl kill`` does (the client runs in a thread), and stops
the clock when the engine reports the position flat. Between runs the latch is
reset so the strategy can open the next position.

Printed per mode: the ``ctl`` reply time (latched, orders cancelled, closes sent)
and the time to flat, p50 and max over the runs.

Run by hand from the repository root:
`.venv/bin/python bench/kill_flatten.py [--runs 5] [--mode paper|live|both]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from moonai_tui.config import Settings
from moonai_tui.control.client import run_ctl
from moonai_tui.control.server import start_control_server
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import Event
from moonai_tui.engine.trading_events import PositionChanged

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 1.0
WAIT_S = 60.0


async def next_event(sub: Subscription, predicate: Callable[[Event], bool]) -> Event:
    async with asyncio.timeout(WAIT_S):
        async for event in sub:
            if predicate(event):
                return event
    raise RuntimeError("the engine's event stream ended")


def is_open(event: Event) -> bool:
    return isinstance(event, PositionChanged) and event.position.qty != 0


def is_flat(event: Event) -> bool:
    return isinstance(event, PositionChanged) and event.position.qty == 0


def ctl(socket: Path, *words: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return run_ctl(list(words), socket)


async def measure(mode: str, runs: int, folder: Path) -> tuple[list[float], list[float]]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / f'{mode}.db'}",
        trading=mode,
        approval="auto",
        sim={"speed": 1200, "book_updates_per_second": 40},
        trade={"strategies": ["sma_cross"], "strategies_dir": REPO / "strategies"},
    )
    engine = Engine(settings, live_confirmed=True)
    socket = folder / f"{mode}.sock"
    control = await start_control_server(engine, socket)
    sub = engine.subscribe()
    replies: list[float] = []
    flats: list[float] = []
    await engine.start()
    try:
        for _ in range(runs):
            await next_event(sub, is_open)
            started = time.perf_counter()
            code = await asyncio.to_thread(ctl, socket, "kill", "bench")
            replied = time.perf_counter()
            if code != 0:
                raise RuntimeError(f"ctl kill exited {code}")
            await next_event(sub, is_flat)
            flat = time.perf_counter()
            replies.append(replied - started)
            flats.append(flat - started)
            if (await engine.reset_kill("bench")).ok is not True:
                raise RuntimeError("cannot reset the kill switch")
    finally:
        sub.close()
        await engine.stop()
        await control.close()
    return replies, flats


def show(mode: str, replies: list[float], flats: list[float]) -> None:
    def ms(values: list[float]) -> str:
        return f"p50 {statistics.median(values) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"

    print(f"{mode:<6} ctl kill replied   {ms(replies)}")
    print(
        f"{mode:<6} flat after kill    {ms(flats)}  max/target {max(flats) / TARGET_S:5.2f}"
        f"  ({len(flats)} runs)"
    )


async def main_async(runs: int, modes: list[str]) -> None:
    os.chdir(REPO)  # the strategy parameters are read from config/ (as the engine does)
    with tempfile.TemporaryDirectory() as folder:
        for mode in modes:
            replies, flats = await measure(mode, runs, Path(folder))
            show(mode, replies, flats)
    print(f"target: flat within {TARGET_S:.0f} s of the command; load {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mode", choices=("paper", "live", "both"), default="both")
    args = parser.parse_args()
    modes = ["paper", "live"] if args.mode == "both" else [args.mode]
    asyncio.run(main_async(args.runs, modes))


if __name__ == "__main__":
    main()
