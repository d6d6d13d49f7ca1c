"""Tick-to-order-submitted latency: bar close -> sma_cross -> risk gate -> journal -> venue.

Closed bars of a mean-reverting walk reach the built-in ``sma_cross`` through the
live strategy runner (``StrategyRunner.on_bar_close``, the same call the engine
makes). When its target flips, the signal goes through the trader (risk gate,
auto approval) and the order manager, which commits the journal row to SQLite
and hands the order to the paper venue. The clock stops when the order reaches
the venue (``submit``), as it would leave for the exchange: no network. Entries
and exits alternate (a flip against the open position closes it first).

Printed per stage: the strategy alone, signal -> order submitted (gate + journal
commit + venue call), and the whole tick -> submitted. Target: p99 < 1 ms. The
CPU time of the order path is printed beside its wall time: on a shared machine
the gap between the two is time spent waiting for a core, not work.
``--sync FULL`` runs the journal with an fsync per commit (power-loss durable) to
show what that would cost on this disk.

Run by hand: `.venv/bin/python bench/order_latency.py [--rounds 8000] [--sync FULL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

from moonai_tui.config import TradingSettings
from moonai_tui.domain import Bar, BookLevel, Instrument, OrderBook, OrderRequest
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import SystemClock
from moonai_tui.engine.strategy_runner import StrategyRunner
from moonai_tui.engine.trader import Trader
from moonai_tui.exchange.execution import VenueOrder
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.execution import FillModel
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store import journal_writer, open_store
from moonai_tui.strategy import load_params, load_strategy

SYMBOL = "BTC/USDT:USDT"
BTC = Instrument(
    SYMBOL,
    "BTCUSDT",
    "swap",
    "BTC",
    "USDT",
    "USDT",
    Decimal("0.1"),
    Decimal("0.001"),
    Decimal("0.001"),
    Decimal("5"),
)
REPO = Path(__file__).resolve().parents[1]
MINUTE = 60_000
TARGET_MS = 1.0


class TimedBroker(PaperBroker):
    """The paper venue, noting when each order reaches it (the "submitted" moment)."""

    received_at = 0.0
    cpu_at = 0.0

    async def submit(self, request: OrderRequest) -> VenueOrder:
        TimedBroker.received_at = time.perf_counter()
        TimedBroker.cpu_at = time.thread_time()
        return await super().submit(request)


def book(price: float) -> OrderBook:
    return OrderBook(SYMBOL, 0, (BookLevel(price - 0.1, 50.0),), (BookLevel(price + 0.1, 50.0),))


def wandering_closes(rng: np.random.Generator, count: int) -> list[float]:
    """A mean-reverting walk around 100 (so the averages cross every few dozen bars)."""
    closes, price = [], 100.0
    for shock in rng.normal(0.0, 0.15, count):
        price += 0.05 * (100.0 - price) + float(shock)
        closes.append(round(price, 1))
    return closes


def bar(index: int, close: float) -> Bar:
    return Bar(index * MINUTE, close, close, close, close, 1.0)


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[max(0, int(len(samples) * 0.99) - 1)]
    print(
        f"{name:<28} p50 {p50:7.3f} ms   p99 {p99:7.3f} ms   max {samples[-1]:7.3f} ms   "
        f"p99/target {p99 / TARGET_MS:5.2f}"
    )


async def main_async(rounds: int, sync: str) -> None:
    params = load_params(REPO / "config" / "strategy_params.yaml", "sma_cross")
    strategy = load_strategy("sma_cross", REPO / "strategies", params)
    # With the engine's default time budget: its timer is armed around every call.
    budget = TradingSettings().strategy_time_budget_seconds
    runner = StrategyRunner("sma_cross", strategy, budget)
    walk = wandering_closes(np.random.default_rng(7), runner.window + rounds)
    history, closes = walk[: runner.window], walk[runner.window :]
    runner.seed(SYMBOL, [bar(i, c) for i, c in enumerate(history)])
    every_bar_ms: list[float] = []
    order_cpu_ms: list[float] = []
    strategy_ms: list[float] = []
    order_ms: list[float] = []
    total_ms: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        async with await open_store(f"sqlite+aiosqlite:///{folder}/bench.db") as store:
            if sync != "NORMAL":
                connect = journal_writer.JournalWriter._connect

                def connect_with(self: journal_writer.JournalWriter) -> object:
                    connection = connect(self)
                    connection.execute(f"PRAGMA synchronous={sync}")
                    return connection

                journal_writer.JournalWriter._connect = connect_with  # type: ignore[method-assign]
            clock = SystemClock()
            paper = TimedBroker(FillModel(), {SYMBOL: BTC}, clock.now_ms)
            trader = Trader(
                bus=EventBus(),
                clock=clock,
                journal=store.journal,
                venue=paper,
                paper=paper,
                mode="paper",
                instruments={SYMBOL: BTC},
                limits=RiskLimits(
                    max_daily_loss_pct=Decimal("0.99"), max_drawdown_pct=Decimal("0.99")
                ),
                manual_approval=False,
                approval_timeout_ms=60_000,
                starting_equity=Decimal("10000"),
            )
            await trader.start()
            await trader.on_book(book(closes[0]))
            # As the console does once the engine is up (console.freeze_startup_objects).
            gc.collect()
            gc.freeze()
            for index, close in enumerate(closes, start=len(history)):
                # Live, book updates keep arriving between bar closes (and fill the
                # last order here); a bar close never follows another back to back.
                await trader.on_book(book(close))
                started = time.perf_counter()
                decision = runner.on_bar_close(SYMBOL, bar(index, close))
                decided = time.perf_counter()
                every_bar_ms.append((decided - started) * 1000)
                if decision is None or decision.signal.side is None:
                    continue
                signal = decision.signal
                cpu_started = time.thread_time()
                await trader.on_signal(
                    "sma_cross", SYMBOL, signal.side, signal.confidence, signal.reasons
                )
                if TimedBroker.received_at > decided:  # a refused signal sends nothing
                    order_cpu_ms.append((TimedBroker.cpu_at - cpu_started) * 1000)
                    strategy_ms.append((decided - started) * 1000)
                    order_ms.append((TimedBroker.received_at - decided) * 1000)
                    total_ms.append((TimedBroker.received_at - started) * 1000)
    print(
        f"bars {rounds}, orders sent {len(total_ms)}, journal synchronous={sync}, "
        f"strategy window {runner.window} bars, load {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores"
    )
    report("strategy, every bar", every_bar_ms)
    report("strategy, deciding bars", strategy_ms)
    report("signal -> order submitted", order_ms)
    report("  same, CPU time only", order_cpu_ms)
    report("tick -> order submitted", total_ms)
    print(f"target p99 < {TARGET_MS} ms (includes the SQLite journal commit before sending)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=8000, help="closed bars to feed")
    parser.add_argument("--sync", choices=("NORMAL", "FULL"), default="NORMAL")
    args = parser.parse_args()
    asyncio.run(main_async(args.rounds, args.sync))


if __name__ == "__main__":
    main()
