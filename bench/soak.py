"""Soak: the console (headless Textual driver) and the engine against a fast simulator for a
long time, sampling memory and file descriptors; memory must stay flat.

The simulator runs in its own process (as the exchange would be remote) at a high
replay speed and book rate; this process holds the engine, the Textual app
(headless, 160x50), the control socket and paper trading with auto-approved
strategies, i.e. everything a trader leaves running for weeks. Every
``--interval`` seconds it records RSS, open file descriptors, live Python
objects, the deepest event-bus queue and the events handled since the last
sample, and asks ``ctl status`` over the socket. At the end it prints the table
and least-squares slopes after the warm-up (MB/hour, fds/hour): flat means the
buffers (trades tape, logs, charts, events, orders) are bounded.

Run by hand: `.venv/bin/python bench/soak.py [--minutes 30] [--interval 10]`;
`--trace` adds a tracemalloc diff of the biggest growth sites (slower).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from textual.widget import Widget

from moonai_tui.config import Settings
from moonai_tui.console import freeze_startup_objects
from moonai_tui.control.server import start_control_server
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.engine import Engine
from moonai_tui.logs import configure_logging
from moonai_tui.ui.app import MoonAIApp

REPO = Path(__file__).resolve().parents[1]


class Sample(NamedTuple):
    seconds: float
    rss_mb: float
    fds: int
    objects: int
    widgets: int
    """Widget objects alive (in the DOM or not): a UI that mounts and forgets leaks these."""
    queue: int
    sim_rss_mb: float
    db_mb: float
    fills: int
    rates: dict[str, float]


def rss_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per hour."""
    if len(points) < 2:
        return float("nan")
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return float("nan")
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 3600


async def count_events(subscription: Subscription, counts: Counter[str]) -> None:
    """Drain a bus subscription, counting events by type (an undrained one would grow)."""
    async for event in subscription:
        counts[type(event).__name__] += 1


async def ctl_status(path: Path) -> bool:
    reader, writer = await asyncio.open_unix_connection(str(path))
    try:
        writer.write(b'{"command": "status"}\n')
        await writer.drain()
        reply = json.loads(await asyncio.wait_for(reader.readline(), 30))
        return bool(reply.get("ok"))
    finally:
        writer.close()
        await writer.wait_closed()


def deepest_queue(engine: Engine) -> int:
    # Private on purpose: the bench inspects what no public API should expose.
    subscribers = engine.bus._subscribers
    return max((len(s._pending) for s in subscribers), default=0)


def measure(
    folder: Path, engine: Engine, sim_pid: int, elapsed: float, fills: int, rates: dict[str, float]
) -> Sample:
    db_mb = sum(p.stat().st_size for p in folder.glob("soak.db*")) / 2**20
    objects = gc.get_objects()
    return Sample(
        elapsed,
        rss_mb(),
        open_fds(),
        len(objects),
        sum(isinstance(o, Widget) for o in objects),
        deepest_queue(engine),
        rss_mb(sim_pid),
        db_mb,
        fills,
        rates,
    )


async def soak(args: argparse.Namespace, folder: Path) -> list[Sample]:
    os.chdir(folder)  # logs and the control socket go to .moonai/ here, as in a user's folder
    configure_logging("INFO", to_stdout=False)
    env = {
        **os.environ,
        "MOONAI_SIM__SPEED": str(args.speed),
        "MOONAI_SIM__BOOK_UPDATES_PER_SECOND": str(args.book_rate),
    }
    sim = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "moonai_tui.cli", "sim", "--port", "0"),
        stdout=asyncio.subprocess.PIPE,
        env=env,
        cwd=folder,
    )
    assert sim.stdout is not None
    http_base = (await sim.stdout.readline()).decode().split()[6]
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'soak.db'}",
        approval="auto",
        trade={"strategies": args.strategies, "strategies_dir": REPO / "strategies"},
        # Loose loss limits: a replay at 300x lives through weeks of market in an hour, and
        # the soak must keep placing orders rather than sit halted after a bad day.
        risk={"max_daily_loss_pct": "0.99", "max_drawdown_pct": "0.99"},
    )
    engine = Engine(settings, sim_http_base=http_base)
    control = await start_control_server(engine, Path(".moonai") / "control.sock")
    counts: Counter[str] = Counter()
    counter = asyncio.create_task(count_events(engine.subscribe(), counts))
    app = MoonAIApp(engine, settings)
    samples: list[Sample] = []
    status_failures = 0
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await engine.start()
            await asyncio.wait_for(engine.ready.wait(), 60)
            await freeze_startup_objects(engine)
            if args.trace:
                tracemalloc.start(1)
            started = time.monotonic()
            last = Counter(counts)
            baseline = None
            print(HEADER, flush=True)
            deadline = started + args.minutes * 60
            while True:
                await asyncio.sleep(max(0.0, min(args.interval, deadline - time.monotonic())))
                # Exercise the screen and the control socket as a person would.
                await pilot.press("question_mark")
                await pilot.press("escape")
                status_failures += not await ctl_status(control.path)
                now = time.monotonic()
                elapsed = now - started
                span = max(1e-9, elapsed - (samples[-1].seconds if samples else 0.0))
                rates = {k: (counts[k] - last[k]) / span for k in counts}
                last = Counter(counts)
                sample = measure(folder, engine, sim.pid, elapsed, counts["FillRecorded"], rates)
                samples.append(sample)
                print_row(sample)
                if baseline is None and elapsed >= args.warmup_minutes * 60:
                    baseline = object_types(), tracemalloc.take_snapshot() if args.trace else None
                if now >= deadline:
                    break
            if baseline is not None:
                print_type_growth(baseline[0], object_types())
                if baseline[1] is not None:
                    print_growth(baseline[1], tracemalloc.take_snapshot())
    finally:
        counter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await counter
        await engine.stop("soak over")
        await control.close()
        sim.terminate()
        await sim.wait()
    if status_failures:
        print(f"ctl status failed {status_failures} times")
    return samples


