"""Tick-to-order-submitted latency: bar close -> sma_cross -> risk gate -> journal -> venue.

Each round: a closed bar reaches the built-in ``sma_cross`` through the live
strategy runner (``StrategyRunner.on_bar_close``, the same call the engine makes),
the bar is chosen so the target flips; the signal goes through the trader (risk
gate, auto approval) and the order manager, which commits the journal row to
SQLite and hands the order to the paper venue. The clock stops when the order
reaches the venue (``submit``), as it would leave for the exchange: no network.
Entries and exits alternate (a flip against the open position closes it first).

Printed per stage: the strategy alone, signal -> order submitted (gate + journal
commit + venue call), and the whole tick -> submitted. Target: p99 < 1 ms.
``--sync FULL`` runs the journal with an fsync per commit (power-loss durable) to
show what that would cost on this disk.

Run by hand: `.venv/bin/python bench/order_latency.py [--rounds 1000] [--sync FULL]`.
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

    async def submit(self, request: OrderRequest) -> VenueOrder:
        TimedBroker.received_at = time.perf_counter()
        return await super().submit(request)


def book(price: float) -> OrderBook:
    return OrderBook(SYMBOL, 0, (BookLevel(price - 0.1, 50.0),), (BookLevel(price + 0.1, 50.0),))


def flipping_closes(history: list[float], rounds: int, fast: int, slow: int) -> list[float]:
    """Closes that each flip sign(SMA fast − SMA slow): every bar is a decision.

    With a = the last fast−1 closes summed and b = the last slow−1, the new close c
    puts the fast average above the slow one exactly when
    c > (b/slow − a/fast) / (1/fast − 1/slow); each close lands just across that line.
    """
    closes = list(history)
    out = []
    for _ in range(rounds):
        a, b = sum(closes[-(fast - 1) :]), sum(closes[-(slow - 1) :])
        line = (b / slow - a / fast) / (1 / fast - 1 / slow)
        above = float(np.mean(closes[-fast:])) > float(np.mean(closes[-slow:]))
        close = line - 0.05 if above else line + 0.05
        closes.append(close)
        out.append(close)
    return out


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
    fast, slow = int(params.get("fast", 10)), int(params.get("slow", 30))
    runner = StrategyRunner("sma_cross", strategy)
    rng = np.random.default_rng(7)
    history = [float(x) for x in 100.0 + np.cumsum(rng.normal(0, 0.1, runner.window))]
    closes = flipping_closes(history, rounds, fast, slow)
    runner.seed(SYMBOL, [bar(i, c) for i, c in enumerate(history)])
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
            gc.collect()
            for index, close in enumerate(closes, start=len(history)):
                started = time.perf_counter()
                decision = runner.on_bar_close(SYMBOL, bar(index, close))
                decided = time.perf_counter()
                assert decision is not None and decision.signal.side is not None
                signal = decision.signal
                await trader.on_signal(
                    "sma_cross", SYMBOL, signal.side, signal.confidence, signal.reasons
                )
                if TimedBroker.received_at > decided:  # a refused signal sends nothing
                    strategy_ms.append((decided - started) * 1000)
                    order_ms.append((TimedBroker.received_at - decided) * 1000)
                    total_ms.append((TimedBroker.received_at - started) * 1000)
                await trader.on_book(book(close))  # fills it
    print(
        f"rounds {rounds}, orders sent {len(total_ms)}, journal synchronous={sync}, "
        f"strategy window {runner.window} bars, load {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores"
    )
    report("strategy (on_bar_close)", strategy_ms)
    report("signal -> order submitted", order_ms)
    report("tick -> order submitted", total_ms)
    print(f"target p99 < {TARGET_MS} ms (includes the SQLite journal commit before sending)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--sync", choices=("NORMAL", "FULL"), default="NORMAL")
    args = parser.parse_args()
    asyncio.run(main_async(args.rounds, args.sync))


if __name__ == "__main__":
    main()
