"""A candlestick chart of recent bars, drawn with plotext (via textual-plotext)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual_plotext.plot import Plot

from moonai_tui.domain import Bar
from moonai_tui.ui import colours
from moonai_tui.ui.format import utc
from moonai_tui.ui.throttle import RefreshThrottle

MIN_WIDTH = 30
"""Narrower than this, plotext's axes leave no room for candles."""
MIN_HEIGHT = 6
"""Shorter than this, a sparkline of closes replaces the chart."""
AXIS_WIDTH = 10
"""Cells plotext takes for the price axis and the frame."""
LABEL_GAP = 3
"""Cells kept free between two time labels."""
REDRAW_INTERVAL = 0.5
"""Seconds between two chart redraws at most: a plotext build costs ~20 ms, and a
forming candle changes many times a second; the last price is in the summary."""
_SPARKS = "▁▂▃▄▅▆▇█"
_MINUTE = 60_000
_LABEL_STEPS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440, 2880, 10080)


class CandleChart(Widget):
    """Candles with a time axis; a sparkline when the area is tiny.

    The owner sets :attr:`bars`. The chart shows the newest :attr:`max_bars`
    bars, or fewer when the area is narrower: a candle needs a column of its
    own to be read.
    """

    bars: reactive[tuple[Bar, ...]] = reactive(tuple, layout=False, repaint=False)
    """Bars oldest first, the last one possibly still forming."""
    max_bars: reactive[int] = reactive(90, layout=False)
    """``settings.ui.chart_bars``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.redraw_throttle = RefreshThrottle(self, REDRAW_INTERVAL)
        self._cache: tuple[tuple[Bar, ...], int, int, Text] | None = None

    def watch_bars(self) -> None:
        """Redraw, at most once per ``REDRAW_INTERVAL``."""
        self.redraw_throttle.request()

    def render(self) -> Text:
        """Draw the chart, or a fallback that fits the area."""
        width, height = self.size
        bars = self.bars[-max(1, min(self.max_bars, width - AXIS_WIDTH)) :]
        if not bars:
            return Text("waiting for candles…", style=colours.MUTED)
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            return sparkline([bar.close for bar in bars], width)
        if self._cache is not None and self._cache[:3] == (bars, width, height):
            return self._cache[3]
        chart = candles(bars, width, height - 1)
        frame = next((line for line in reversed(chart.plain.splitlines()) if "└" in line), "")
        drawn = Text("\n").join([chart, time_axis(bars, frame, width)])
        self._cache = (bars, width, height, drawn)
        return drawn


def candles(bars: Sequence[Bar], width: int, height: int) -> Text:
    """The candles in a frame with a price axis and no time labels.

    plotext places its own tick labels in an order that depends on Python's
    string hashing, so one chart could be drawn differently by two runs; the
    time labels are drawn by :func:`time_axis` instead.
    """
    # A new figure each time: a reused plotext figure keeps state between builds.
    plot = Plot()
    plot.plotsize(width, height)
    # plotsize alone caps the chart at the size of the terminal plotext sees (80x24
    # under tests); textual-plotext's PlotextPlot sets the size this way too.
    plot._set_size(width, height)
    plot.theme("clear")  # the terminal's own colours, so the pane's background shows
    xs = [float(i) for i in range(len(bars))]
    plot.candlestick(
        xs,  # type: ignore[arg-type]  # plotext accepts numeric x; the stub says str
        {
            "Open": [bar.open for bar in bars],
            "Close": [bar.close for bar in bars],
            "High": [bar.high for bar in bars],
            "Low": [bar.low for bar in bars],
        },
    )
    plot.xticks([], [])
    plot.xlim(-1, len(bars))
    return Text.from_ansi(plot.build().rstrip("\n"), no_wrap=True)


def time_axis(bars: Sequence[Bar], frame_bottom: str, width: int) -> Text:
    """Time labels (UTC) under the candles they name, at round times.

    Args:
        bars: The bars drawn, oldest first.
        frame_bottom: The chart's last line (``└────┘``), to find the plot area.
        width: Cells available.
    """
    left, right = frame_bottom.find("└") + 1, frame_bottom.rfind("┘")
    line = [" "] * width
    if left <= 0 or right <= left or len(bars) < 2:
        return Text("".join(line))
    cells = right - left

    def column(index: int) -> int:
        # The x mapping plotext uses for xlim(-1, n): see plotext's get_matrix_data.
        return left + math.floor(0.5 + (cells - 1) * (index + 1) / (len(bars) + 1))

    spacing = (cells - 1) / (len(bars) + 1)
    bar_ms = max(1, bars[1].ts - bars[0].ts)
    daily = bar_ms >= 1440 * _MINUTE
    label_width = 5
    step_ms = next(
        (
            minutes * _MINUTE
            for minutes in _LABEL_STEPS_MIN
            if minutes * _MINUTE >= bar_ms
            and minutes * _MINUTE / bar_ms * spacing >= label_width + LABEL_GAP
        ),
        _LABEL_STEPS_MIN[-1] * _MINUTE,
    )
    free_from = 0
    for index, bar in enumerate(bars):
        # Label the first bar of each step (bars open on round times on exchanges).
        if index == 0 or bar.ts // step_ms == bars[index - 1].ts // step_ms:
            continue
        label = utc(bar.ts).strftime("%m-%d" if daily else "%H:%M")
        start = column(index) - len(label) // 2
        if start < free_from or start < 0 or start + len(label) > width:
            continue
        line[start : start + len(label)] = label
        free_from = start + len(label) + LABEL_GAP
    return Text("".join(line), style=colours.MUTED)


def sparkline(values: Sequence[float], width: int) -> Text:
    """The last ``width`` values as one line of block characters."""
    shown = list(values[-max(1, width) :])
    low, high = min(shown), max(shown)
    span = high - low
    levels = len(_SPARKS) - 1
    marks = "".join(
        _SPARKS[0 if span == 0 else round((value - low) / span * levels)] for value in shown
    )
    return Text(marks, style=colours.MUTED, no_wrap=True, overflow="crop")
