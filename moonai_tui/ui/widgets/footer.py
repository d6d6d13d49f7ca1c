"""Textual's Footer without its per-screen-switch leak.

The footer rebuilds its keys whenever the bindings change (every screen push or
pop). Each key data-binds ``compact`` to the footer, which appends a watcher to
the footer's private ``__watchers`` list; Textual drops closed watchers only
when the watched value changes, and ``compact`` never does, so every help or
confirm screen left ~11 dead keys alive for good (bench/soak.py found them).
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """The footer; after each rebuild it forgets the watchers of the keys it removed."""

    async def recompose(self) -> None:
        await super().recompose()
        prune_closed_watchers(self)


def prune_closed_watchers(node: object) -> int:
    """Drop watchers whose widget has closed (as Textual does on a value change); how many."""
    watchers: dict[str, list[tuple[object, object]]] = getattr(node, "__watchers", {})
    dropped = 0
    for entries in watchers.values():
        kept = [entry for entry in entries if not getattr(entry[0], "_closing", False)]
        dropped += len(entries) - len(kept)
        entries[:] = kept
    return dropped
