"""The key line: Textual's Footer fitted to the terminal's width, without its leak.

Fitting: every key in the roomy style when they all fit, else the compact style, else
the compact style without the least needed keys (:data:`~moonai_tui.ui.keys.
KEY_LINE_DROP_ORDER`; help and the palette list every key). Textual's own footer would
let the line run off the edge, hiding whatever comes last.

The leak: the footer rebuilds its keys whenever the bindings change (every screen push
or pop). Each key data-binds ``compact`` to the footer, which appends a watcher to the
footer's private ``__watchers`` list; Textual drops closed watchers only when the watched
value changes, and ``compact`` rarely does, so every help or confirm screen left ~11 dead
keys alive for good (bench/soak.py found them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from moonai_tui.ui.keys import KEY_LINE_DROP_ORDER

PALETTE_CLASS = "-command-palette"
"""Textual's class on the footer's command palette key (docked at the right)."""

# Cells around a key's text, from Textual 8's footer styles (tests/ui check the real line):
# roomy " k label " (padding both sides of the key, one after the label); compact "k label"
# plus a one-cell margin; the palette key has a left border instead of the margin.
_ROOMY_EXTRA = 3
_COMPACT_EXTRA = 2
_PALETTE_EXTRA = 3


@dataclass(frozen=True, slots=True)
class LineKey:
    """One key as the key line shows it."""

    key: str
    """Textual's key name, e.g. ``slash`` (``ctrl+p`` for the palette)."""
    display: str
    label: str
    palette: bool = False

    def width(self, compact: bool) -> int:
        """Cells it takes on the line."""
        extra = _PALETTE_EXTRA if self.palette else _COMPACT_EXTRA if compact else _ROOMY_EXTRA
        return cell_len(self.display) + cell_len(self.label) + extra


@dataclass(frozen=True, slots=True)
class LineFit:
    """How a key line fits: its style and the keys left off."""

    compact: bool
    dropped: frozenset[str]


def fit_key_line(
    keys: Sequence[LineKey], width: int, drop_order: Sequence[str] = KEY_LINE_DROP_ORDER
) -> LineFit:
    """The roomiest style that shows the most needed keys in ``width`` cells.

    When even the keys that are never dropped do not fit, they all stay (the line is cut).
    """
    if sum(key.width(compact=False) for key in keys) <= width:
        return LineFit(compact=False, dropped=frozenset())
    used = sum(key.width(compact=True) for key in keys)
    dropped: set[str] = set()
    shown = {key.key: key for key in keys}
    for name in drop_order:
        if used <= width:
            break
        if name in shown:
            used -= shown[name].width(compact=True)
            dropped.add(name)
    return LineFit(compact=True, dropped=frozenset(dropped))


class Footer(TextualFooter):
    """The key line; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self._fitted_width = 0

    def compose(self) -> ComposeResult:
        """Textual's keys (one widget per shown binding), less those that do not fit."""
        # The palette key is one of the keys to fit, so Textual is always asked for it.
        self.set_reactive(TextualFooter.show_command_palette, True)
        widgets = list(super().compose())
        keys = [widget for widget in widgets if isinstance(widget, FooterKey)]
        width = self.size.width or self.app.size.width
        fit = fit_key_line([_line_key(key) for key in keys], width)
        self._fitted_width = width
        self.compact = fit.compact
        for widget in widgets:
            if not (isinstance(widget, FooterKey) and widget.key in fit.dropped):
                yield widget

    async def on_resize(self, event: Resize) -> None:
        """Fit the line again when the terminal's width changes."""
        if event.size.width != self._fitted_width:
            await self.recompose()

    async def recompose(self) -> None:
        await super().recompose()
        prune_closed_watchers(self)


def _line_key(key: FooterKey) -> LineKey:
    return LineKey(key.key, key.key_display, key.description, key.has_class(PALETTE_CLASS))


def prune_closed_watchers(node: object) -> int:
    """Drop watchers whose widget has closed (as Textual does on a value change); how many."""
    watchers: dict[str, list[tuple[object, object]]] = getattr(node, "__watchers", {})
    dropped = 0
    for entries in watchers.values():
        kept = [entry for entry in entries if not getattr(entry[0], "_closing", False)]
        dropped += len(entries) - len(kept)
        entries[:] = kept
    return dropped
