"""A small in-memory EngineClient that records every call, for the control tests."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from recorded_commands import RecordedCommands

from moonai_tui.engine.bus import Subscription
from moonai_tui.engine.client import CommandResult, EngineStatus

STATUS = EngineStatus(
    market="sim",
    trading="paper",
    approval="manual",
    symbol="BTC/USDT:USDT",
    timeframe="1m",
    symbols=("BTC/USDT:USDT", "ETH/USDT:USDT"),
    description="SIM replay BTCUSDT 1m (demo)",
)
SUMMARY = "kill switch: off\npositions: none\nopen orders: 0\npending: 1"


class FakeEngine(RecordedCommands):
    """Records ``(method, *args)`` per command; answers ``result`` or raises ``error``.

    ``gate``, when set, makes every command wait for it before answering, so a
    test can hold a command in flight without sleeping.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.finished: list[str] = []
        self.result: CommandResult | None = None
        self.error: Exception | None = None
        self.gate: asyncio.Event | None = None

    def subscribe(self) -> Subscription:
        raise NotImplementedError

    def status(self) -> EngineStatus:
        self.calls.append(("status",))
        return STATUS

    def trading_summary(self) -> str:
        return SUMMARY

    async def switch_symbol(self, symbol: str) -> None:
        raise NotImplementedError

    async def _answer(self, *call: Any) -> CommandResult:
        self.calls.append(call)
        if self.gate is not None:
            await self.gate.wait()
        self.finished.append(call[0])
        if self.error is not None:
            raise self.error
        return self.result or CommandResult(True, f"done: {call!r}")


class RawConnection:
    """One client connection that speaks raw bytes, to send what ``ctl`` never would."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, path: Path) -> RawConnection:
        reader, writer = await asyncio.open_unix_connection(str(path))
        return cls(reader, writer)

    async def send(self, data: bytes) -> dict[str, Any]:
        """Write ``data`` and return the next reply line, decoded."""
        self.writer.write(data)
        await self.writer.drain()
        return await self.reply()

    async def reply(self) -> dict[str, Any]:
        line = await self.reader.readline()
        assert line.endswith(b"\n"), f"expected a reply line, got {line!r}"
        reply: dict[str, Any] = json.loads(line)
        return reply

    async def request(self, **fields: Any) -> dict[str, Any]:
        return await self.send(json.dumps(fields).encode() + b"\n")

    async def at_eof(self) -> bool:
        return await self.reader.read() == b""

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def ask(path: Path, **fields: Any) -> dict[str, Any]:
    """One request on a fresh connection."""
    conn = await RawConnection.open(path)
    try:
        return await conn.request(**fields)
    finally:
        await conn.close()
