"""The order-book ladder: asks above, spread and imbalance, bids below."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from moonai_tui.domain import BookLevel, OrderBook
from moonai_tui.ui import colours
from moonai_tui.ui.format import fmt_price, fmt_signed, fmt_size, price_decimals
from moonai_tui.ui.throttle import RefreshThrottle

_PRICE_WIDTH = 11
_SIZE_WIDTH = 9
_MIN_BAR = 4
"""A depth bar narrower than this says nothing; leave it out."""
REDRAW_INTERVAL = 0.08
"""At most ~12 redraws a second however fast the book moves (see ui/throttle.py)."""


class OrderBookPane(Widget):
    """Top levels of the book with sizes and depth bars.

    Shows :attr:`levels` per side when the pane is tall enough, fewer when
    it is not (best prices are kept). Spread and imbalance always use
    :attr:`levels`, so they do not change with the window size.
    """

    BORDER_TITLE = "Order book"

    book: reactive[OrderBook | None] = reactive(None, layout=False, repaint=False)
    """The latest book of the shown symbol, None until one arrives."""
    levels: reactive[int] = reactive(8, layout=False)
    """``settings.ui.book_levels``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.redraw_throttle = RefreshThrottle(self, REDRAW_INTERVAL)

    def watch_book(self) -> None:
        """Redraw, at most once per ``REDRAW_INTERVAL``."""
        self.redraw_throttle.request()

    def render(self) -> Text:
        """Draw the ladder to fit the pane."""
        book = self.book
        if book is None:
            return Text(" waiting for the order book…", style=colours.MUTED)
        # One line for the column heads and one for the spread.
        rows_per_side = max(1, min(self.levels, (self.size.height - 2) // 2))
        asks = book.asks[:rows_per_side]
        bids = book.bids[:rows_per_side]
        reference = book.best_bid or book.best_ask
        decimals = price_decimals(reference)
        largest = max((level.size for level in (*asks, *bids)), default=0.0)
        # A space before the bar and one cell to spare at the border.
        bar_width = self.size.width - _PRICE_WIDTH - _SIZE_WIDTH - 2
        lines = [Text(f"{'price':>{_PRICE_WIDTH}}{'size':>{_SIZE_WIDTH}}", style=colours.MUTED)]
        # Asks read downwards towards the best ask, which sits on the spread.
        for level in reversed(asks):
            lines.append(_row(level, decimals, largest, bar_width, colours.SELL))
        lines.append(spread_line(book, self.levels, decimals, self.size.width))
        for level in bids:
            lines.append(_row(level, decimals, largest, bar_width, colours.BUY))
        return Text("\n", no_wrap=True, overflow="crop").join(lines)


def _row(level: BookLevel, decimals: int, largest: float, bar_width: int, style: str) -> Text:
    text = Text(f"{fmt_price(level.price, decimals):>{_PRICE_WIDTH}}", style=style)
    text.append(f"{fmt_size(level.size):>{_SIZE_WIDTH}}")
    if bar_width >= _MIN_BAR and largest > 0:
        filled = max(1, round(level.size / largest * bar_width))
        text.append(" " + "▆" * filled, style=f"{style} dim")
    return text


def spread_line(book: OrderBook, levels: int, decimals: int, width: int = 80) -> Text:
    """``spread 0.1 (0.14bp) · imb +0.23``, shortened to fit ``width``.

    Args:
        book: The order book.
        levels: Levels per side that the imbalance sums.
        decimals: Price decimals of the ladder.
        width: Cells available.
    """
    spread = book.spread
    spread_text = "—" if spread is None else fmt_price(spread, decimals)
    basis = ""
    if spread is not None and book.best_bid is not None and book.best_ask is not None:
        basis = f" ({spread / ((book.best_bid + book.best_ask) / 2) * 10_000:.2f}bp)"
    imbalance = fmt_signed(book.imbalance(levels))
    for spread_label, shown_basis, imb_label in (
        (" spread ", basis, " · imb "),
        (" spread ", "", " · imb "),
        ("spr ", "", " imb "),
    ):
        text = Text(spread_label, style=colours.MUTED).append(spread_text, style="bold")
        text.append(shown_basis, style=colours.MUTED).append(imb_label, style=colours.MUTED)
        text.append(imbalance, style="bold")
        if text.cell_len <= width:
            break
    return text
