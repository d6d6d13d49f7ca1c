"""A live engine trading on an in-process simulator, a trading driver and the checks.

One event loop holds both: the simulator (with its fault injector) on 127.0.0.1 and
an ``Engine`` in ``trading: live`` + ``approval: auto`` that reaches it through ccxt
exactly as it would reach ByBit. A driver task alternates entries and exits through
``Trader.on_signal`` (the strategy path after the strategy: approval, risk gate with
the stale-data gate, order manager). ``consistency`` compares, with the market clock
stopped, everything the engine recorded with the simulator's own account.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from moonai_tui.config import Settings, SimSettings
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import Event
from moonai_tui.engine.staleness import EntriesGated
from moonai_tui.engine.trader import Trader
from moonai_tui.engine.trading_events import FillRecorded, OrderDenied
from moonai_tui.sim import RunningSimulator, start_simulator

SYMBOL = "BTC/USDT:USDT"
SIM_SYMBOL = "BTCUSDT"
TOPIC = f"orderbook.50.{SIM_SYMBOL}"
DEPTH = 50
STALE_AFTER_S = 1.0
STATUS = {
    "New": "open",
    "PartiallyFilled": "partially_filled",
    "Untriggered": "open",
    "Filled": "filled",
    "Cancelled": "cancelled",
    "PartiallyFilledCanceled": "cancelled",
    "Deactivated": "cancelled",
    "Rejected": "rejected",
}
"""Simulator order status -> the journal's."""


class PausableWall:
    """Real time for the simulator's market clock, which a test can stop and restart."""

    def __init__(self) -> None:
        self._lost = 0.0
        self._paused_at: float | None = None

    def __call__(self) -> float:
        if self._paused_at is not None:
            return self._paused_at - self._lost
        return time.time() - self._lost

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = time.time()

    def resume(self) -> None:
        if self._paused_at is not None:
            self._lost += time.time() - self._paused_at
            self._paused_at = None


@dataclass(eq=False)
class Rig:
    sim: RunningSimulator
    engine: Engine
    wall: PausableWall
    events: list[Event] = field(default_factory=list)
    driving: bool = True
    driver_errors: list[str] = field(default_factory=list)
    """Exceptions a signal raised out of the trader (the strategy loop would log them)."""

    @property
    def trader(self) -> Trader:
        # White box: the engine offers no command to inject a strategy signal.
        trading = self.engine._trading
        assert trading is not None, "trading did not start"
        return trading.trader

    @property
    def exchange(self) -> Any:
        """The engine's market-data ccxt client (GuardedBybit)."""
        market = self.engine._market
        assert market is not None
        return market._exchange

    @property
    def trading_exchange(self) -> Any:
        trading = self.engine._trading
        assert trading is not None
        return trading._exchange

    def fills(self) -> int:
        return sum(1 for e in self.events if isinstance(e, FillRecorded))

    def denials(self, code: str) -> int:
        return sum(1 for e in self.events if isinstance(e, OrderDenied) and e.code == code)

    async def wait(self, predicate: Callable[[], bool], what: str, within: float = 20.0) -> None:
        """Until ``predicate()`` holds (re-checked on every engine event), or fail."""
        await eventually(lambda: _as_problem(predicate(), what), within)

    async def traded_again(self, within: float = 20.0) -> None:
        """At least two more fills: an entry and an exit went through end to end."""
        before = self.fills()
        await self.wait(lambda: self.fills() >= before + 2, "new fills after the fault", within)

    async def entries_open(self) -> None:
        """Entries allowed, and the account streams confirmed and reconciled."""
        trading = self.engine._trading
        assert trading is not None and trading._streams is not None
        synced = trading._streams.synced
        await self.wait(
            lambda: (
                synced.is_set()
                and not self.trader.halted_reason
                and not self.trader.entry_gate(SYMBOL)
            ),
            "entries allowed again",
        )


async def _as_problem(ok: bool, what: str) -> list[str]:
    return [] if ok else [f"not yet: {what}"]


