"""The live account's side: private streams into the trader, and reconciliation by REST.

Fills (``watch_my_trades``) and order states (``watch_orders``) come from the
exchange's private websocket. When that stream drops, fills and order changes
made meanwhile are never streamed again, so an outage blocks new entries (a
halt with the reason, shown in the Risk pane) until the streams are back AND
the account is reconciled by REST (``reconcile_account``): first one signed
request (which also corrects the clock offset if the exchange refuses it), then
the subscriptions, confirmed by the exchange, then the reconciliation, so
nothing can slip between what REST reported and what the stream delivers next.
Exits are never blocked. Before trading starts, and after the engine was down,
``reconcile_account`` brings the journal in line with the exchange or halts
trading with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from moonai_tui.domain import FINAL_ORDER_STATUSES, Fill, OrderRecord, TradingMode
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import Clock
from moonai_tui.engine.events import NoticeRaised
from moonai_tui.engine.feeds import Backoff
from moonai_tui.engine.reconcile import Reconciliation, VenueView, reconcile
from moonai_tui.engine.trader import Trader
from moonai_tui.errors import MoonAIError, TemporaryError
from moonai_tui.exchange.ccxt_execution import CcxtExecutionClient, to_fill, to_venue_order
from moonai_tui.exchange.execution import VenueOrder
from moonai_tui.store.journal import TradingJournal

log = logging.getLogger(__name__)

FILL_LOOKBACK_MS = 3_600_000
"""Fills are re-read from this long before the last stored one (duplicates are skipped)."""
RECONCILE_ATTEMPTS = 3
"""Position comparisons tried before a mismatch halts: a fill landing between the REST
reads of fills and positions looks like an unexplained position for one round."""

MAX_CAUSE_CHARS = 120
"""The outage's cause as shown in the halt reason (a 503 page can be long)."""
SEEN_LIMIT = 5_000
"""Fill ids and order states remembered to skip ccxt's cached rows already applied."""

Step = Callable[[], Awaitable[None]]


