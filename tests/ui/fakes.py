"""A fake EngineClient on a real EventBus, and builders for market data.

The UI tests publish real engine events on a real bus; only the engine
behind the facade is fake (the engine has its own tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from recorded_commands import RecordedCommands

from moonai_tui.domain import Bar, BookLevel, OrderBook, Side, Ticker, Trade
from moonai_tui.engine.bus import EventBus, Subscription
from moonai_tui.engine.client import CommandResult, EngineStatus
from moonai_tui.engine.events import Event, SymbolChanged

T0_MS = 1_710_165_751_000
"""2024-03-11 14:02:31Z: the fixed clock's start in every UI test."""

SYMBOL = "BTC/USDT:USDT"
SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USDT", "ETH/USDT")


def make_status(**changes: object) -> EngineStatus:
    """A paper, sim, manual-approval status on BTC/USDT:USDT 1m."""
    status = EngineStatus(
        market="sim",
        trading="paper",
        approval="manual",
        symbol=SYMBOL,
        timeframe="1m",
        symbols=SYMBOLS,
        description="replay BTCUSDT 1m",
    )
    return replace(status, **changes)  # type: ignore[arg-type]


@dataclass
class FakeEngineClient(RecordedCommands):
    """Implements the EngineClient protocol over a real bus.

    ``switch_symbol`` records the call and, like the engine, publishes
    ``SymbolChanged`` unless ``publish_on_switch`` is False. Trading commands
    are recorded in ``calls`` and answered with ``result``.
    """

    bus: EventBus = field(default_factory=EventBus)
    engine_status: EngineStatus = field(default_factory=make_status)
    switched: list[str] = field(default_factory=list)
    publish_on_switch: bool = True
    fail_switch: Exception | None = None
    calls: list[tuple[object, ...]] = field(default_factory=list)
    """Every trading command: the method name, then its arguments."""
    result: CommandResult = field(default_factory=lambda: CommandResult(True, "done"))
    """What every trading command answers."""

    def subscribe(self) -> Subscription:
        return self.bus.subscribe()

    def status(self) -> EngineStatus:
        return self.engine_status

    async def switch_symbol(self, symbol: str) -> None:
        self.switched.append(symbol)
        if self.fail_switch is not None:
            raise self.fail_switch
        self.engine_status = replace(self.engine_status, symbol=symbol)
        if self.publish_on_switch:
            self.bus.publish(SymbolChanged(symbol))

    async def _answer(self, *call: object) -> CommandResult:
        self.calls.append(call)
        return self.result

    def trading_summary(self) -> str:
        return "paper · kill switch armed · flat"

    def publish(self, *events: Event) -> None:
        """Publish events as the engine would."""
        for event in events:
            self.bus.publish(event)


def make_ticker(last: float = 71_482.4, symbol: str = SYMBOL, **changes: object) -> Ticker:
    ticker = Ticker(
        symbol=symbol,
        ts=T0_MS,
        last=last,
        bid=last - 0.1,
        ask=last,
        change_24h_pct=1.82,
        high_24h=72_010.0,
        low_24h=69_880.5,
        volume_24h=18_204.0,
    )
    return replace(ticker, **changes)  # type: ignore[arg-type]


def make_book(
    best_bid: float = 71_482.4,
    *,
    symbol: str = SYMBOL,
    levels: int = 12,
    tick: float = 0.1,
    bid_sizes: Sequence[float] | None = None,
    ask_sizes: Sequence[float] | None = None,
) -> OrderBook:
    """A book with ``levels`` levels each side, one ``tick`` apart, best ask a tick above."""
    bid_sizes = bid_sizes or [0.5 + 0.25 * i for i in range(levels)]
    ask_sizes = ask_sizes or [0.3 + 0.2 * i for i in range(levels)]
    bids = tuple(BookLevel(round(best_bid - i * tick, 8), s) for i, s in enumerate(bid_sizes))
    asks = tuple(BookLevel(round(best_bid + (i + 1) * tick, 8), s) for i, s in enumerate(ask_sizes))
    return OrderBook(symbol=symbol, ts=T0_MS, bids=bids, asks=asks)


def make_trades(count: int, *, start: int = 0, price: float = 71_482.4) -> tuple[Trade, ...]:
    """``count`` trades, oldest first, alternating buy and sell, ids ``t<start>``…"""
    sides: tuple[Side, Side] = ("buy", "sell")
    return tuple(
        Trade(
            id=f"t{n}",
            ts=T0_MS + n * 1000,
            price=round(price + (n % 7) * 0.1, 1),
            amount=round(0.001 * (n + 1), 3),
            side=sides[n % 2],
        )
        for n in range(start, start + count)
    )


def make_bars(
    count: int, *, start_ms: int = T0_MS // 60_000 * 60_000 - 90 * 60_000
) -> tuple[Bar, ...]:
    """``count`` one-minute bars with a deterministic zig-zag walk, oldest first."""
    bars = []
    close = 71_000.0
    for n in range(count):
        open_ = close
        close = open_ + ((n * 37) % 23 - 11) * 4.0
        high = max(open_, close) + (n % 5) * 3.0 + 2.0
        low = min(open_, close) - (n % 3) * 3.0 - 2.0
        bars.append(Bar(start_ms + n * 60_000, open_, high, low, close, 10.0 + n % 13))
    return tuple(bars)
