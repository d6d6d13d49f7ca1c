"""The two header lines: mode, market, symbol, clock, equity, and stream health."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from moonai_tui.engine.client import EngineStatus
from moonai_tui.ui import colours
from moonai_tui.ui.format import DASH, fmt_age, fmt_clock
from moonai_tui.ui.health import STREAMS, StreamHealth, assess

_WIDE = 100
"""Below this width the clock drops its date."""


class HeaderBar(Widget):
    """Answers "what mode am I in, is my data live, how much money".

    Line 1: brand, PAPER/LIVE badge, market and its description, symbol,
    then the UTC clock and equity on the right. Line 2: one entry per
    market-data stream with a dot and the data age, approval mode and
    timeframe on the right.

    The owner sets the attributes; the widget only draws them.
    """

    status: reactive[EngineStatus | None] = reactive(None, layout=False)
    """Mode, market, symbol and description."""
    streams: reactive[Mapping[str, StreamHealth]] = reactive(dict, layout=False)
    """Health per stream name (see :data:`~moonai_tui.ui.health.STREAMS`)."""
    now_ms: reactive[int] = reactive(0, layout=False)
    """The UI clock; the owner ticks it."""
    stale_after_ms: reactive[int] = reactive(10_000, layout=False)
    """``settings.feeds.stale_after_seconds`` in milliseconds."""
    equity: reactive[str] = reactive(DASH, layout=False)
    """Account equity, formatted; a dash until the trading layer reports it."""
    stopped: reactive[str | None] = reactive(None, layout=False)
    """Why the engine stopped, or None while it runs."""

    def render(self) -> RenderableType:
        """Draw both lines for the current width."""
        clock = self._clock()
        identity = self._identity(with_description=True)
        if identity.cell_len + clock.cell_len > self.size.width:
            # Mode, symbol and danger matter more than the data source's description.
            identity = self._identity(with_description=False)
        return Group(self._line(identity, clock), self._line(*self._health()))

    def _line(self, left: Text, right: Text) -> Table:
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(left, right)
        return grid

    def _identity(self, *, with_description: bool) -> Text:
        text = Text(" MOON AI ", style=colours.BRAND)
        status = self.status
        if status is None:
            return text.append(" starting…", style=colours.MUTED)
        live = status.trading.lower() == "live"
        badge = colours.LIVE_BADGE if live else colours.PAPER_BADGE
        text.append(f" {status.trading.upper()} ", style=badge)
        text.append("  ")
        market = status.market.upper()
        text.append(market, style="bold")
        # "SIM replay of …" already names the market; do not say SIM twice.
        description = status.description
        if description.upper().startswith(market):
            description = description[len(market) :].strip()
        if description and with_description:
            text.append(f" ({description})", style=colours.MUTED)
        text.append(" · ", style=colours.MUTED)
        text.append(status.symbol, style="bold")
        if self.stopped is not None:
            text.append("  ")
            text.append(f" engine stopped: {self.stopped} ", style=colours.DANGER)
        return text

    def _clock(self) -> Text:
        text = Text(fmt_clock(self.now_ms, with_date=self.size.width >= _WIDE))
        text.append("  equity ", style=colours.MUTED)
        text.append(self.equity, style="bold")
        return text.append(" ")

    def _health(self) -> tuple[Text, Text]:
        text = Text(" ")
        for name in STREAMS:
            text.append_text(self._stream(name))
            text.append("  ")
        status = self.status
        right = Text()
        # On a narrow terminal the streams need the whole line.
        if status is not None and self.size.width >= _WIDE:
            right.append("approval ", style=colours.MUTED).append(status.approval)
            right.append(" · ", style=colours.MUTED).append(status.timeframe).append(" ")
        return text, right

    def _stream(self, name: str) -> Text:
        health = self.streams.get(name, StreamHealth())
        seen = assess(health, self.now_ms, self.stale_after_ms)
        text = Text(f"{name} ", style=colours.MUTED)
        if seen.verdict == "fresh":
            return text.append("●", style=colours.GOOD).append(f" {fmt_age(seen.age_ms)}")
        if seen.verdict == "stale":
            return text.append(f"● stale {fmt_age(seen.age_ms)}", style=colours.DANGER)
        if seen.verdict == "down":
            return text.append("● disconnected", style=colours.DANGER)
        if seen.verdict == "pending":
            return text.append(f"◌ {health.state}", style=colours.WARNING)
        return text.append("○ waiting", style=colours.MUTED)
