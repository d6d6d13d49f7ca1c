"""Chaos run: 100+ random seeded faults against a live engine trading on the simulator.

The rig of ``tests/faults`` (simulator + ``Engine`` in live mode with auto approval,
reached through ccxt, and a driver alternating entries and exits): one random
fault per round, with random arguments, drawn from a seeded RNG. After each round
the faults are cleared, the market clock is stopped and the engine's journal,
fills, positions and book are compared with the simulator's own account (``tests/
faults/rig.consistency``, up to 20 s to settle), then the market runs on.

Per fault kind it prints: injected, fired (the fault had its chance), survived
(engine alive, entries open again, everything consistent, and an entry and an
exit go through afterwards), orders lost (an
order the engine sent that the exchange does not have, or an exchange fill the
journal lacks) and duplicates (an exchange order the journal does not know, or a
fill recorded twice). Target: all survived, 0 lost, 0 duplicates.

Run by hand (not in CI): `.venv/bin/python bench/chaos.py [--faults 120] [--seed 7]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from faults.rig import SYMBOL, Rig, consistency, eventually, live_rig  # noqa: E402

from moonai_tui.domain import OrderRequest  # noqa: E402
from moonai_tui.engine.order_manager import new_client_order_id  # noqa: E402
from moonai_tui.engine.trading_events import OrderDenied  # noqa: E402

REQUEST_TIMEOUT_S = 1.0


def draw(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """One random fault and its arguments."""
    scope = rng.choice(["public", "private"])
    menu: list[tuple[str, dict[str, Any]]] = [
        ("ws_close", {"scope": scope}),
        ("ws_reset", {"scope": scope}),
        ("ws_stall", {"scope": "public", "seconds": round(rng.uniform(0.5, 3.0), 2)}),
        ("ws_delay", {"seconds": round(rng.uniform(0.1, 0.5), 2), "count": rng.randint(1, 5)}),
        ("ws_reorder", {"topic": "orderbook", "count": rng.randint(1, 3)}),
        ("book_skip", {"count": rng.randint(1, 3)}),
        ("book_repeat", {"count": rng.randint(1, 5)}),
        (
            "http_5xx",
            {
                "scope": "private",
                "path": rng.choice(["/v5/order/create", "/v5/order/realtime", "/v5/"]),
                "count": rng.randint(1, 3),
            },
        ),
        ("rate_limit", {"scope": "private", "count": rng.randint(1, 4), "seconds": 0.3}),
        ("timestamp_error", {"count": rng.randint(1, 3)}),
        (
            "clock_skew",
            {"ms": rng.choice([-1, 1]) * rng.randint(6_000, 60_000), "seconds": 2.0},
        ),
        (
            "request_timeout",
            {
                "path": "/v5/order/create",
                "count": rng.randint(1, 3),
                "seconds": REQUEST_TIMEOUT_S + 0.3,
            },
        ),
        ("private_outage", {"seconds": round(rng.uniform(0.5, 2.0), 2)}),
        ("fill_while_disconnected", {"seconds": round(rng.uniform(0.5, 1.5), 2)}),
    ]
    return rng.choice(menu)


async def rest_a_limit_order(rig: Rig) -> None:
    """A buy resting 10 % under the market, for fill_while_disconnected to fill."""
    mark = Decimal(str(rig.exchange.orderbooks[SYMBOL]["bids"][0][0]))
    price = (mark * Decimal("0.9")).quantize(Decimal("0.1"))
    stop = (price * Decimal("0.95")).quantize(Decimal("0.1"))
    request = OrderRequest(
        new_client_order_id(), SYMBOL, "buy", "limit", Decimal("0.002"), price, stop_loss=stop
    )
    await rig.trader.submit(request)


def stuck(rig: Rig) -> str:
    """What the engine says when the driver's signals stopped producing fills."""
    trader = rig.trader
    denied = [e for e in rig.events if isinstance(e, OrderDenied)][-1:]
    exits = getattr(trader, "_exits", None)
    closes = getattr(exits, "closes", None)
    closing = closes.closing(SYMBOL) if closes is not None else "?"
    return (
        f"stopped trading: positions {[(p.symbol, p.qty) for p in trader.positions()]}, "
        f"halt {trader.halted_reason!r}, gate {trader.entry_gate(SYMBOL)!r}, "
        f"closes in flight {closing}, last refusal {[(d.code, d.reason) for d in denied]}"
    )


