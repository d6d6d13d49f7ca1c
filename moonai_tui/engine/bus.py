"""An in-process event bus with per-subscriber, latest-wins queues."""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable

from moonai_tui.engine.events import Event


class Subscription:
    """One reader's queue. Conflatable events replace their pending predecessor."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._pending: OrderedDict[Hashable, Event] = OrderedDict()
        self._ready = asyncio.Event()
        self._sequence = itertools.count()
        self._closed = False
        self.replaced = 0

    def put(self, event: Event) -> None:
        key: Hashable = event.conflate_key
        if key is None:
            key = ("seq", next(self._sequence))
        elif key in self._pending:
            # Keep the older slot's position so a busy stream cannot starve
            # others; only its value is refreshed.
            self.replaced += 1
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

    def subscribe(self) -> Subscription:
        subscription = Subscription(self)
        self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)

    def publish(self, event: Event) -> None:
        for subscription in self._subscribers:
            subscription.put(event)
