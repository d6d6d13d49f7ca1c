"""Key-press latency of the console while the simulator floods it with order-book updates.

For each rate, the simulator runs in its own process (as the exchange would be
remote), and the real engine streams from it through ccxt into the Textual app
(headless driver, 120x40). The bench presses `?` (open help) and Esc (close it:
the console screen resumes and redraws) many times, measures how long each key
takes to change the screen, and counts the book events the engine published per
second (ccxt applies every delta but resolves one watch per socket read, so
events/s is below the deltas sent). It reports the highest rate at which p99 key
latency stays within 50 ms (target: 500 book updates/s), against the idle console
(rate 0: the peer).

Run by hand: `.venv/bin/python bench/ui_update_rate.py [--rates 0,100,250,500,1000,2000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from textual import events

from moonai_tui.config import Settings
from moonai_tui.console import freeze_startup_objects
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import OrderBookUpdated
from moonai_tui.ui.app import MoonAIApp
from moonai_tui.ui.screens.help import HelpScreen

LIMIT_MS = 50.0


class Row(NamedTuple):
    rate: float
    events: float
    open_p50: float
    open_p99: float
    close_p50: float
    close_p99: float


WARMUP_PRESSES = 3
"""Not measured: the first presses pay for one-time work (CSS, first compose)."""


async def _until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        # Polling on purpose: yield to the app on every loop turn to time the change.
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0)


def _p50_p99(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def measure(rate: float, presses: int, warmup: float, folder: Path) -> Row:
    """Key latencies (ms) for opening and closing help, and book events/s, at ``rate``."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / f'bench_{int(rate)}.db'}")
    env = {**os.environ, "MOONAI_SIM__BOOK_UPDATES_PER_SECOND": str(max(rate, 0.1))}
    sim = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "moonai_tui.cli", "sim", "--port", "0"),
        stdout=asyncio.subprocess.PIPE,
        env=env,
        cwd=folder,
    )
    assert sim.stdout is not None
    http_base = (await sim.stdout.readline()).decode().split()[6]
    engine = Engine(settings, sim_http_base=http_base)
    counter = engine.subscribe()
    app = MoonAIApp(engine, settings)
    latencies: dict[str, list[float]] = {"question_mark": [], "escape": []}
    async with app.run_test(size=(120, 40)):
        await engine.start()
        await asyncio.wait_for(engine.ready.wait(), 30)
        await asyncio.sleep(warmup)
        await freeze_startup_objects(engine)  # as the console does
        books = counter.replaced
        while (event := counter.get_nowait()) is not None:
            books += isinstance(event, OrderBookUpdated)
        started = time.perf_counter()
        for index in range(presses + WARMUP_PRESSES):
            for key, shown in (("question_mark", True), ("escape", False)):
                t0 = time.perf_counter()
                # As the terminal driver does: post the key event to the app.
                app.post_message(events.Key(key, "?" if key == "question_mark" else None))
                await _until(lambda s=shown: isinstance(app.screen, HelpScreen) == s)
                if index >= WARMUP_PRESSES:
                    latencies[key].append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        received = counter.replaced - books
        while (event := counter.get_nowait()) is not None:
            received += isinstance(event, OrderBookUpdated)
    counter.close()
    await engine.stop()
    sim.terminate()
    await sim.wait()
    return Row(
        rate,
        received / elapsed,
        *_p50_p99(latencies["question_mark"]),
        *_p50_p99(latencies["escape"]),
    )


async def main_async(rates: list[float], presses: int, warmup: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [await measure(rate, presses, warmup, Path(tmp)) for rate in rates]
    idle = rows[0]
    print(
        f"{'books/s sent':>13}{'events/s':>10}{'open p50':>10}{'open p99':>10}"
        f"{'close p50':>11}{'close p99':>11}{'p99 vs idle':>13}"
    )
    best = None
    failed = False
    for row in rows:
        worst = max(row.open_p99, row.close_p99)
        ratio = worst / max(idle.open_p99, idle.close_p99)
        print(
            f"{row.rate:>13.0f}{row.events:>10.0f}{row.open_p50:>10.1f}{row.open_p99:>10.1f}"
            f"{row.close_p50:>11.1f}{row.close_p99:>11.1f}{ratio:>13.2f}"
        )
        # The highest rate up to which every rate met the limit on both keys.
        failed |= worst > LIMIT_MS
        if not failed:
            best = row.rate
    print(
        f"highest rate with p99 key latency <= {LIMIT_MS:.0f} ms (open and close): {best} books/s "
        f"(target 500: {'met' if best is not None and best >= 500 else 'MISSED'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="0,100,250,500,1000,2000")
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    rates = [float(text) for text in args.rates.split(",")]
    asyncio.run(main_async(rates, args.presses, args.warmup))


if __name__ == "__main__":
    main()
