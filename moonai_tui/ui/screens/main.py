"""The console: header, market panes, lower panes, key line.

The screen receives :class:`~moonai_tui.ui.bridge.EngineBridge` messages and
hands the values down to its panes as attributes; panes never talk to the
engine.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Resize
from textual.notifications import SeverityLevel
from textual.screen import Screen

from moonai_tui.config import Settings
from moonai_tui.domain import Bar
from moonai_tui.engine.client import EngineStatus
from moonai_tui.engine.clock import Clock
from moonai_tui.ui import trading_view as view
from moonai_tui.ui.bridge import EngineBridge
from moonai_tui.ui.format import fmt_decimal, fmt_money
from moonai_tui.ui.health import StreamHealth
from moonai_tui.ui.widgets.desk import Desk
from moonai_tui.ui.widgets.footer import Footer
from moonai_tui.ui.widgets.header_bar import HeaderBar
from moonai_tui.ui.widgets.order_book import OrderBookPane
from moonai_tui.ui.widgets.price_pane import PricePane
from moonai_tui.ui.widgets.trades_tape import TradesTape

WIDE_MIN_WIDTH = 110
"""Narrower terminals get the stacked layout with tabs."""
WIDE_MIN_HEIGHT = 34
"""Shorter terminals get the stacked layout with tabs."""
CLOCK_INTERVAL_S = 0.5
"""How often the header clock and data ages are redrawn."""

_NOTICE_SEVERITY: dict[str, SeverityLevel] = {
    "info": "information",
    "warning": "warning",
    "error": "error",
}


class MainScreen(Screen[None]):
    """The trading console.

    Args:
        settings: UI sizes and the stale-data threshold.
        clock: The clock for data ages and the header clock.
        status: The engine status to draw before any event arrives.
    """

    def __init__(self, settings: Settings, clock: Clock, status: EngineStatus) -> None:
        super().__init__()
        self._settings = settings
        self._clock = clock
        self.status = status
        """What the header shows; updated from engine events."""
        self._streams: dict[str, StreamHealth] = {}
        self._gated: dict[str, str] = {}
        """Why entries are blocked, by symbol (stale market data)."""

    def compose(self) -> ComposeResult:
        """Header, market row, lower panes and key line."""
        ui = self._settings.ui
        yield HeaderBar(id="header")
        with Horizontal(id="market"):
            yield PricePane(id="price")
            yield OrderBookPane(id="book")
            yield TradesTape(ui.trades_tape, id="trades")
        yield Desk(id="desk")
        yield Footer()

    def on_mount(self) -> None:
        """Hand the settings down and start the clock."""
        ui = self._settings.ui
        header = self.query_one(HeaderBar)
        header.stale_after_ms = round(self._settings.feeds.stale_after_seconds * 1000)
        self.query_one(PricePane).max_bars = ui.chart_bars
        self.query_one(OrderBookPane).levels = ui.book_levels
        self._show_status()
        self.tick()
        self.set_interval(CLOCK_INTERVAL_S, self.tick)

    def tick(self) -> None:
        """Redraw the clock, the data ages and the approval countdowns from the injected clock."""
        self._show_streams()
        self.query_one(Desk).now_ms = self._clock.now_ms()

    @property
    def narrow(self) -> bool:
        """Whether the stacked layout with tabs is in use."""
        return self.query_one(Desk).narrow

    def on_resize(self, event: Resize) -> None:
        """Pick the layout that fits the terminal."""
        width, height = event.size
        narrow = width < WIDE_MIN_WIDTH or height < WIDE_MIN_HEIGHT
        self.set_class(narrow, "-narrow")
        self.query_one(Desk).narrow = narrow

    def show_tab(self, tab_id: str) -> None:
        """Show one of the lower panes' tabs (narrow layout) and focus its pane."""
        self.query_one(Desk).active_tab = tab_id
        # Panes with rows to choose from take the focus, so the arrow keys work at once.
        for pane in self.query(f"#{tab_id}"):
            if pane.focusable:
                pane.focus()

    def is_visible_pane(self, tab_id: str) -> bool:
        """Whether the pane ``tab_id`` is on screen (always when wide; its tab when narrow)."""
        return not self.narrow or self.query_one(Desk).active_tab == tab_id

    # Engine messages -------------------------------------------------------

    @on(EngineBridge.TickerUpdated)
    def _ticker(self, message: EngineBridge.TickerUpdated) -> None:
        ticker = message.event.ticker
        if ticker.symbol == self.status.symbol:
            self.query_one(PricePane).ticker = ticker
            self._heard("ticker")

    @on(EngineBridge.OrderBookUpdated)
    def _book(self, message: EngineBridge.OrderBookUpdated) -> None:
        book = message.event.book
        if book.symbol == self.status.symbol:
            self.query_one(OrderBookPane).book = book
            self._heard("book")

    @on(EngineBridge.TradesReceived)
    def _trades(self, message: EngineBridge.TradesReceived) -> None:
        if message.event.symbol == self.status.symbol:
            self.query_one(TradesTape).add(message.event.trades)
            self._heard("trades")

    @on(EngineBridge.CandleHistoryLoaded)
    def _history(self, message: EngineBridge.CandleHistoryLoaded) -> None:
        event = message.event
        if self._is_shown(event.symbol, event.timeframe):
            self._set_bars(event.bars)

    @on(EngineBridge.CandleUpdated)
    def _candle(self, message: EngineBridge.CandleUpdated) -> None:
        event = message.event
        if self._is_shown(event.symbol, event.timeframe):
            self._set_bars(merge_bar(self.query_one(PricePane).bars, event.bar))
            self._heard("candles")

    @on(EngineBridge.ConnectionChanged)
    def _connection(self, message: EngineBridge.ConnectionChanged) -> None:
        event = message.event
        if event.symbol == self.status.symbol:
            health = self._streams.get(event.stream, StreamHealth())
            now = self._clock.now_ms()
            self._streams[event.stream] = health.with_state(event.state, event.detail, now)
            self._show_streams()

    @on(EngineBridge.SymbolChanged)
    def _symbol(self, message: EngineBridge.SymbolChanged) -> None:
        self._switch_to(message.event.symbol)

    @on(EngineBridge.EngineStarted)
    def _started(self, message: EngineBridge.EngineStarted) -> None:
        event = message.event
        old_symbol = self.status.symbol
        self.status = replace(
            self.status,
            market=event.market,
            trading=event.trading,
            symbol=event.symbol,
            timeframe=event.timeframe,
            description=event.description,
        )
        self.query_one(HeaderBar).stopped = None
        if event.symbol != old_symbol:
            self._switch_to(event.symbol)
        self._show_status()

    @on(EngineBridge.EngineStopped)
    def _stopped(self, message: EngineBridge.EngineStopped) -> None:
        self.query_one(HeaderBar).stopped = message.event.reason
        self.notify(f"engine stopped: {message.event.reason}", severity="warning")

    @on(EngineBridge.NoticeRaised)
    def _notice(self, message: EngineBridge.NoticeRaised) -> None:
        event = message.event
        severity = _NOTICE_SEVERITY.get(event.level, "information")
        # Errors stay up longer: a person has to read them.
        timeout = 15.0 if event.level == "error" else 6.0
        self.notify(event.message, severity=severity, timeout=timeout)

    # Trading messages ------------------------------------------------------

    @on(EngineBridge.SignalRaised)
    def _signal(self, message: EngineBridge.SignalRaised) -> None:
        desk = self.query_one(Desk)
        desk.signals = view.add_signal(desk.signals, message.event)

    @on(EngineBridge.ApprovalRequested)
    def _approval_requested(self, message: EngineBridge.ApprovalRequested) -> None:
        desk, item = self.query_one(Desk), message.event.item
        desk.now_ms = self._clock.now_ms()
        desk.pending = view.add_pending(desk.pending, item)
        desk.signals = view.link_approval(desk.signals, item)

    @on(EngineBridge.ApprovalResolved)
    def _approval_resolved(self, message: EngineBridge.ApprovalResolved) -> None:
        desk, decided = self.query_one(Desk), message.event.decided
        desk.pending = view.remove_pending(desk.pending, decided.item.id)
        desk.signals = view.resolve_signal(desk.signals, decided)

    @on(EngineBridge.OrderDenied)
    def _denied(self, message: EngineBridge.OrderDenied) -> None:
        event = message.event
        self.query_one(Desk).refusal = event
        self.notify(f"{event.symbol}: {event.reason}", title="order refused", severity="warning")

    @on(EngineBridge.OrderUpdated)
    def _order(self, message: EngineBridge.OrderUpdated) -> None:
        desk = self.query_one(Desk)
        desk.orders = view.update_order(desk.orders, message.event.order)

    @on(EngineBridge.FillRecorded)
    def _fill(self, message: EngineBridge.FillRecorded) -> None:
        fill = message.event.fill
        side = "bought" if fill.side == "buy" else "sold"
        size, price = fmt_decimal(fill.qty, 8), fmt_decimal(fill.price)
        self.notify(f"{side} {size} {fill.symbol} @ {price}", title="fill", timeout=4)

    @on(EngineBridge.PositionChanged)
    def _position(self, message: EngineBridge.PositionChanged) -> None:
        desk = self.query_one(Desk)
        desk.positions = view.update_position(desk.positions, message.event)

    @on(EngineBridge.RiskStatusChanged)
    def _risk(self, message: EngineBridge.RiskStatusChanged) -> None:
        status = message.event.status
        self.query_one(Desk).risk = status
        self.query_one(HeaderBar).equity = fmt_money(status.equity)

    @on(EngineBridge.EntriesGated)
    def _entries_gated(self, message: EngineBridge.EntriesGated) -> None:
        gated = message.event
        self._gated.pop(gated.symbol, None)
        if gated.reason:
            self._gated[gated.symbol] = gated.reason
        self.query_one(Desk).gated = tuple(self._gated.values())

    @on(EngineBridge.KillSwitchChanged)
    def _kill_switch(self, message: EngineBridge.KillSwitchChanged) -> None:
        state = message.event.state
        self.query_one(Desk).kill_switch = state
        if state.latched:
            self.notify(state.reason or "latched", title="KILL SWITCH", severity="error")
        else:
            self.notify(f"released by {state.changed_by}", title="kill switch", timeout=6)

    # ----------------------------------------------------------------------

    def _is_shown(self, symbol: str, timeframe: str) -> bool:
        return symbol == self.status.symbol and timeframe == self.status.timeframe

    def _set_bars(self, bars: tuple[Bar, ...]) -> None:
        self.query_one(PricePane).bars = bars[-self._settings.ui.chart_bars :]

    def _heard(self, stream: str) -> None:
        health = self._streams.get(stream, StreamHealth())
        self._streams[stream] = health.with_data(self._clock.now_ms())
        # Data ages are redrawn by the clock tick; redrawing the header on every
        # book update would cost more than the book itself. A stream's first data
        # shows at once.
        if health.last_data_ms is None:
            self._show_streams()

    def _show_streams(self) -> None:
        header = self.query_one(HeaderBar)
        header.streams = dict(self._streams)
        header.now_ms = self._clock.now_ms()

    def _show_status(self) -> None:
        self.query_one(HeaderBar).status = self.status
        self.query_one(Desk).approval = self.status.approval

    def _switch_to(self, symbol: str) -> None:
        """Clear every pane that belonged to the previous symbol."""
        self.status = replace(self.status, symbol=symbol)
        self.query_one(PricePane).ticker = None
        self.query_one(PricePane).bars = ()
        self.query_one(OrderBookPane).book = None
        self.query_one(TradesTape).clear()
        self._streams.clear()
        # The old symbol's feeds stopped without a last word: its stale-data block
        # would otherwise stay on the Risk pane while the new symbol trades.
        self._gated = {s: why for s, why in self._gated.items() if s == symbol}
        self.query_one(Desk).gated = tuple(self._gated.values())
        self._show_streams()
        self._show_status()


def merge_bar(bars: tuple[Bar, ...], bar: Bar) -> tuple[Bar, ...]:
    """``bars`` with ``bar`` replacing the forming bar or appended after it.

    A bar older than the last one is out of date and ignored.
    """
    if not bars or bar.ts > bars[-1].ts:
        return (*bars, bar)
    if bar.ts == bars[-1].ts:
        return (*bars[:-1], bar)
    return bars
