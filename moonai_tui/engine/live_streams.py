"""The live account's side: private streams into the trader, and reconciliation by REST.

Fills (``watch_my_trades``) and order states (``watch_orders``) come from the
exchange's private websocket; a dropped stream reconnects with backoff. Before
trading starts, and after the engine was down, ``reconcile_account`` brings the
journal in line with the exchange or halts trading with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import random
from decimal import Decimal
from typing import Any

from moonai_tui.domain import TradingMode
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import Clock
from moonai_tui.engine.events import NoticeRaised
from moonai_tui.engine.feeds import Backoff
from moonai_tui.engine.reconcile import Reconciliation, VenueView, reconcile
from moonai_tui.engine.trader import Trader
from moonai_tui.errors import MoonAIError, TemporaryError
from moonai_tui.exchange.ccxt_execution import CcxtExecutionClient, to_fill, to_venue_order
from moonai_tui.store.journal import TradingJournal

log = logging.getLogger(__name__)

FILL_LOOKBACK_MS = 3_600_000
"""Fills are re-read from this long before the last stored one (duplicates are skipped)."""


class LiveStreams:
    """Runs ``watch_my_trades`` and ``watch_orders`` for one account."""

    def __init__(self, exchange: Any, trader: Trader, bus: EventBus, backoff: Backoff) -> None:
        self._exchange = exchange
        self._trader = trader
        self._bus = bus
        self._backoff = backoff
        self._tasks: list[asyncio.Task[None]] = []
        self._rng = random.Random()

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop("fills", self._fills_step), name="live:fills"),
            asyncio.create_task(self._loop("orders", self._orders_step), name="live:orders"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _loop(self, name: str, step: Any) -> None:
        import ccxt

        attempt = 0
        while True:
            try:
                await step()
                attempt = 0
            except asyncio.CancelledError:
                raise
            except (ccxt.BaseError, MoonAIError) as exc:
                attempt += 1
                delay = self._backoff.delay(attempt, self._rng)
                log.warning("private %s stream: %s (retry in %.1fs)", name, exc, delay)
                self._bus.publish(NoticeRaised("warning", f"private {name} stream: {exc}"))
                await asyncio.sleep(delay)

    async def _fills_step(self) -> None:
        rows = await self._exchange.watch_my_trades()
        await self._trader.apply_fills([to_fill(row) for row in rows])

    async def _orders_step(self) -> None:
        for row in await self._exchange.watch_orders():
            await self._trader.apply_order_update(to_venue_order(row))


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

    Raises:
        TemporaryError: the exchange could not be asked; trading must not start.
    """
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
        since = max((f.ts_ms for f in fills), default=0) - FILL_LOOKBACK_MS
        venue_fills = tuple(await client.fills_since(max(0, since)))
        positions = {
            row["symbol"]: Decimal(str(row["contracts"])) * (-1 if row["side"] == "short" else 1)
            for row in await exchange.fetch_positions()
            if row.get("contracts")
        }
    except ccxt.NetworkError as exc:
        raise TemporaryError(f"reconciliation: {exc}") from exc
    local = {p.symbol: p.qty for p in trader.positions()}
    result = reconcile(
        orders,
        {f.trade_id for f in fills},
        local,
        VenueView(by_client, open_orders, venue_fills, positions),
    )
    for _, venue_order in result.order_updates:
        await trader.apply_order_update(venue_order)
    now = clock.now_ms()
    for client_id in result.orders_unknown_to_venue:
        await journal.update_order(client_id, "rejected", now, detail="not found at the exchange")
    await trader.apply_fills(list(result.missing_fills))
    for line in result.differences:
        await journal.record_risk_event(now, "reconciliation", "*", line)
        bus.publish(NoticeRaised("warning", f"reconciliation: {line}"))
    if result.halt_reason:
        trader.halt(result.halt_reason)
        bus.publish(NoticeRaised("error", result.halt_reason))
    return result
