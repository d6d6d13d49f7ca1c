"""An in-process event bus with per-subscriber, latest-wins, bounded queues."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable

from moonai_tui.engine.events import Event

log = logging.getLogger(__name__)

MAX_PENDING = 50_000
"""Events one reader may have waiting. Conflation keeps a live reader at a few
(the soak's deepest queue is 2); only a reader that stopped reading gets here, and
then the engine must not grow without bound for weeks: the oldest are dropped."""


class Subscription:
    """One reader's queue. Conflatable events replace their pending predecessor."""

    def __init__(self, bus: EventBus, max_pending: int | None = MAX_PENDING) -> None:
        self._bus = bus
        self._pending: OrderedDict[Hashable, Event] = OrderedDict()
        self._ready = asyncio.Event()
        self._sequence = itertools.count()
        self._closed = False
        self._max_pending = max_pending
        self.replaced = 0
        self.dropped = 0
        """Events lost because this reader fell ``max_pending`` behind."""

    def put(self, event: Event) -> None:
        key: Hashable = event.conflate_key
        if key is None:
            key = ("seq", next(self._sequence))
        if key in self._pending:
            # Keep the older slot's position so a busy stream cannot starve
            # others; only its value is refreshed.
            self.replaced += 1
        elif self._max_pending is not None and len(self._pending) >= self._max_pending:
            self._pending.popitem(last=False)
            if not self.dropped:
                log.error(
                    "event reader %d events behind: dropping its oldest (a stuck reader?)",
                    self._max_pending,
                )
            self.dropped += 1
        self._pending[key] = event
        self._ready.set()

    def get_nowait(self) -> Event | None:
        if not self._pending:
            return None
        _, event = self._pending.popitem(last=False)
        if not self._pending:
            self._ready.clear()
        return event

    async def get(self) -> Event:
        while True:
            event = self.get_nowait()
            if event is not None:
                return event
            if self._closed:
                raise StopAsyncIteration
            await self._ready.wait()

    def close(self) -> None:
        self._closed = True
        self._ready.set()
        self._bus.unsubscribe(self)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self.get()


class EventBus:
    """Fan-out of engine events to any number of subscribers.

    ``publish`` never blocks and never raises: a publisher (a feed task) must
    not be slowed by a slow reader.
    """

    def __init__(self) -> None:
        self._subscribers: list[Subscription] = []

    def subscribe(self, max_pending: int | None = MAX_PENDING) -> Subscription:
        """A new reader; ``max_pending=None``: never drop (a reader whose every event
        counts, like the trading runtime's closed bars)."""
        subscription = Subscription(self, max_pending)
        self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)

    def publish(self, event: Event) -> None:
        for subscription in self._subscribers:
            subscription.put(event)
