"""Last price, 24h change, high/low/volume and the candle chart."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from moonai_tui.domain import Bar, Ticker
from moonai_tui.ui import colours
from moonai_tui.ui.format import DASH, base_currency, fmt_pct, fmt_price, fmt_size, price_decimals
from moonai_tui.ui.widgets.candle_chart import CandleChart


class PricePane(Vertical):
    """The Price pane. The owner sets :attr:`ticker` and :attr:`bars`."""

    BORDER_TITLE = "Price"

    # repaint=False: the pane is a container; only its summary line redraws.
    ticker: reactive[Ticker | None] = reactive(None, layout=False, repaint=False)
    """The latest ticker of the shown symbol, None until one arrives."""
    bars: reactive[tuple[Bar, ...]] = reactive(tuple, layout=False, repaint=False)
    """Candles for the chart, oldest first."""
    max_bars: reactive[int] = reactive(90, layout=False)
    """``settings.ui.chart_bars``."""

    def compose(self) -> ComposeResult:
        """A summary above the chart."""
        yield Static(summary(None), id="price-summary")
        yield CandleChart(id="price-chart").data_bind(PricePane.bars, PricePane.max_bars)

    def watch_ticker(self) -> None:
        """Redraw the summary."""
        self._show_summary()

    def on_resize(self) -> None:
        """The summary drops details that no longer fit."""
        self._show_summary()

    def _show_summary(self) -> None:
        text = summary(self.ticker, self.content_size.width or 80)
        # layout=False: the summary's height is fixed, and a relayout of the whole
        # screen on every ticker would cost more than everything else together.
        self.query_one("#price-summary", Static).update(text, layout=False)


def summary(ticker: Ticker | None, width: int = 80) -> Text:
    """Two lines: last price, 24h change, bid/ask; then 24h high, low and volume.

    Args:
        ticker: The latest ticker, or None before the first one.
        width: Cells available; details that do not fit are left out.
    """
    if ticker is None:
        return Text("waiting for the first ticker…", style=colours.MUTED)
    decimals = price_decimals(ticker.last)
    text = Text(fmt_price(ticker.last, decimals), style="bold")
    change = ticker.change_24h_pct
    if change is not None:
        up = change >= 0
        arrow = "▲" if up else "▼"
        text.append(f"  {arrow} {fmt_pct(change)}", style=colours.BUY if up else colours.SELL)
        text.append(" 24h", style=colours.MUTED)
    if ticker.bid is not None and ticker.ask is not None:
        quote = Text("   bid ", style=colours.MUTED).append(fmt_price(ticker.bid, decimals))
        quote.append("  ask ", style=colours.MUTED).append(fmt_price(ticker.ask, decimals))
        if text.cell_len + quote.cell_len <= width:
            text.append_text(quote)
    volume = DASH if ticker.volume_24h is None else fmt_size(ticker.volume_24h)
    for gap, unit in (("  ", f" {base_currency(ticker.symbol)}"), ("  ", ""), (" ", "")):
        day = Text()
        for label, value in (("H", ticker.high_24h), ("L", ticker.low_24h)):
            day.append(f"{label} ", style=colours.MUTED).append(fmt_price(value, decimals) + gap)
        day.append("vol ", style=colours.MUTED).append(volume + unit)
        if day.cell_len <= width:
            break
    return Text("\n").join([text, day])
