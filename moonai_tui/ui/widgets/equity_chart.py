"""A backtest's equity curve over its drawdown, drawn with plotext (via textual-plotext)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual_plotext.plot import Plot

from moonai_tui.ui import colours
from moonai_tui.ui.format import utc

MIN_WIDTH = 30
MIN_HEIGHT = 10
"""Smaller than this, one line of text replaces the charts."""
DRAWDOWN_SHARE = 0.35
"""Share of the height given to the drawdown chart."""


def drawdown(equity: Sequence[float], start: float) -> list[float]:
    """Per point, the fall from the running peak in percent (<= 0): ``100 x (e / peak - 1)``
    with ``peak = max(start, e[0..i])``."""
    peak = start
    out = []
    for value in equity:
        peak = max(peak, value)
        out.append(100.0 * (value / peak - 1.0) if peak > 0 else 0.0)
    return out


class EquityChart(Widget):
    """Equity (top) and drawdown (bottom) of one run; set :meth:`show`."""

    curve: reactive[tuple[tuple[int, ...], tuple[float, ...], float]] = reactive(
        lambda: ((), (), 0.0)
    )

    def show(self, times_ms: Sequence[int], equity: Sequence[float], start: float) -> None:
        """Draw ``equity`` (at bar times ``times_ms``) that started at ``start``."""
        self.curve = (tuple(times_ms), tuple(equity), start)

    def render(self) -> Text:
        times, equity, start = self.curve
        width, height = self.size
        if not equity:
            return Text("no run shown yet: run one, or pick one in Runs", style=colours.MUTED)
        span = f"{utc(times[0]):%Y-%m-%d %H:%M} → {utc(times[-1]):%Y-%m-%d %H:%M} UTC"
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            return Text(f"equity {equity[-1]:,.2f} · {span}", no_wrap=True)
        low = max(4, round(height * DRAWDOWN_SHARE))
        top = _line_chart(equity, width, height - low - 1, "equity", "cyan")
        bottom = _line_chart(drawdown(equity, start), width, low, "drawdown %", "red")
        return Text("\n").join([top, bottom, Text(span, style=colours.MUTED)])


def _line_chart(values: Sequence[float], width: int, height: int, title: str, colour: str) -> Text:
    # A new figure each time: a reused plotext figure keeps state between builds.
    plot = Plot()
    plot.plotsize(width, height)
    plot._set_size(width, height)
    plot.theme("clear")
    xs = [float(i) for i in range(len(values))]
    plot.plot(xs, list(values), color=colour, marker="braille")
    # plotext orders its own x labels by string hashing (see candle_chart); dates are below.
    plot.xticks([], [])
    plot.title(title)
    return Text.from_ansi(plot.build().rstrip("\n"), no_wrap=True)
