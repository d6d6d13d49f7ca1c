"""The private websocket ``/v5/private``: auth and the account topics (bybit-v5-subset.md §6.6).

A connection must authenticate (§3.2) before it may subscribe to ``order``,
``execution``, ``position`` or ``wallet``. The hub listens to the matching
engine and pushes one message per topic for every operation that changed
something, in ByBit's envelope ``{"id","topic","creationTime","data"}``. A
failed auth answers ``retCode`` 10003 with the request echoed, the shape ccxt
turns into AuthenticationError (ByBit's own "Params Error" shape would become a
plain ExchangeError). The hub also owns the loop that sweeps the replayed price
path every ``SWEEP_PERIOD_S`` so resting orders fill without any request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import web

from moonai_tui.sim import private_payloads as pp
from moonai_tui.sim.auth import Credentials
from moonai_tui.sim.matching import Changes
from moonai_tui.sim.streams import Subscriber, dumps
from moonai_tui.sim.trading import TradingDesk
from moonai_tui.sim.ws_session import serve_session

log = logging.getLogger(__name__)

TOPICS = ("order", "execution", "position", "wallet")
SWEEP_PERIOD_S = 0.1
"""Wall seconds between sweeps of the price path by the background loop."""

PositionRows = Callable[[str, bool], list[dict[str, Any]]]


class PrivateHub:
    """Private subscriptions and the pushes of account changes."""

    def __init__(self, desk: TradingDesk, position_rows: PositionRows) -> None:
        self.desk = desk
        self._rows = position_rows
        self.subscribers: dict[str, set[Subscriber]] = {t: set() for t in TOPICS}
        self._subscribed: dict[str, asyncio.Event] = {}
        desk.engine.listeners.append(self.on_changes)

    # -- subscriptions ----------------------------------------------------------------------
    def subscribe(self, sub: Subscriber, topics: list[str]) -> None:
        """Add ``sub`` to already validated topics."""
        for topic in topics:
            self.subscribers[topic].add(sub)
            sub.topics.add(topic)
            self._event(topic).set()

    def drop(self, sub: Subscriber) -> None:
        """Forget a closed connection or unsubscribed topics."""
        for subs in self.subscribers.values():
            subs.discard(sub)

    def _event(self, topic: str) -> asyncio.Event:
        return self._subscribed.setdefault(topic, asyncio.Event())

    async def subscribed(self, topic: str) -> None:
        """Wait until some connection subscribes to ``topic`` (tests synchronise on it)."""
        await self._event(topic).wait()

    # -- pushes -----------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        """Push what an engine operation changed to the topics' subscribers."""
        if self.subscribers["order"] and changes.orders:
            data = [pp.order_item(o, with_category=True) for o in changes.orders.values()]
            self._push("order", data)
        if self.subscribers["execution"] and changes.executions:
            data = [pp.execution_item(e, with_category=True) for e in changes.executions]
            self._push("execution", data)
        if self.subscribers["position"] and changes.positions:
            data = [row for s in sorted(changes.positions) for row in self._rows(s, True)]
            self._push("position", data)
        if self.subscribers["wallet"] and changes.wallet:
            self._push("wallet", [pp.wallet_item(self.desk.wallet(), for_ws=True)])

    def _push(self, topic: str, data: list[dict[str, Any]]) -> None:
        message = {
            "id": str(uuid.uuid4()),
            "topic": topic,
            "creationTime": self.desk.quotes.now_ms(),
            "data": data,
        }
        text = dumps(message)
        for sub in list(self.subscribers[topic]):
            sub.push(text)

    # -- the sweeping loop ------------------------------------------------------------------
    def start(self) -> asyncio.Task[None]:
        """Start sweeping the price path in the background."""
        return asyncio.create_task(self._run(), name="sim-private-sweep")

    async def stop(self, task: asyncio.Task[None]) -> None:
        """Stop the loop started by ``start``."""
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        while True:
            try:
                self.desk.engine.sweep()
            except Exception:  # a bug in one sweep must not stop fills for the session
                log.exception("simulator sweep failed")
            await asyncio.sleep(SWEEP_PERIOD_S)


def _reply(op: str, conn_id: str, message: dict[str, Any], ret_msg: str = "") -> str:
    reply: dict[str, Any] = {"success": True, "ret_msg": ret_msg, "conn_id": conn_id}
    if "req_id" in message:
        reply["req_id"] = str(message["req_id"])
    reply["op"] = op
    return dumps(reply)


def _handle(
    hub: PrivateHub, credentials: Credentials, sub: Subscriber, state: dict[str, bool], raw: str
) -> None:
    try:
        message = json.loads(raw)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        sub.push(dumps({"success": False, "ret_msg": "Invalid request", "conn_id": sub.conn_id}))
        return
    op = message.get("op")
    args = message.get("args") or []
    args = args if isinstance(args, list) else []
    if op == "ping":
        sub.push(
            dumps(
                {
                    "req_id": str(message.get("req_id", "")),
                    "op": "pong",
                    "args": [str(hub.desk.quotes.now_ms())],
                    "conn_id": sub.conn_id,
                }
            )
        )
    elif op == "auth":
        reason = credentials.check_ws(args)
        if reason is None:
            state["authed"] = True
            sub.push(_reply("auth", sub.conn_id, message))
        else:
            sub.push(
                dumps(
                    {
                        "success": False,
                        "retCode": 10003,
                        "retMsg": reason,
                        "ret_msg": reason,
                        "op": "auth",
                        "conn_id": sub.conn_id,
                        "request": {"op": "auth", "args": args},
                    }
                )
            )
    elif op == "subscribe":
        bad = [a for a in args if a not in TOPICS]
        if not state.get("authed") or bad or not args:
            reason = "Request not authorized" if not state.get("authed") else "error:topic"
            fail = {"success": False, "ret_msg": reason, "conn_id": sub.conn_id, "op": op}
            if "req_id" in message:
                fail["req_id"] = str(message["req_id"])
            sub.push(dumps(fail))
            return
        sub.push(_reply("subscribe", sub.conn_id, message))
        hub.subscribe(sub, args)
    elif op == "unsubscribe":
        for topic in args:
            if topic in hub.subscribers:
                hub.subscribers[topic].discard(sub)
        sub.push(_reply("unsubscribe", sub.conn_id, message))
    else:
        sub.push(dumps({"success": False, "ret_msg": f"error:unknown op {op}", "op": str(op)}))


def make_private_handler(
    hub: PrivateHub, credentials: Credentials, connections: set[web.WebSocketResponse]
) -> Any:
    """The aiohttp handler of ``/v5/private``."""

    async def handler(request: web.Request) -> web.WebSocketResponse:
        # Per connection: whether this socket has authenticated.
        state: dict[str, bool] = {}
        return await serve_session(
            request,
            connections,
            lambda sub, raw: _handle(hub, credentials, sub, state, raw),
            hub.drop,
        )

    return handler
