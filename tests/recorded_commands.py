"""The EngineClient's operator commands for fakes: each call goes to ``_answer``.

Shared by the UI and control tests' fake engines, which differ only in how they
answer (a fixed result, or a gate and an error for the control socket).
"""

from __future__ import annotations

from moonai_tui.engine.client import CommandResult


class RecordedCommands:
    """Every trading command becomes ``_answer(name, *args)``."""

    async def _answer(self, *call: object) -> CommandResult:
        raise NotImplementedError

    async def approve(self, item_id: int, actor: str) -> CommandResult:
        return await self._answer("approve", item_id, actor)

    async def reject(self, item_id: int, actor: str) -> CommandResult:
        return await self._answer("reject", item_id, actor)

    async def kill(self, actor: str, reason: str) -> CommandResult:
        return await self._answer("kill", actor, reason)

    async def reset_kill(self, actor: str) -> CommandResult:
        return await self._answer("reset_kill", actor)

    async def cancel_order(self, client_order_id: str, actor: str) -> CommandResult:
        return await self._answer("cancel_order", client_order_id, actor)

    async def flatten(self, symbol: str, actor: str) -> CommandResult:
        return await self._answer("flatten", symbol, actor)

    async def start_strategy(self, name: str, actor: str) -> CommandResult:
        return await self._answer("start_strategy", name, actor)

    async def stop_strategy(self, name: str, actor: str) -> CommandResult:
        return await self._answer("stop_strategy", name, actor)