HEADER = (
    f"{'min':>6}{'RSS MB':>9}{'fds':>6}{'objects':>10}{'widgets':>8}{'queue':>7}"
    f"{'sim MB':>8}{'db MB':>8}{'books/s':>9}{'trades/s':>10}{'candle ev/s':>12}{'fills':>7}"
)


def print_row(s: Sample) -> None:
    closed = s.rates.get("CandleUpdated", 0.0)
    print(
        f"{s.seconds / 60:>6.1f}{s.rss_mb:>9.1f}{s.fds:>6}{s.objects:>10}{s.widgets:>8}{s.queue:>7}"
        f"{s.sim_rss_mb:>8.1f}{s.db_mb:>8.2f}{s.rates.get('OrderBookUpdated', 0.0):>9.1f}"
        f"{s.rates.get('TradesReceived', 0.0):>10.1f}{closed:>12.1f}{s.fills:>7}",
        flush=True,
    )


def object_types() -> Counter[str]:
    """Live objects per type: which kind of object a leak is made of."""
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def print_type_growth(before: Counter[str], after: Counter[str]) -> None:
    growth = after.copy()
    growth.subtract(before)
    print("\nobject types that grew most after warm-up:")
    for name, count in growth.most_common(10):
        print(f"  {count:+9} {name} ({after[name]} alive)")


def print_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> None:
    print("\nbiggest allocation growth after warm-up (tracemalloc):")
    for stat in after.compare_to(before, "traceback")[:10]:
        frame = stat.traceback[0]
        print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+8} blocks  {frame}")


def summarise(samples: list[Sample], warmup_minutes: float, max_slope: float) -> None:
    settled = [s for s in samples if s.seconds >= warmup_minutes * 60]
    if len(settled) < 2:
        print("run too short for a slope after the warm-up")
        return
    rss = slope_per_hour([(s.seconds, s.rss_mb) for s in settled])
    fds = slope_per_hour([(s.seconds, float(s.fds)) for s in settled])
    objects = slope_per_hour([(s.seconds, float(s.objects)) for s in settled])
    sim = slope_per_hour([(s.seconds, s.sim_rss_mb) for s in settled])
    first, final = settled[0], settled[-1]
    print(
        f"\nafter {warmup_minutes:g} min warm-up ({len(settled)} samples, "
        f"{(final.seconds - first.seconds) / 60:.1f} min):"
    )
    print(f"  RSS        {first.rss_mb:.1f} -> {final.rss_mb:.1f} MB, slope {rss:+.2f} MB/hour")
    print(f"  open fds   {first.fds} -> {final.fds}, slope {fds:+.2f} /hour")
    print(f"  objects    {first.objects} -> {final.objects}, slope {objects:+.0f} /hour")
    print(f"  simulator  {first.sim_rss_mb:.1f} -> {final.sim_rss_mb:.1f} MB, {sim:+.2f} MB/hour")
    print(f"  max bus queue depth {max(s.queue for s in samples)}")
    flat = rss <= max_slope and final.fds <= first.fds + 2
    verdict = "FLAT" if flat else "GROWING"
    print(f"memory {verdict} (limit {max_slope:g} MB/hour, fds must not climb)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0, help="run time (default 30)")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument(
        "--warmup-minutes", type=float, default=2.0, help="left out of the slopes (default 2)"
    )
    parser.add_argument("--speed", type=float, default=300.0, help="sim replay speed (x real)")
    parser.add_argument(
        "--book-rate", type=float, default=200.0, help="sim book updates per second and symbol"
    )
    parser.add_argument(
        "--strategies", default="sma_cross", help="comma-separated, auto-approved paper"
    )
    parser.add_argument(
        "--max-slope", type=float, default=5.0, help="MB/hour still called flat (default 5)"
    )
    parser.add_argument("--trace", action="store_true", help="tracemalloc growth report")
    args = parser.parse_args()
    args.strategies = [name for name in args.strategies.split(",") if name]
    print(
        f"soak: {args.minutes:g} min, sim speed {args.speed:g}x, {args.book_rate:g} books/s, "
        f"strategies {', '.join(args.strategies) or 'none'}, sample every {args.interval:g} s",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="soak") as tmp:
        samples = asyncio.run(soak(args, Path(tmp)))
    summarise(samples, args.warmup_minutes, args.max_slope)


if __name__ == "__main__":
    main()
