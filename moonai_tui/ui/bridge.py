"""The one place where engine events become Textual messages.

:class:`EngineBridge` reads a bus :class:`~moonai_tui.engine.bus.Subscription`
and posts one message per event to a target (the main screen). Two things keep
the screen on the latest value however fast the engine publishes:

* The bridge posts what the subscription holds, then waits until the target
  has handled it before it reads again. While it waits, the bus keeps only the
  newest ticker, book and forming candle (latest wins), so the UI is never
  more than one batch behind.
* The high-rate messages (ticker, book, forming candle) override
  :meth:`~textual.message.Message.can_replace`, so a newer one queued right
  behind an older one of the same stream replaces it inside Textual's queue.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual.message import Message
from textual.message_pump import MessagePump

from moonai_tui.engine import events, staleness, trading_events
from moonai_tui.engine.bus import Subscription

E = TypeVar("E", bound=events.Event)


@dataclass
class EngineMessage(Message, Generic[E]):
    """An engine event delivered to the UI. ``event`` is the immutable original."""

    event: E


class _LatestWins(EngineMessage[E]):
    """A message that a newer one of the same stream supersedes."""

    def can_replace(self, message: Message) -> bool:
        # Textual asks the message being dispatched whether the next queued one
        # may take its place; only the same event type and stream qualifies.
        key = self.event.conflate_key
        return (
            key is not None
            and type(message) is type(self)
            and isinstance(message, EngineMessage)
            and message.event.conflate_key == key
        )


class EngineBridge:
    """Pumps one subscription into Textual messages for one target.

    Messages are nested here, as Textual nests messages in their sender, so
    handlers read ``@on(EngineBridge.TickerUpdated)``.

    Args:
        subscription: The stream from ``EngineClient.subscribe()``.
        target: The message pump that handles the messages.
    """

    class TickerUpdated(_LatestWins[events.TickerUpdated]):
        """The ticker of a symbol changed."""

    class OrderBookUpdated(_LatestWins[events.OrderBookUpdated]):
        """The order book of a symbol changed."""

    class CandleUpdated(_LatestWins[events.CandleUpdated]):
        """A candle formed further or closed (closed candles are never replaced)."""

    class TradesReceived(EngineMessage[events.TradesReceived]):
        """New public trades for the tape."""

    class CandleHistoryLoaded(EngineMessage[events.CandleHistoryLoaded]):
        """Closed candles for the chart after a start or a symbol switch."""

    class ConnectionChanged(EngineMessage[events.ConnectionChanged]):
        """A market-data stream changed state."""

    class SymbolChanged(EngineMessage[events.SymbolChanged]):
        """The engine now shows and streams another symbol."""

    class EngineStarted(EngineMessage[events.EngineStarted]):
        """The engine started (mode, market and symbol may be new)."""

    class EngineStopped(EngineMessage[events.EngineStopped]):
        """The engine stopped."""

    class NoticeRaised(EngineMessage[events.NoticeRaised]):
        """Something a person should read."""

    # Trading -----------------------------------------------------------------

    class SignalRaised(EngineMessage[trading_events.SignalRaised]):
        """A strategy raised a signal."""

    class ApprovalRequested(EngineMessage[trading_events.ApprovalRequested]):
        """An entry waits for a person."""

    class ApprovalResolved(EngineMessage[trading_events.ApprovalResolved]):
        """A pending entry was approved, rejected or expired."""

    class OrderDenied(EngineMessage[trading_events.OrderDenied]):
        """The risk gate refused an order."""

    class OrderUpdated(EngineMessage[trading_events.OrderUpdated]):
        """One of our orders changed state (every state is shown, none replaced)."""

    class FillRecorded(EngineMessage[trading_events.FillRecorded]):
        """One of our orders executed."""

    class PositionChanged(_LatestWins[trading_events.PositionChanged]):
        """A position after a fill or a mark-price update (latest per symbol wins)."""

    class RiskStatusChanged(_LatestWins[trading_events.RiskStatusChanged]):
        """What the Risk pane shows (latest wins)."""

    class KillSwitchChanged(EngineMessage[trading_events.KillSwitchChanged]):
        """The kill switch was latched or reset."""

    class EntriesGated(EngineMessage[staleness.EntriesGated]):
        """Entries on a symbol were blocked for stale market data, or allowed again."""

    def __init__(self, subscription: Subscription, target: MessagePump) -> None:
        self._subscription = subscription
        self._target = target
        self.posted = 0
        """Messages posted so far (for diagnostics and tests)."""

    async def run(self) -> None:
        """Deliver events until the subscription is closed."""
        async for event in self._subscription:
            self.post(event)
            # Whatever else is queued was conflated by the bus meanwhile.
            while (queued := self._subscription.get_nowait()) is not None:
                self.post(queued)
            await self._caught_up()

    def post(self, event: events.Event) -> bool:
        """Post the message for ``event`` to the target.

        Returns:
            False for an event the UI does not show, or when the target is closing.
        """
        message = to_message(event)
        if message is None:
            return False
        self.posted += 1
        return self._target.post_message(message)

    async def _caught_up(self) -> None:
        # A callback queued behind the messages runs once they are handled.
        handled = asyncio.Event()
        if self._target.call_later(handled.set):
            await handled.wait()


_MESSAGES: dict[type[events.Event], type[EngineMessage[Any]]] = {
    events.TickerUpdated: EngineBridge.TickerUpdated,
    events.OrderBookUpdated: EngineBridge.OrderBookUpdated,
    events.CandleUpdated: EngineBridge.CandleUpdated,
    events.TradesReceived: EngineBridge.TradesReceived,
    events.CandleHistoryLoaded: EngineBridge.CandleHistoryLoaded,
    events.ConnectionChanged: EngineBridge.ConnectionChanged,
    events.SymbolChanged: EngineBridge.SymbolChanged,
    events.EngineStarted: EngineBridge.EngineStarted,
    events.EngineStopped: EngineBridge.EngineStopped,
    events.NoticeRaised: EngineBridge.NoticeRaised,
    trading_events.SignalRaised: EngineBridge.SignalRaised,
    trading_events.ApprovalRequested: EngineBridge.ApprovalRequested,
    trading_events.ApprovalResolved: EngineBridge.ApprovalResolved,
    trading_events.OrderDenied: EngineBridge.OrderDenied,
    trading_events.OrderUpdated: EngineBridge.OrderUpdated,
    trading_events.FillRecorded: EngineBridge.FillRecorded,
    trading_events.PositionChanged: EngineBridge.PositionChanged,
    trading_events.RiskStatusChanged: EngineBridge.RiskStatusChanged,
    trading_events.KillSwitchChanged: EngineBridge.KillSwitchChanged,
    staleness.EntriesGated: EngineBridge.EntriesGated,
}


def to_message(event: events.Event) -> EngineMessage[Any] | None:
    """The Textual message for an engine event, or None if the UI does not show it.

    Events added to the engine later are ignored until the UI learns them.
    """
    message_type = _MESSAGES.get(type(event))
    return None if message_type is None else message_type(event)
