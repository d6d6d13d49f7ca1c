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


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The answer to an operator command: ``ok`` and one line for a person."""

    ok: bool
    message: str


class EngineClient(Protocol):
    def subscribe(self) -> Subscription:
        """A new event stream; call before ``start`` to miss nothing."""
        ...

    def status(self) -> EngineStatus: ...

    async def switch_symbol(self, symbol: str) -> None:
        """Show and stream ``symbol`` instead of the current one."""
        ...

    async def approve(self, item_id: int, actor: str) -> CommandResult:
        """Send pending entry ``item_id`` on to the risk gate and the exchange."""
        ...

    async def reject(self, item_id: int, actor: str) -> CommandResult:
        """Drop pending entry ``item_id``."""
        ...

    async def kill(self, actor: str, reason: str) -> CommandResult:
        """Cancel all orders, close all positions at market, halt entries; latched."""
        ...

    async def reset_kill(self, actor: str) -> CommandResult:
        """Release the kill-switch latch (entries may resume)."""
        ...

    async def cancel_order(self, client_order_id: str, actor: str) -> CommandResult: ...

    async def flatten(self, symbol: str, actor: str) -> CommandResult:
        """Close the position in ``symbol`` at market."""
        ...

    async def start_strategy(self, name: str, actor: str) -> CommandResult: ...

    async def stop_strategy(self, name: str, actor: str) -> CommandResult: ...

    def trading_summary(self) -> str:
        """A few lines for ``ctl status``: mode, kill switch, positions, open orders, pending."""
        ...