class LiveStreams:
    """Runs ``watch_my_trades`` and ``watch_orders``; an outage blocks entries until reconciled.

    Attributes:
        outages: private-stream outages seen so far.
        recoveries: outages ended by a successful reconciliation.
        synced: set while the streams are confirmed live and reconciled.
    """

    def __init__(
        self,
        exchange: Any,
        trader: Trader,
        bus: EventBus,
        backoff: Backoff,
        reconcile: Callable[[], Awaitable[object]] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._exchange = exchange
        self._trader = trader
        self._bus = bus
        self._backoff = backoff
        self._reconcile = reconcile
        self._rng = rng or random.Random()
        self._task: asyncio.Task[None] | None = None
        self._blocked = ""
        """The halt reason this class set ('' when it has not blocked entries)."""
        self.outages = 0
        self.recoveries = 0
        self.synced = asyncio.Event()
        self._fills_seen = _Seen()
        self._order_states: dict[str, tuple[Any, Any, Any]] = {}

    def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name="live:private")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _supervise(self) -> None:
        attempt = 0
        first = True
        down_since = 0.0
        while True:
            watchers: list[asyncio.Task[None]] = []
            try:
                if self._blocked:
                    await self._probe()
                watchers = [
                    asyncio.create_task(self._follow(self._fills_step), name="live:fills"),
                    asyncio.create_task(self._follow(self._orders_step), name="live:orders"),
                ]
                if self._reconcile is not None and (first or self._blocked):
                    await self._resume(watchers, down_since)
                first = False
                attempt = 0
                await _first_failure(watchers)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure is an outage; the engine must go on
                if (
                    not isinstance(exc, MoonAIError)
                    and type(exc).__module__.split(".")[0] != "ccxt"
                ):
                    log.exception("private stream: unexpected failure")
                attempt += 1
                delay = self._backoff.delay(attempt, self._rng)
                if not self._blocked:
                    down_since = time.monotonic()
                    self._block(exc)
                log.warning("private stream: %s (retry in %.1fs)", exc, delay)
                await asyncio.sleep(delay)
            finally:
                for watcher in watchers:
                    watcher.cancel()
                await asyncio.gather(*watchers, return_exceptions=True)

    async def _follow(self, step: Step) -> None:
        while True:
            await step()

    async def _probe(self) -> None:
        """One signed REST request: fails fast while the account side is down, and fixes
        the clock offset (guarded_bybit) before the websocket logs in with it."""
        await self._exchange.fetch_balance()

    async def _resume(self, watchers: list[asyncio.Task[None]], down_since: float) -> None:
        """Subscriptions confirmed, then reconcile by REST, then entries may resume."""
        assert self._reconcile is not None
        waiter = getattr(self._exchange, "wait_private_subscribed", None)
        if waiter is not None:
            confirmed = asyncio.ensure_future(waiter())
            await _first_failure([*watchers, confirmed], until=confirmed)
        await self._reconcile()
        self.synced.set()
        if self._blocked:
            self.recoveries += 1
            if self._trader.halted_reason == self._blocked:
                self._trader.halt("")
            self._blocked = ""
            took = time.monotonic() - down_since
            message = f"private streams back after {took:.1f} s: reconciled, entries allowed"
            log.info(message)
            self._bus.publish(NoticeRaised("info", message))

    def _block(self, exc: BaseException) -> None:
        self.synced.clear()
        self.outages += 1
        cause = str(exc).splitlines()[0][:MAX_CAUSE_CHARS] if str(exc) else type(exc).__name__
        self._blocked = f"private stream down ({cause}): no entries until reconciled"
        if not self._trader.halted_reason:
            self._trader.halt(self._blocked)
        self._bus.publish(NoticeRaised("warning", self._blocked))

    # ccxt resolves a watch on the NEXT message: rows that arrive while the previous
    # batch is being stored wait in its cache until another message comes, which on a
    # quiet account may be never. So each step applies the rows returned and then every
    # cached row not applied yet, until none is left, before it watches again (the
    # caches hold ccxt's last 1000 rows; nothing can arrive between the last check and
    # the next watch, which registers without yielding to the event loop).

    async def _fills_step(self) -> None:
        rows = list(await self._exchange.watch_my_trades())
        while fresh := [row for row in rows if self._fills_seen.add(str(row["id"]))]:
            await self._trader.apply_fills([to_fill(row) for row in fresh])
            rows = list(getattr(self._exchange, "myTrades", None) or ())

    async def _orders_step(self) -> None:
        rows = list(await self._exchange.watch_orders())
        while changed := [row for row in rows if self._order_changed(row)]:
            for row in changed:
                await self._trader.apply_order_update(to_venue_order(row))
            rows = list(getattr(self._exchange, "orders", None) or ())
        if len(self._order_states) > SEEN_LIMIT:
            keep = {str(row["id"]) for row in rows}
            self._order_states = {k: v for k, v in self._order_states.items() if k in keep}

    def _order_changed(self, row: dict[str, Any]) -> bool:
        state = (row.get("status"), row.get("filled"), row.get("average"))
        if self._order_states.get(str(row["id"])) == state:
            return False
        self._order_states[str(row["id"])] = state
        return True


