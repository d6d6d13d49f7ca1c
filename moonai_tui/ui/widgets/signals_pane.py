"""Signals raised by the running strategy."""

from __future__ import annotations

from moonai_tui.ui.widgets.info_pane import InfoPane


class SignalsPane(InfoPane):
    """Signals, newest first, once a strategy runs."""

    BORDER_TITLE = "Signals"
    EMPTY = "no strategy running — signals appear here when a strategy runs"
