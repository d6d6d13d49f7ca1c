"""The public websocket endpoints ``/v5/public/spot`` and ``/v5/public/linear``.

Control messages and replies follow bybit-v5-subset.md §6.2: subscribe and
unsubscribe are acknowledged with the client's ``req_id`` echoed as a string
(ccxt matches unsubscribe acks by it), extra keys such as ``callerMethodName``
are ignored, and ``ping`` gets ByBit's public-style pong.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from moonai_tui.sim.streams import PublicHub, Subscriber, dumps
from moonai_tui.sim.ws_session import serve_session


def _reply(op: str, conn_id: str, message: dict[str, Any], success: bool, ret_msg: str) -> str:
    reply: dict[str, Any] = {"success": success, "ret_msg": ret_msg, "conn_id": conn_id}
    if "req_id" in message:
        reply["req_id"] = str(message["req_id"])
    reply["op"] = op
    return dumps(reply)


def _handle(hub: PublicHub, sub: Subscriber, raw: str) -> None:
    try:
        message = json.loads(raw)
    except ValueError:
        sub.push(dumps({"success": False, "ret_msg": "Invalid JSON", "conn_id": sub.conn_id}))
        return
    if not isinstance(message, dict):
        sub.push(dumps({"success": False, "ret_msg": "Invalid request", "conn_id": sub.conn_id}))
        return
    op = message.get("op")
    args = message.get("args") or []
    if not isinstance(args, list):
        args = []
    if op == "ping":
        sub.push(_reply("ping", sub.conn_id, message, True, "pong"))
    elif op == "subscribe":
        bad = hub.invalid(args)
        if bad or not args:
            reason = f"error:handler not found,topic:{bad[0]}" if bad else "error:args empty"
            sub.push(_reply("subscribe", sub.conn_id, message, False, reason))
            return
        sub.push(_reply("subscribe", sub.conn_id, message, True, ""))
        hub.subscribe(sub, args)
    elif op == "unsubscribe":
        hub.unsubscribe(sub, [a for a in args if isinstance(a, str)])
        sub.push(_reply("unsubscribe", sub.conn_id, message, True, ""))
    else:
        sub.push(_reply(str(op), sub.conn_id, message, False, f"error:unknown op {op}"))


def make_handler(hub: PublicHub, connections: set[web.WebSocketResponse]) -> Any:
    """The aiohttp handler serving one public category through ``hub``."""

    async def handler(request: web.Request) -> web.WebSocketResponse:
        return await serve_session(
            request, connections, lambda sub, raw: _handle(hub, sub, raw), hub.drop
        )

    return handler
