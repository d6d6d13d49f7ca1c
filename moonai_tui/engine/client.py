"""The facade through which a UI or the headless runner commands the engine.

The UI never touches engine internals: it reads events from ``subscribe()``
and calls these typed async methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from moonai_tui.engine.bus import Subscription


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """What mode the engine is in; enough to draw the header before any event arrives."""

    market: str
    trading: str
    approval: str
    symbol: str
    timeframe: str
    symbols: tuple[str, ...]
    description: str
    """One line about the data source, e.g. 'SIM replay BTCUSDT 1m (demo)'."""


class EngineClient(Protocol):
    def subscribe(self) -> Subscription:
        """A new event stream; call before ``start`` to miss nothing."""
        ...

    def status(self) -> EngineStatus: ...

    async def switch_symbol(self, symbol: str) -> None:
        """Show and stream ``symbol`` instead of the current one."""
        ...