async def eventually(check: Callable[[], Awaitable[list[str]]], within: float = 20.0) -> None:
    """Re-check every 50 ms until ``check`` reports no problem; fail with the last ones."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        problems = await check()
        if not problems:
            return
        if loop.time() > deadline:
            raise AssertionError("\n".join(problems))
        await asyncio.sleep(0.05)


def rig_settings(tmp_path: Path, sim: SimSettings, **trade: Any) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}",
        trading="live",
        approval="auto",
        sim=sim,
        feeds={
            "stale_after_seconds": STALE_AFTER_S,
            "reconnect_initial_seconds": 0.05,
            "reconnect_max_seconds": 0.3,
            "history_bars": 20,
        },
        risk={"max_daily_loss_pct": "0.5", "max_drawdown_pct": "0.5"},
        trade={"request_timeout_seconds": 2.0, **trade},
    )


@asynccontextmanager
async def live_rig(
    tmp_path: Path, *, seed: int = 1, drive: bool = True, **trade: Any
) -> AsyncIterator[Rig]:
    """Simulator + live engine (+ the driver); everything stopped on exit."""
    wall = PausableWall()
    sim_settings = SimSettings(speed=60, book_updates_per_second=20)
    sim = await start_simulator(sim_settings, wall_clock=wall, fault_seed=seed)
    engine = Engine(
        rig_settings(tmp_path, sim_settings, **trade),
        sim_http_base=sim.http_base,
        live_confirmed=True,
    )
    rig = Rig(sim, engine, wall, driving=drive)
    sub = engine.subscribe()
    tasks: list[asyncio.Task[None]] = []
    try:
        await engine.start()

        async def record() -> None:
            async for event in sub:
                rig.events.append(event)

        tasks.append(asyncio.create_task(record()))
        await engine.ready.wait()
        await rig.entries_open()
        tasks.append(asyncio.create_task(drive_trades(rig), name="driver"))
        yield rig
    finally:
        rig.driving = False
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        sub.close()
        await engine.stop()
        await sim.stop()


async def drive_trades(rig: Rig, period: float = 0.25) -> None:
    """Enter long when flat, exit when long: a round trip every two periods."""
    while True:
        await asyncio.sleep(period)  # pacing the load, not synchronising
        if not rig.driving:
            continue
        trader = rig.trader
        held = {p.symbol: p.qty for p in trader.positions()}.get(SYMBOL, Decimal(0))
        side = "sell" if held > 0 else "buy"
        try:
            await trader.on_signal("faults", SYMBOL, side, 0.9, "fault-suite driver")
        except Exception as exc:  # the engine's strategy loop logs and goes on; so do we
            rig.driver_errors.append(f"{type(exc).__name__}: {exc}")


async def quiesce(rig: Rig) -> None:
    """Faults off, driver off, market clock stopped; then wait for consistency."""
    rig.sim.faults.clear()
    rig.driving = False
    rig.wall.pause()
    try:
        await eventually(lambda: consistency(rig), within=20.0)
    finally:
        rig.wall.resume()
        rig.driving = True


async def consistency(rig: Rig) -> list[str]:
    """Every difference between the engine's records and the simulator's account."""
    problems: list[str] = []
    problems += _engine_alive(rig)
    problems += _book(rig)
    store = rig.engine.store
    assert store is not None
    journal_orders = await store.journal.orders("live")
    journal_fills = await store.journal.fills("live")
    desk = rig.sim.private.desk
    # Fills: every execution of the account recorded once, nothing else.
    ids = [f.trade_id for f in journal_fills]
    if len(ids) != len(set(ids)):
        problems.append(f"a fill is recorded twice: {len(ids)} rows, {len(set(ids))} ids")
    venue_fills = {e.exec_id for e in desk.engine.executions}
    missing, extra = venue_fills - set(ids), set(ids) - venue_fills
    if missing or extra:
        problems.append(f"fills differ: {len(missing)} missing, {len(extra)} extra")
    # Orders: one exchange order per journaled intent, states equal.
    venue = {o.link_id: o for o in desk.engine.orders.values() if o.link_id}
    journaled = {o.request.client_order_id: o for o in journal_orders}
    strangers = set(venue) - set(journaled)
    if strangers:
        problems.append(f"{len(strangers)} exchange orders the journal does not know")
    for client_id, record in journaled.items():
        order = venue.get(client_id)
        if order is None:
            if record.status != "rejected":
                problems.append(f"{client_id} is {record.status} but the exchange never had it")
            continue
        if STATUS[order.status] != record.status or order.cum_qty != record.filled_qty:
            problems.append(
                f"{client_id}: journal {record.status} {record.filled_qty}, "
                f"exchange {order.status} {order.cum_qty}"
            )
    # Positions: the trader's and the journal's equal the exchange's.
    exchange_pos = {s: p.size for s, p in desk.account.positions.items() if p.size}
    ours = {p.symbol.split("/")[0] + "USDT": p.qty for p in rig.trader.positions()}
    stored = {
        p.symbol.split("/")[0] + "USDT": p.qty
        for p in await store.journal.positions("live")
        if p.qty
    }
    if ours != exchange_pos or stored != exchange_pos:
        problems.append(f"positions: trader {ours}, journal {stored}, exchange {exchange_pos}")
    problems += _no_entry_while_gated(rig, journal_orders)
    return problems


def _engine_alive(rig: Rig) -> list[str]:
    problems = []
    for task in rig.engine._tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            problems.append(f"engine task {task.get_name()} died: {task.exception()!r}")
    trading = rig.engine._trading
    if trading is None or trading._task is None or trading._task.done():
        problems.append("the trading task is not running")
    elif (
        trading._streams is None or trading._streams._task is None or trading._streams._task.done()
    ):
        problems.append("the private streams are not running")
    if rig.trader.halted_reason:
        problems.append(f"entries still halted: {rig.trader.halted_reason}")
    return problems


def _book(rig: Rig) -> list[str]:
    u, bids, asks = rig.sim.book_view("linear", SIM_SYMBOL, DEPTH)
    ours = rig.exchange.last_update_id(TOPIC)
    if ours != u:
        return [f"book: engine at update {ours}, simulator sent {u}"]
    book = rig.exchange.orderbooks[SYMBOL]
    want_bids = [[float(p), float(s)] for p, s in bids]
    want_asks = [[float(p), float(s)] for p, s in asks]
    have_bids = [[float(p), float(s)] for p, s, *_ in book["bids"]]
    have_asks = [[float(p), float(s)] for p, s, *_ in book["asks"]]
    if have_bids != want_bids or have_asks != want_asks:
        return [f"book at update {u} differs from the simulator's"]
    return []


GATE_SLACK_MS = 100
"""An entry decided just before the gate closed is journaled a few ms later."""


def gated_windows(rig: Rig) -> list[tuple[int, int]]:
    """(from, to) ms of every stretch the engine reported entries blocked for SYMBOL."""
    windows: list[tuple[int, int]] = []
    opened: int | None = None
    for event in rig.events:
        if isinstance(event, EntriesGated) and event.symbol == SYMBOL:
            if event.reason and opened is None:
                opened = event.at_ms
            elif not event.reason and opened is not None:
                windows.append((opened, event.at_ms))
                opened = None
    if opened is not None:
        windows.append((opened, 2**62))
    return windows


def _no_entry_while_gated(rig: Rig, journal_orders: list[Any]) -> list[str]:
    """No entry journaled inside a window where the engine said entries were blocked."""
    entries = [o for o in journal_orders if not o.request.reduce_only]
    bad = [
        o.request.client_order_id
        for o in entries
        for start, end in gated_windows(rig)
        if start + GATE_SLACK_MS <= o.created_ms < end
    ]
    return [f"entries placed while data was stale: {bad}"] if bad else []
