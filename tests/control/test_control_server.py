"""The control socket: commands reach the engine as "ctl", bad input is refused, file guarded."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
from pathlib import Path
from typing import Any

import pytest
from control_fakes import STATUS, SUMMARY, FakeEngine, RawConnection, ask

from moonai_tui.control import server as server_module
from moonai_tui.control.commands import DEFAULT_KILL_REASON
from moonai_tui.control.protocol import MAX_REQUEST_BYTES, ControlSocketError
from moonai_tui.control.server import ControlServer, peer_uid, start_control_server
from moonai_tui.engine.client import CommandResult


def _leave_stale_socket(path: Path) -> None:
    """A socket file whose listener is gone, as a SIGKILLed engine leaves it."""
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()


def _write(path: Path, text: str) -> None:
    path.write_text(text)


def _read(path: Path) -> str:
    return path.read_text()


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


@pytest.mark.parametrize(
    ("fields", "expected_call"),
    [
        ({"command": "kill"}, ("kill", "ctl", DEFAULT_KILL_REASON)),
        ({"command": "kill", "arg": "fat finger"}, ("kill", "ctl", "fat finger")),
        ({"command": "reset-kill"}, ("reset_kill", "ctl")),
        ({"command": "approve", "arg": "7"}, ("approve", 7, "ctl")),
        ({"command": "approve", "arg": 8}, ("approve", 8, "ctl")),
        ({"command": "reject", "arg": "12"}, ("reject", 12, "ctl")),
        ({"command": "cancel", "arg": "mai-1a2b"}, ("cancel_order", "mai-1a2b", "ctl")),
        ({"command": "flatten", "arg": "BTC/USDT:USDT"}, ("flatten", "BTC/USDT:USDT", "ctl")),
        ({"command": "start", "arg": "sma_cross"}, ("start_strategy", "sma_cross", "ctl")),
        ({"command": "stop", "arg": "sma_cross"}, ("stop_strategy", "sma_cross", "ctl")),
    ],
)
async def test_command_reaches_engine_as_ctl(
    server: ControlServer,
    engine: FakeEngine,
    fields: dict[str, Any],
    expected_call: tuple[Any, ...],
) -> None:
    reply = await ask(server.path, **fields)

    assert engine.calls == [expected_call]
    assert reply == {"ok": True, "message": f"done: {expected_call!r}"}


async def test_engine_refusal_comes_back_not_ok(server: ControlServer, engine: FakeEngine) -> None:
    engine.result = CommandResult(False, "no pending item #9")

    reply = await ask(server.path, command="approve", arg="9")

    assert reply == {"ok": False, "message": "no pending item #9"}


async def test_status_reports_mode_and_trading_summary(server: ControlServer) -> None:
    reply = await ask(server.path, command="status")

    assert reply["ok"] is True
    assert STATUS.description in reply["message"]
    assert "trading paper" in reply["message"]
    assert SUMMARY in reply["message"]
    assert reply["status"]["market"] == "sim"
    assert reply["status"]["symbols"] == list(STATUS.symbols)


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        (b"status\n", "malformed request"),
        (b"\xff\xfe\n", "malformed request"),
        (b'["status"]\n', "expected a JSON object"),
        (b'{"command": "launch"}\n', "unknown command 'launch'"),
        (b'{"arg": "7"}\n', "unknown command None"),
        (b'{"command": "status", "sudo": true}\n', "unexpected field(s) sudo"),
        (b'{"command": "status", "arg": "now"}\n', "status takes no argument"),
        (b'{"command": "approve"}\n', "approve needs a pending item id"),
        (b'{"command": "approve", "arg": "abc"}\n', "is not a pending item id"),
        (b'{"command": "reject", "arg": "-3"}\n', "is not a pending item id"),
        (b'{"command": "approve", "arg": true}\n', "arg must be a string"),
        (b'{"command": "approve", "arg": [7]}\n', "arg must be a string"),
        (b'{"command": "flatten", "arg": ""}\n', "flatten needs a symbol"),
        (b'{"command": "start", "arg": "two words"}\n', "is not a strategy name"),
        (b'{"command": "kill", "arg": "a\\u0000b"}\n', "kill reason must be printable"),
    ],
)
async def test_bad_request_refused_and_connection_keeps_serving(
    server: ControlServer, engine: FakeEngine, line: bytes, complaint: str
) -> None:
    conn = await RawConnection.open(server.path)

    refused = await conn.send(line)
    after = await conn.request(command="reset-kill")
    await conn.close()

    assert refused["ok"] is False
    assert complaint in refused["message"]
    assert engine.calls == [("reset_kill", "ctl")]
    assert after["ok"] is True


async def test_oversized_request_refused_then_server_serves_others(
    server: ControlServer, engine: FakeEngine
) -> None:
    conn = await RawConnection.open(server.path)

    reply = await conn.send(b'{"command": "kill", "arg": "' + b"x" * MAX_REQUEST_BYTES + b'"}\n')

    assert reply["ok"] is False
    assert "too large" in reply["message"]
    assert await conn.at_eof()
    await conn.close()
    assert engine.calls == []
    assert (await ask(server.path, command="reset-kill"))["ok"] is True


async def test_silent_client_times_out_then_server_serves_others(
    engine: FakeEngine, sock_path: Path
) -> None:
    running = await start_control_server(engine, sock_path, request_timeout=0.05)
    try:
        conn = await RawConnection.open(sock_path)
        conn.writer.write(b'{"command": "kill"')  # never finished

        reply = await conn.reply()

        assert reply["ok"] is False
        assert "no complete request" in reply["message"]
        assert await conn.at_eof()
        await conn.close()
        assert engine.calls == []
        assert (await ask(sock_path, command="status"))["ok"] is True
    finally:
        await running.close()


async def test_engine_exception_becomes_not_ok_reply(
    server: ControlServer, engine: FakeEngine
) -> None:
    engine.error = RuntimeError("exchange unreachable")

    reply = await ask(server.path, command="flatten", arg="BTC/USDT:USDT")

    assert reply == {"ok": False, "message": "flatten failed in the engine: exchange unreachable"}
    assert (await ask(server.path, command="status"))["ok"] is True


async def test_slow_command_answered_but_not_cancelled(engine: FakeEngine, sock_path: Path) -> None:
    engine.gate = asyncio.Event()
    running = await start_control_server(engine, sock_path, command_timeout=0.05)

    reply = await ask(sock_path, command="kill")
    engine.gate.set()
    await running.close()  # waits for the command still in flight

    assert reply["ok"] is False
    assert "did not answer kill" in reply["message"]
    assert engine.finished == ["kill"]


async def test_socket_file_is_owner_only_whatever_the_umask(
    engine: FakeEngine, sock_path: Path
) -> None:
    previous = os.umask(0)
    try:
        running = await start_control_server(engine, sock_path)
    finally:
        os.umask(previous)
    try:
        st = os.stat(sock_path)
        assert stat.S_ISSOCK(st.st_mode)
        assert stat.S_IMODE(st.st_mode) == 0o600
        assert st.st_uid == os.geteuid()
        assert os.umask(previous) == previous  # the server restored the process umask
    finally:
        await running.close()


@pytest.mark.parametrize("skipped", ["umask", "chmod"])
async def test_each_guard_alone_makes_the_socket_owner_only(
    engine: FakeEngine, sock_path: Path, monkeypatch: pytest.MonkeyPatch, skipped: str
) -> None:
    # umask covers the instant between bind() and chmod(); chmod covers an
    # umask that another thread changed back meanwhile. Either must suffice.
    previous = os.umask(0)
    try:
        monkeypatch.setattr(os, skipped, lambda *args: 0)
        running = await start_control_server(engine, sock_path)
        monkeypatch.undo()
    finally:
        os.umask(previous)
    try:
        assert stat.S_IMODE(os.stat(sock_path).st_mode) == 0o600
    finally:
        await running.close()


async def test_missing_parent_directory_is_created_private(
    engine: FakeEngine, sock_dir: Path
) -> None:
    path = sock_dir / "run" / "c.sock"

    running = await start_control_server(engine, path)
    await running.close()

    assert stat.S_IMODE(os.stat(sock_dir / "run").st_mode) == 0o700


async def test_stale_socket_file_is_replaced(engine: FakeEngine, sock_path: Path) -> None:
    _leave_stale_socket(sock_path)  # binding over it would fail with EADDRINUSE

    running = await start_control_server(engine, sock_path)
    try:
        assert (await ask(sock_path, command="status"))["ok"] is True
    finally:
        await running.close()


async def test_second_server_on_live_socket_is_refused(
    server: ControlServer, sock_path: Path
) -> None:
    with pytest.raises(ControlSocketError, match="already running"):
        await start_control_server(FakeEngine(), sock_path)

    assert (await ask(sock_path, command="status"))["ok"] is True


async def test_non_socket_file_at_path_is_refused_and_kept(
    engine: FakeEngine, sock_path: Path
) -> None:
    _write(sock_path, "notes")

    with pytest.raises(ControlSocketError, match="is not a socket"):
        await start_control_server(engine, sock_path)

    assert _read(sock_path) == "notes"


async def test_socket_removed_on_close_and_close_is_idempotent(
    engine: FakeEngine, sock_path: Path
) -> None:
    running = await start_control_server(engine, sock_path)
    assert _exists(sock_path)

    await running.close()
    await running.close()

    assert not _exists(sock_path)
    with pytest.raises((FileNotFoundError, ConnectionRefusedError)):
        await asyncio.open_unix_connection(str(sock_path))


async def test_close_leaves_a_socket_that_replaced_ours(
    engine: FakeEngine, sock_path: Path
) -> None:
    first = await start_control_server(engine, sock_path)
    os.unlink(sock_path)
    second = await start_control_server(engine, sock_path)

    await first.close()

    assert (await ask(sock_path, command="status"))["ok"] is True
    await second.close()


async def test_peer_of_another_user_is_refused(
    server: ControlServer, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "peer_uid", lambda sock: os.geteuid() + 1)

    reply = await ask(server.path, command="kill")

    assert reply["ok"] is False
    assert "permission denied" in reply["message"]
    assert engine.calls == []


@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="SO_PEERCRED is Linux-only")
def test_peer_uid_reads_the_connecting_user() -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert peer_uid(left) == os.geteuid()
