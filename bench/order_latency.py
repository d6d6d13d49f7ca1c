"""Tick-to-order-submitted latency through the strategy, risk gate and order journal.

Each round: a closed bar reaches ``sma_cross`` (crafted so it crosses), the signal
passes the risk gate (auto approval) and the order manager journals the order in
SQLite and hands it to the paper broker; the clock stops when the order reaches
the venue (the paper broker's ``submit``), as it would leave for the exchange.
No network is involved (paper venue). The next book fills it, and the next round's
opposite cross closes it, so entries and exits alternate. Target: p99 < 1 ms.

Run by hand: `.venv/bin/python bench/order_latency.py [--rounds 400]`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from moonai_tui.domain import BookLevel, Instrument, OrderBook, OrderRequest
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import SystemClock
from moonai_tui.engine.trader import Trader
from moonai_tui.exchange.execution import VenueOrder
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.execution import FillModel
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store import open_store
from moonai_tui.strategy import BarStrategy

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
TARGET_MS = 1.0


def load_sma_cross() -> BarStrategy:
    path = Path(__file__).resolve().parents[1] / "strategies" / "sma_cross.py"
    spec = importlib.util.spec_from_file_location("sma_cross_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    strategy: BarStrategy = module.SmaCross(fast=2, slow=4)
    return strategy


class TimedBroker(PaperBroker):
    """The paper venue, noting when each order reaches it (the "submitted" moment)."""

    received_at = 0.0

    async def submit(self, request: OrderRequest) -> VenueOrder:
        TimedBroker.received_at = time.perf_counter()
        return await super().submit(request)


def book(price: float) -> OrderBook:
    return OrderBook(SYMBOL, 0, (BookLevel(price - 0.1, 50.0),), (BookLevel(price + 0.1, 50.0),))


async def main_async(rounds: int) -> None:
    strategy = load_sma_cross()
    with tempfile.TemporaryDirectory() as folder:
        async with await open_store(f"sqlite+aiosqlite:///{folder}/bench.db") as store:
            clock = SystemClock()
            trader = Trader(
                bus=EventBus(),
                clock=clock,
                journal=store.journal,
                venue=(paper := TimedBroker(FillModel(), {SYMBOL: BTC}, clock.now_ms)),
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
            await trader.on_book(book(100.0))
            up = [100.0, 100.0, 100.0, 100.0, 99.0, 104.0]  # fast crosses above slow
            down = [100.0, 100.0, 100.0, 100.0, 101.0, 96.0]  # and below
            gate_ms: list[float] = []
            total_ms: list[float] = []
            for index in range(rounds):
                closes = up if index % 2 == 0 else down
                started = time.perf_counter()
                signal = strategy.on_bars(closes)
                assert signal is not None
                decided = time.perf_counter()
                await trader.on_signal(
                    "sma_cross", SYMBOL, signal.side, signal.confidence, signal.reasons
                )
                gate_ms.append((decided - started) * 1000)
                if TimedBroker.received_at > started:  # a refused signal sends nothing
                    total_ms.append((TimedBroker.received_at - started) * 1000)
                await trader.on_book(book(100.0))  # fills it
    print(f"rounds {rounds}, orders sent {len(total_ms)}")
    for name, samples in (("strategy only", gate_ms), ("tick -> order submitted", total_ms)):
        samples.sort()
        p50 = statistics.median(samples)
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(
            f"{name:<26} p50 {p50:8.3f} ms   p99 {p99:8.3f} ms   p99/target {p99 / TARGET_MS:6.2f}"
        )
    print(f"target p99 < {TARGET_MS} ms (includes the SQLite journal commit before sending)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=400)
    asyncio.run(main_async(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