async def audit(rig: Rig) -> tuple[set[str], set[str]]:
    """(ids lost, ids duplicated) as they stand now."""
    store = rig.engine.store
    assert store is not None
    desk = rig.sim.private.desk
    orders = await store.journal.orders("live")
    fills = await store.journal.fills("live")
    venue = {o.link_id for o in desk.engine.orders.values() if o.link_id}
    journaled = {o.request.client_order_id for o in orders}
    lost = {o.request.client_order_id for o in orders if o.status != "rejected"} - venue
    lost |= {e.exec_id for e in desk.engine.executions} - {f.trade_id for f in fills}
    ids = [f.trade_id for f in fills]
    duplicated = (venue - journaled) | {i for i in ids if ids.count(i) > 1}
    return lost, duplicated


async def main(faults: int, seed: int) -> int:
    logging.basicConfig(level=logging.ERROR)
    rng = random.Random(seed)
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    failures: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        async with live_rig(
            Path(folder), seed=seed, request_timeout_seconds=REQUEST_TIMEOUT_S
        ) as rig:
            await rig.traded_again()
            seen_lost: set[str] = set()
            seen_dup: set[str] = set()
            for round_no in range(1, faults + 1):
                name, args = draw(rng)
                row = table[name]
                row[0] += 1
                if name == "fill_while_disconnected":
                    await rest_a_limit_order(rig)
                fault = rig.sim.faults.inject(name, **args)
                try:
                    await rig.wait(lambda f=fault: f.fired > 0, f"{name} fired", within=10)
                    row[1] += 1
                except AssertionError:
                    pass
                await asyncio.sleep(float(args.get("seconds", 0.5)))  # let the fault play out
                survived = True
                rig.sim.faults.clear()
                rig.driving = False
                rig.wall.pause()
                try:
                    await eventually(lambda: consistency(rig), within=20)
                    await rig.entries_open()
                except AssertionError as exc:
                    survived = False
                    failures.append(f"round {round_no} {name} {args}: {exc}")
                finally:
                    lost, dup = await audit(rig)  # still quiet: nothing in flight
                    rig.wall.resume()
                    rig.driving = True
                if survived:
                    try:  # and it still trades: an entry and an exit go through
                        await rig.traded_again(within=15)
                    except AssertionError:
                        survived = False
                        failures.append(f"round {round_no} {name} {args}: {stuck(rig)}")
                row[2] += survived
                row[3] += len(lost - seen_lost)
                row[4] += len(dup - seen_dup)
                seen_lost |= lost
                seen_dup |= dup
            store = rig.engine.store
            assert store is not None
            orders = len(await store.journal.orders("live"))
            fills = len(await store.journal.fills("live"))
            guard = rig.exchange.guard_stats
            trading_guard = rig.trading_exchange.guard_stats
            trading = rig.engine._trading
            assert trading is not None and trading._streams is not None
            streams = trading._streams
            refused = Counter(e.code for e in rig.events if isinstance(e, OrderDenied))
    took = time.monotonic() - started
    print(f"chaos: {faults} faults, seed {seed}, {took:.0f} s, {orders} orders, {fills} fills")
    print(f"{'fault':<26}{'injected':>9}{'fired':>7}{'survived':>10}{'lost':>6}{'dups':>6}")
    totals = [0, 0, 0, 0, 0]
    for name in sorted(table):
        row = table[name]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(f"{name:<26}{row[0]:>9}{row[1]:>7}{row[2]:>10}{row[3]:>6}{row[4]:>6}")
    print(f"{'total':<26}{totals[0]:>9}{totals[1]:>7}{totals[2]:>10}{totals[3]:>6}{totals[4]:>6}")
    print(
        f"book gaps resynced {guard['book_gaps']}, stale deltas dropped "
        f"{guard['book_stale_dropped']}, clock resyncs {trading_guard['clock_resyncs']}, "
        f"rate-limit waits {trading_guard['rate_limit_waits']}, private outages "
        f"{streams.outages} (recovered {streams.recoveries})"
    )
    print(f"entries refused by the risk gate: {dict(refused) or 'none'}")
    for error, times in Counter(rig.driver_errors).most_common():
        print(f"signal raised {times}x: {error}")
    for line in failures:
        print("FAILED", line)
    ok = totals[2] == totals[0] and totals[3] == 0 and totals[4] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.faults, options.seed)))
