"""Where the armed faults (``faults``) act: REST middleware, websocket writer, tick loop.

* ``fault_middleware`` sits in front of every REST route: outages, 5xx, 10006, 10002
  and held answers (``request_timeout``).
* ``pump`` is the writer of every websocket connection (``ws_session``): stalls,
  delayed, reordered, skipped and repeated messages.
* ``run_faults`` ticks every ``TICK_S`` while connection or window faults are armed:
  closes and resets connections, starts outages and clock skew, fills resting orders
  while the private streams are cut.
* ``add_fault_routes`` serves ``/__faults`` (GET state, POST arm, DELETE clear) to
  loopback clients only.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiohttp import web

from moonai_tui.errors import ConfigError
from moonai_tui.sim.context import SIM_CONTEXT
from moonai_tui.sim.faults import (
    CONNECTION_FAULTS,
    MESSAGE_FAULTS,
    REST_FAULTS,
    WINDOW_FAULTS,
    Fault,
    FaultInjector,
    FaultSpec,
    Session,
)
from moonai_tui.sim.matching import Changes
from moonai_tui.sim.payloads import envelope
from moonai_tui.sim.trading import TradingDesk

FAULTS = web.AppKey("sim_faults", FaultInjector)
CONTROL_PATH = "/__faults"
LOOPBACK = frozenset({"127.0.0.1", "::1"})
TICK_S = 0.05
REORDER_RELEASE_S = 0.5
"""A message held back by ws_reorder goes out after this long if no other of its topic follows."""
RATE_LIMIT_PER_SECOND = 20
"""The ``X-Bapi-Limit`` a rate-limited answer reports (ByBit's default for order endpoints)."""

PUBLIC_REST_FAULTS = tuple(n for n in REST_FAULTS if n != "timestamp_error")
"""Public routes check no timestamp, so they never answer 10002."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def server_ms(injector: FaultInjector) -> int:
    """The server's wall clock in ms, including any injected skew (what auth checks against)."""
    return int(time.time() * 1000) + injector.skew_ms()


# -- REST ------------------------------------------------------------------------------------
@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply REST faults before (or instead of) the route."""
    injector = request.app[FAULTS]
    path = request.path
    if path.startswith(CONTROL_PATH) or request.headers.get("Upgrade", "").lower() == "websocket":
        return await handler(request)
    scope: Literal["public", "private"] = "public" if path.startswith("/v5/market/") else "private"
    if scope == "private" and injector.private_rest_down():
        return _unavailable(503)
    if not injector.active(REST_FAULTS):
        return await handler(request)
    names = REST_FAULTS if scope == "private" else PUBLIC_REST_FAULTS
    fault = injector.decide(names, scope, path=path, detail=f"{request.method} {path}")
    if fault is None:
        return await handler(request)
    now = request.app[SIM_CONTEXT].market.clock.now_ms()
    spec = fault.spec
    if spec.name == "http_5xx":
        return _unavailable(spec.status)
    if spec.name == "rate_limit":
        reset = server_ms(injector) + round(spec.duration * 1000)
        headers = {
            "X-Bapi-Limit": str(RATE_LIMIT_PER_SECOND),
            "X-Bapi-Limit-Status": "0",
            "X-Bapi-Limit-Reset-Timestamp": str(reset),
        }
        body = envelope({}, now, 10006, "Too many visits. Exceeded the API Rate Limit.")
        return web.json_response(body, headers=headers)
    if spec.name == "timestamp_error":
        stamp = request.headers.get("X-BAPI-TIMESTAMP", "")
        window = request.headers.get("X-BAPI-RECV-WINDOW", "5000")
        message = (
            "invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{stamp}],server_timestamp[{server_ms(injector)}],"
            f"recv_window[{window}]"
        )
        return web.json_response(envelope({}, now, 10002, message))
    return await _hold(injector, fault, request, handler)


def _unavailable(status: int) -> web.Response:
    # An HTML page, as a load balancer in front of ByBit answers: ccxt maps it by status.
    text = f"<html><body><h1>{status} Service Temporarily Unavailable</h1></body></html>"
    return web.Response(status=status, text=text, content_type="text/html")


async def _hold(
    injector: FaultInjector, fault: Fault, request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Answer ``seconds`` late; act before the hold, after it, or never."""
    await request.read()  # the body is in hand even if the client has gone by then
    execute = injector.choose_execute(fault.spec)
    injector.note(fault, execute)
    hold = fault.spec.duration

    async def work() -> web.StreamResponse:
        if execute == "before":
            response = await handler(request)
            await asyncio.sleep(hold)
            return response
        await asyncio.sleep(hold)
        if execute == "after":
            return await handler(request)
        return _unavailable(504)

    # Shielded: the server keeps its side of the story even if the client hangs up.
    task = asyncio.create_task(work())
    injector.keep(task)
    return await asyncio.shield(task)


# -- websockets ------------------------------------------------------------------------------
def _peek(text: str) -> tuple[str, bool]:
    """(topic, whether it is a delta) of an outgoing message, without parsing it."""
    start = text.find('"topic":"', 0, 120)
    if start < 0:
        return "", False
    start += 9
    end = text.find('"', start)
    return text[start:end], '"type":"delta"' in text[end : end + 40]


async def pump(
    injector: FaultInjector,
    session: Session,
    queue: asyncio.Queue[str],
    send: Callable[[str], Awaitable[None]],
) -> None:
    """The connection's writer: queued messages out, through the message faults."""
    while True:
        if session.held is None:
            text = await queue.get()
        else:
            wait = session.held[2] + REORDER_RELEASE_S - injector.clock()
            try:
                text = await asyncio.wait_for(queue.get(), max(0.0, wait))
            except TimeoutError:
                held, session.held = session.held, None
                await send(held[1])
                continue
        for out in await _outgoing(injector, session, text):
            await send(out)


async def _outgoing(injector: FaultInjector, session: Session, text: str) -> list[str]:
    wait = session.stalled_until - injector.clock()
    if wait > 0:
        await asyncio.sleep(wait)
    topic, delta = _peek(text)
    out = [text]
    held = session.held
    if held is not None and (held[0] == topic or injector.clock() - held[2] > REORDER_RELEASE_S):
        out.append(held[1])  # the held-back message goes out after the next one of its topic
        session.held = None
    if not injector.active(MESSAGE_FAULTS):
        return out
    book_delta = delta and topic.startswith("orderbook")
    names = MESSAGE_FAULTS if book_delta else ("ws_delay", "ws_reorder")
    fault = injector.decide(names, session.scope, topic=topic, detail=topic or "control")
    if fault is None:
        return out
    name = fault.spec.name
    if name == "book_skip":
        return out[1:]
    if name == "book_repeat":
        return [text, *out]
    if name == "ws_delay":
        await asyncio.sleep(fault.spec.duration)
        return out
    if session.held is None and len(out) == 1:  # ws_reorder
        session.held = (topic, text, injector.clock())
        return []
    return out


# -- the tick loop ---------------------------------------------------------------------------
async def run_faults(injector: FaultInjector, desk: TradingDesk) -> None:
    """Offer connection and window faults their chance every ``TICK_S`` (until cancelled)."""
    injector.changed = asyncio.Event()
    watched = CONNECTION_FAULTS + WINDOW_FAULTS
    while True:
        if not injector.active(watched):
            injector.changed.clear()
            await injector.changed.wait()
        tick(injector, desk)
        await asyncio.sleep(TICK_S)


def tick(injector: FaultInjector, desk: TradingDesk) -> None:
    """One round of connection and window faults."""
    now = injector.clock()
    for session in injector.ordered_sessions():
        fault = injector.decide(
            CONNECTION_FAULTS, session.scope, detail=f"{session.scope} websocket #{session.number}"
        )
        if fault is None:
            continue
        if fault.spec.name == "ws_close":
            injector.keep(asyncio.create_task(session.ws.close(code=1001, message=b"going away")))
        elif fault.spec.name == "ws_reset":
            session.silence()
            session.abort()
        else:
            session.stalled_until = now + fault.spec.duration
    fault = injector.decide(WINDOW_FAULTS, "private")
    if fault is None:
        return
    spec = fault.spec
    if spec.name == "clock_skew":
        injector.skew = (spec.ms, now + spec.duration if spec.duration else 0.0)
    elif spec.name == "private_outage":
        injector.private_down_until = now + spec.duration
        injector.cut_private()
    else:
        injector.private_ws_down_until = now + spec.duration
        injector.cut_private()
        filled = fill_resting(desk)
        injector.note(fault, f"filled {filled}")


def fill_resting(desk: TradingDesk) -> int:
    """Fill every working limit order at its own price, as if the market traded through it.

    Returns:
        The number of orders filled.
    """
    engine = desk.engine
    engine.sweep()
    changes = Changes()
    filled = 0
    for order in engine.open_orders():
        if order.status == "Untriggered" or order.price is None:
            continue
        qty = order.leaves
        if order.reduce_only:
            qty = min(qty, desk.account.reducible(order.symbol, order.side))
        if qty > 0:
            engine.fill(order, order.price, qty, True, changes)
            filled += 1
    engine.publish(changes)
    return filled


# -- control ---------------------------------------------------------------------------------
def add_fault_routes(app: web.Application) -> None:
    """``/__faults``: GET the armed faults and the log, POST to arm, DELETE to clear."""
    app.router.add_get(CONTROL_PATH, _control)
    app.router.add_post(CONTROL_PATH, _control)
    app.router.add_delete(CONTROL_PATH, _control)


def state(injector: FaultInjector) -> dict[str, Any]:
    """What ``GET /__faults`` answers."""
    return {
        "seed": injector.seed,
        "faults": [f.as_dict() for f in injector.faults],
        "log": [
            {"at": e.at, "fault": e.fault_id, "name": e.name, "detail": e.detail}
            for e in injector.log
        ],
    }


async def _control(request: web.Request) -> web.Response:
    if request.remote not in LOOPBACK:
        raise web.HTTPForbidden(reason="fault control is for loopback clients only")
    injector = request.app[FAULTS]
    if request.method == "GET":
        return web.json_response(state(injector))
    if request.method == "DELETE":
        return web.json_response({"cleared": injector.clear(request.query.get("name"))})
    try:
        body = json.loads(await request.read() or b"{}")
    except ValueError:
        return web.json_response({"error": "POST /__faults: body is not JSON"}, status=400)
    items = body.get("faults", [body]) if isinstance(body, dict) else body
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        message = "POST /__faults: expected a fault object, a list of them or {'faults': [...]}"
        return web.json_response({"error": message}, status=400)
    try:
        specs = [FaultSpec.from_mapping(item, "POST /__faults") for item in items]
    except ConfigError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    armed = injector.add_all(specs)
    return web.json_response({"armed": [f.as_dict() for f in armed]})
