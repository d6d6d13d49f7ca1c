"""Random bytes and random JSON at the control socket: each line gets one JSON reply, bad ones
a refusal with a message, only valid commands reach the engine, and the server keeps serving."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_settings import fuzz
from hypothesis import given
from hypothesis import strategies as st

from moonai_tui.control.commands import Request, RequestError, parse_request
from moonai_tui.control.protocol import COMMANDS
from moonai_tui.control.server import ControlServer, start_control_server
from moonai_tui.engine.client import CommandResult, EngineStatus

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.text(max_size=30),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
requests = st.one_of(
    st.fixed_dictionaries(
        {"command": st.one_of(st.sampled_from(COMMANDS), json_values)},
        optional={"arg": json_values, "extra": json_values},
    ),
    json_values,
).map(lambda value: json.dumps(value).encode())
lines = st.one_of(requests, st.binary(max_size=200)).map(lambda raw: raw.replace(b"\n", b" "))


@fuzz(400)
@given(st.one_of(lines, st.binary(max_size=300)))
def test_parse_request_accepts_or_refuses_with_a_message(line: bytes) -> None:
    try:
        request = parse_request(line)
    except RequestError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(request, Request) and request.command in COMMANDS


class CountingEngine:
    """Answers every command and counts the calls that reached it."""

    def __init__(self) -> None:
        self.calls = 0

    def status(self) -> EngineStatus:
        self.calls += 1
        return EngineStatus("sim", "paper", "manual", "BTC/USDT:USDT", "1m", (), "SIM")

    def trading_summary(self) -> str:
        return "kill switch: armed"

    def __getattr__(self, name: str) -> Any:
        async def command(*args: Any) -> CommandResult:
            self.calls += 1
            return CommandResult(True, f"{name} done")

        return command


@pytest.fixture
def served() -> Iterator[tuple[asyncio.Runner, ControlServer, CountingEngine]]:
    folder = Path(tempfile.mkdtemp(prefix="mfz", dir="/tmp"))  # short: AF_UNIX path limit
    engine = CountingEngine()
    with asyncio.Runner() as runner:
        server = runner.run(start_control_server(engine, folder / "c.sock"))
        try:
            yield runner, server, engine
        finally:
            runner.run(server.close())
            shutil.rmtree(folder, ignore_errors=True)


async def exchange(path: Path, batch: list[bytes]) -> list[dict[str, Any]]:
    """Send every line on one connection; one reply line per request line."""
    reader, writer = await asyncio.open_unix_connection(str(path))
    replies = []
    try:
        for line in batch:
            writer.write(line + b"\n")
            await writer.drain()
            raw = await asyncio.wait_for(reader.readline(), 10)  # a bound, not a sync
            assert raw.endswith(b"\n"), (line, raw)
            replies.append(json.loads(raw))
    finally:
        writer.close()
        await writer.wait_closed()
    return replies


def valid(line: bytes) -> bool:
    try:
        parse_request(line)
    except RequestError:
        return False
    return True


@fuzz(60)
@given(st.lists(lines, min_size=1, max_size=8))
def test_server_answers_every_line_and_only_valid_commands_reach_the_engine(
    served: tuple[asyncio.Runner, ControlServer, CountingEngine], batch: list[bytes]
) -> None:
    runner, server, engine = served
    before = engine.calls
    replies = runner.run(exchange(server.path, batch))
    assert len(replies) == len(batch)
    for line, reply in zip(batch, replies, strict=True):
        assert isinstance(reply["ok"], bool) and isinstance(reply["message"], str)
        assert reply["message"]
        assert reply["ok"] is valid(line), (line, reply)
    assert engine.calls - before == sum(map(valid, batch))
    # Still serving a well-formed client afterwards.
    after = runner.run(exchange(server.path, [b'{"command": "status"}']))
    assert after[0]["ok"] is True