class _Seen:
    """The last ``SEEN_LIMIT`` ids: ``add`` is True for an id not seen before."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._order: deque[str] = deque()

    def add(self, item: str) -> bool:
        if item in self._ids:
            return False
        self._ids.add(item)
        self._order.append(item)
        if len(self._order) > SEEN_LIMIT:
            self._ids.discard(self._order.popleft())
        return True


async def _first_failure(
    tasks: list[asyncio.Task[None]] | list[asyncio.Future[Any]],
    until: asyncio.Future[Any] | None = None,
) -> None:
    """Wait for ``until`` to finish (or forever), raising the first error of any task."""
    pending = set(tasks)
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task.exception() is not None:
                if until is not None and not until.done():
                    until.cancel()
                raise task.exception()  # type: ignore[misc]
            if task is until:
                return


async def reconcile_account(
    client: CcxtExecutionClient,
    exchange: Any,
    journal: TradingJournal,
    trader: Trader,
    mode: TradingMode,
    bus: EventBus,
    clock: Clock,
) -> Reconciliation:
    """Fetch the exchange's view, compare with the journal, apply or halt.

    A position mismatch is asked again (``RECONCILE_ATTEMPTS``) before it halts: fills
    keep arriving while the REST answers are collected.

    Raises:
        TemporaryError: the exchange could not be asked; trading must not start.
    """
    for attempt in range(1, RECONCILE_ATTEMPTS + 1):
        result = await _compare(client, exchange, journal, trader, mode)
        if not result.halt_reason or attempt == RECONCILE_ATTEMPTS:
            break
        log.info("reconciliation: positions differ (%s); asking again", result.halt_reason)
    # The streams and the order manager keep running meanwhile: an answer read a moment
    # ago must not move an order backwards, and "unknown to the exchange" is asked again.
    for client_id, venue_order in result.order_updates:
        record = await journal.order(client_id)
        if record is None or not _behind(venue_order, record):
            await trader.apply_order_update(venue_order)
    for client_id in result.orders_unknown_to_venue:
        record = await journal.order(client_id)
        if record is None or record.is_final:
            continue
        found = await client.fetch_order(client_id, record.request.symbol)
        if found is not None:
            await trader.apply_order_update(found)
        else:
            detail = "not found at the exchange"
            await journal.update_order(client_id, "rejected", clock.now_ms(), detail=detail)
    now = clock.now_ms()
    await trader.apply_fills(list(result.missing_fills))
    for line in result.differences:
        await journal.record_risk_event(now, "reconciliation", "*", line)
        bus.publish(NoticeRaised("warning", f"reconciliation: {line}"))
    if result.halt_reason:
        trader.halt(result.halt_reason)
        bus.publish(NoticeRaised("error", result.halt_reason))
    return result


def _behind(venue: VenueOrder, record: OrderRecord) -> bool:
    """Whether the exchange's answer is older than what the journal already knows."""
    return (record.is_final and venue.status not in FINAL_ORDER_STATUSES) or (
        record.filled_qty > venue.filled_qty
    )


async def _compare(
    client: CcxtExecutionClient,
    exchange: Any,
    journal: TradingJournal,
    trader: Trader,
    mode: TradingMode,
) -> Reconciliation:
    import ccxt

    orders = await journal.orders(mode)
    fills = await journal.fills(mode)
    open_journal = [o for o in orders if not o.is_final]
    try:
        by_client = {
            o.request.client_order_id: await client.fetch_order(
                o.request.client_order_id, o.request.symbol
            )
            for o in open_journal
        }
        open_orders = tuple(to_venue_order(row) for row in await exchange.fetch_open_orders())
        venue_fills = tuple(await client.fills_since(_fills_from(fills)))
        positions = {
            row["symbol"]: Decimal(str(row["contracts"])) * (-1 if row["side"] == "short" else 1)
            for row in await exchange.fetch_positions()
            if row.get("contracts")
        }
    except ccxt.NetworkError as exc:
        raise TemporaryError(f"reconciliation: {exc}") from exc
    local = {p.symbol: p.qty for p in trader.positions()}
    return reconcile(
        orders,
        {f.trade_id for f in fills},
        local,
        VenueView(by_client, open_orders, venue_fills, positions),
    )


def _fills_from(fills: list[Fill]) -> int | None:
    """Where the exchange's fills are read back from: an hour before the newest recorded
    fill (fill times are the exchange's), or the exchange's last 7 days (None) before
    any fill: our orders' own times are on our clock, which need not be the exchange's
    (the simulator replays the past)."""
    if fills:
        return max(0, max(f.ts_ms for f in fills) - FILL_LOOKBACK_MS)
    return None
