"""Helpers for pilot tests: wait for a condition, read what a widget shows."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.color import Color
from rich.console import Console
from rich.style import Style
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget

MAX_ROUNDS = 500
"""Idle rounds before a wait gives up; each is one ``pilot.pause()``, not a sleep."""


async def until(pilot: Pilot[object], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition()`` holds.

    Raises:
        AssertionError: naming ``what`` if it never holds.
    """
    for _ in range(MAX_ROUNDS):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"timed out waiting for {what}")


async def redrawn(pilot: Pilot[object]) -> None:
    """Wait until no throttled pane (book, tape, chart) has a redraw still scheduled."""

    def settled() -> bool:
        throttles = [getattr(w, "redraw_throttle", None) for w in pilot.app.screen.query("*")]
        return not any(t is not None and t.pending for t in throttles)

    await until(pilot, settled, "throttled redraws")
    await pilot.pause()


def screen_lines(app: App[object]) -> list[str]:
    """The screen as plain text lines, as a terminal would show it.

    Renders the compositor the way ``App.export_screenshot`` does.
    """
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False).splitlines()


def shown(app: App[object], widget: Widget) -> str:
    """The text on screen inside ``widget``'s region (borders included)."""
    region = widget.region
    lines = screen_lines(app)[region.y : region.bottom]
    return "\n".join(line[region.x : region.right] for line in lines)


def style_of(app: App[object], text: str, *, row: int | None = None) -> Style:
    """The style of the first cell of ``text`` on screen (optionally on one row)."""
    for y, line in enumerate(screen_lines(app)):
        if row is not None and y != row:
            continue
        x = line.find(text)
        if x >= 0:
            return app.screen.get_style_at(x, y)
    raise AssertionError(f"{text!r} is not on screen")


def is_red(colour: Color | None) -> bool:
    """Whether ``colour`` is a strong red: Textual's error red qualifies, orange does not."""
    if colour is None:
        return False
    red, green, blue = colour.get_truecolor()
    return red >= 150 and red > 2 * green and red > 1.5 * blue


def is_red_background(style: Style) -> bool:
    """Danger is white on red: a red background."""
    return is_red(style.bgcolor)
