"""Headless mode: the engine with a one-line-per-event log on stdout instead of a screen."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from datetime import UTC, datetime
from typing import TextIO

from moonai_tui.config import Settings
from moonai_tui.console import freeze_startup_objects
from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.engine import Engine
from moonai_tui.engine.events import (
    CandleHistoryLoaded,
    CandleUpdated,
    ConnectionChanged,
    EngineStarted,
    EngineStopped,
    Event,
    NoticeRaised,
    SymbolChanged,
    TickerUpdated,
)
from moonai_tui.engine.trading_events import (
    ApprovalRequested,
    ApprovalResolved,
    FillRecorded,
    KillSwitchChanged,
    OrderDenied,
    OrderUpdated,
    SignalRaised,
)
from moonai_tui.errors import MoonAIError

PRICE_LINE_EVERY_SECONDS = 5.0


def _utc(ms: int, with_seconds: bool = True) -> str:
    fmt = "%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime(fmt)


def format_event(event: Event) -> str | None:
    """The log line for an event worth a person's attention, or None to stay quiet."""
    match event:
        case EngineStarted():
            return (
                f"engine started: market {event.market} ({event.description}), trading "
                f"{event.trading}, {event.symbol} {event.timeframe}"
            )
        case EngineStopped():
            return f"engine stopped: {event.reason}"
        case ConnectionChanged():
            detail = f": {event.detail}" if event.detail else ""
            return f"connection {event.stream} {event.symbol} {event.state}{detail}"
        case CandleHistoryLoaded() if event.bars:
            last = event.bars[-1]
            return (
                f"history {event.symbol} {event.timeframe}: {len(event.bars)} closed candles "
                f"up to {_utc(last.ts, False)} close {last.close:,.2f}"
            )
        case CandleUpdated(closed=True):
            bar = event.bar
            return (
                f"candle {event.symbol} {event.timeframe} {_utc(bar.ts, False)} O {bar.open:,.2f} "
                f"H {bar.high:,.2f} L {bar.low:,.2f} C {bar.close:,.2f} V {bar.volume:,.4f}"
            )
        case SymbolChanged():
            return f"symbol switched to {event.symbol}"
        case NoticeRaised():
            return f"{event.level}: {event.message}"
        case _:
            return format_trading_event(event)


def format_trading_event(event: Event) -> str | None:
    """Lines for signals, approvals, orders, fills, refusals and the kill switch."""
    match event:
        case SignalRaised():
            side = (event.side or "flat").upper()
            return (
                f"signal {event.strategy} {event.symbol} {side} conf {event.confidence:.2f}"
                f" {event.reasons}"
            )
        case ApprovalRequested():
            request = event.item.request
            return (
                f"approval #{event.item.id} waiting: {request.side.upper()} {request.qty} "
                f"{request.symbol} (approve: moonai-tui ctl approve {event.item.id})"
            )
        case ApprovalResolved():
            decided = event.decided
            return f"approval #{decided.item.id} {decided.decision} by {decided.actor}"
        case OrderUpdated():
            order, request = event.order, event.order.request
            reason = f" ({order.reason})" if order.reason else ""
            return (
                f"order {request.client_order_id} {request.side.upper()} {request.qty} "
                f"{request.symbol} {request.type} {order.status}{reason}"
            )
        case FillRecorded():
            fill = event.fill
            return (
                f"fill {fill.symbol} {fill.side.upper()} {fill.qty} @ {fill.price:,} "
                f"fee {fill.fee:.4f} {fill.fee_currency}"
            )
        case OrderDenied():
            return f"risk: order refused on {event.symbol}: {event.reason}"
        case KillSwitchChanged():
            state = event.state
            if state.latched:
                return f"KILL SWITCH LATCHED by {state.changed_by}: {state.reason}"
            return "kill switch armed" if state.changed_by else None
        case _:
            return None


def format_price(event: TickerUpdated) -> str:
    ticker = event.ticker
    change = "" if ticker.change_24h_pct is None else f" 24h {ticker.change_24h_pct:+.2f}%"
    book = ""
    if ticker.bid is not None and ticker.ask is not None:
        book = f" bid {ticker.bid:,.2f} ask {ticker.ask:,.2f}"
    when = _utc(ticker.ts)
    return f"price {ticker.symbol} last {ticker.last:,.2f}{book}{change} (market time {when})"


async def _print_events(subscription: Subscription, out: TextIO) -> None:
    last_price_line = 0.0
    async for event in subscription:
        line: str | None
        if isinstance(event, TickerUpdated):
            now = time.monotonic()
            if now - last_price_line < PRICE_LINE_EVERY_SECONDS:
                continue
            last_price_line = now
            line = format_price(event)
        else:
            line = format_event(event)
        if line is not None:
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.write(f"{stamp} {line}\n")
            out.flush()


async def run_headless(
    settings: Settings,
    duration: float | None,
    out: TextIO = sys.stdout,
    *,
    live_confirmed: bool = False,
) -> int:
    """Run the engine until SIGINT/SIGTERM or ``duration`` seconds; 0 after a clean stop."""
    from moonai_tui.control.protocol import default_socket_path
    from moonai_tui.control.server import start_control_server

    engine = Engine(settings, live_confirmed=live_confirmed)
    # Before the engine starts: a second engine in this folder is refused at once.
    control = await start_control_server(engine, default_socket_path())
    subscription = engine.subscribe()
    printer = asyncio.create_task(_print_events(subscription, out))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    reason = "duration elapsed"
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        try:
            await engine.start()
        except MoonAIError:
            await engine.stop("start failed")
            raise
        freezer = asyncio.create_task(freeze_startup_objects(engine))
        try:
            await asyncio.wait_for(stop.wait(), timeout=duration)
            reason = "signal received"
        except TimeoutError:
            pass
        freezer.cancel()
        await engine.stop(reason)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        subscription.close()
        await control.close()
        with contextlib.suppress(asyncio.CancelledError):
            await printer
    return 0
