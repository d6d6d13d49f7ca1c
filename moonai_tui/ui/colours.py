"""Rich styles shared by the panes.

Red is reserved for danger. Danger (a disconnected or stale stream, LIVE
money, later the kill switch and risk breaches) is drawn as white on a red
*background* so it cannot be mistaken for the ordinary red *text* that
markets use for sells, asks and falling prices.
"""

from __future__ import annotations

DANGER = "bold white on red3"
"""A state that needs a person now."""
WARNING = "bold yellow"
"""A state that is probably temporary (connecting, reconnecting)."""
GOOD = "bold green"
"""A healthy state (a fresh stream)."""
MUTED = "dim"
"""Labels and not-yet-known values."""

BUY = "green"
"""Buys, bids and rising prices."""
SELL = "red"
"""Sells, asks and falling prices (text colour only, never a background)."""

PAPER_BADGE = "bold black on dark_orange"
"""PAPER mode: loud, but not the red of danger."""
LIVE_BADGE = "bold white on red3"
"""LIVE mode: real money, so it looks like danger on purpose."""
BRAND = "bold"
