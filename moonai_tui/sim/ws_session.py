"""One websocket connection's life, shared by the public and private endpoints.

A subscriber queue feeds a writer task (``fault_hooks.pump``, where message faults
act); incoming text goes to the endpoint's handler; a client too slow to drain its
queue is closed (1008) rather than letting memory grow; on any exit the subscriber
is dropped from its hub. During an injected private outage the handshake is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from typing import Literal

from aiohttp import WSMsgType, web

from moonai_tui.sim.fault_hooks import FAULTS, pump
from moonai_tui.sim.streams import Subscriber


async def serve_session(
    request: web.Request,
    connections: set[web.WebSocketResponse],
    handle: Callable[[Subscriber, str], None],
    drop: Callable[[Subscriber], None],
) -> web.WebSocketResponse:
    """Run one connection until it closes; ``handle`` gets each text message."""
    faults = request.app[FAULTS]
    scope: Literal["public", "private"] = (
        "private" if request.path.startswith("/v5/private") else "public"
    )
    if faults.refuses_websocket(scope):
        raise web.HTTPServiceUnavailable(reason="private stream unavailable")
    ws = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
    await ws.prepare(request)
    connections.add(ws)
    loop = asyncio.get_running_loop()
    closing: set[asyncio.Task[bool]] = set()

    def overflow() -> None:
        task = loop.create_task(ws.close(code=1008, message=b"client too slow"))
        closing.add(task)  # keep a reference until it is done
        task.add_done_callback(closing.discard)

    sub = Subscriber(conn_id=str(uuid.uuid4()), on_overflow=overflow)
    transport = request.transport

    def abort() -> None:
        if transport is not None:
            transport.abort()

    def silence() -> None:
        sub.closed = True

    session = faults.attach(scope, ws, abort, silence)
    writing = loop.create_task(pump(faults, session, sub.queue, ws.send_str))
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                handle(sub, msg.data)
            elif msg.type == WSMsgType.ERROR:
                break
    finally:
        sub.closed = True
        faults.sessions.discard(session)
        drop(sub)
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
            await writing
        connections.discard(ws)
    return ws
