"""``moonai-tui ctl``: one request per run, exit codes 0/1/2/3, the no-engine line."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import pytest
from control_fakes import STATUS, FakeEngine

from moonai_tui.control.client import run_ctl
from moonai_tui.control.server import ControlServer
from moonai_tui.engine.client import CommandResult


async def ctl(argv: list[str], path: Path | None) -> int:
    # run_ctl blocks; the server needs this loop free to answer it.
    return await asyncio.to_thread(run_ctl, argv, path)


async def test_status_prints_report_and_exits_0(
    server: ControlServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await ctl(["status"], server.path)

    out = capsys.readouterr().out
    assert code == 0
    assert STATUS.description in out
    assert "pending: 1" in out


async def test_approve_sends_integer_id_and_exits_0(
    server: ControlServer, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await ctl(["approve", "7"], server.path)

    assert code == 0
    assert engine.calls == [("approve", 7, "ctl")]
    assert capsys.readouterr().out == "done: ('approve', 7, 'ctl')\n"


async def test_kill_needs_no_confirmation_and_passes_reason(
    server: ControlServer, engine: FakeEngine
) -> None:
    code = await ctl(["kill", "feed", "looks", "wrong"], server.path)

    assert code == 0
    assert engine.calls == [("kill", "ctl", "feed looks wrong")]


async def test_socket_option_overrides_given_path(
    server: ControlServer, engine: FakeEngine, sock_dir: Path
) -> None:
    code = await ctl(["--socket", str(server.path), "stop", "sma_cross"], sock_dir / "nope.sock")

    assert code == 0
    assert engine.calls == [("stop_strategy", "sma_cross", "ctl")]


async def test_engine_refusal_exits_1_with_message_on_stderr(
    server: ControlServer, engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    engine.result = CommandResult(False, "no pending item #9")

    code = await ctl(["reject", "9"], server.path)

    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == "no pending item #9\n"
    assert captured.out == ""


@pytest.mark.parametrize(
    "argv",
    [[], ["approve"], ["approve", "x"], ["reject", "-1"], ["launch"], ["status", "now"]],
)
async def test_bad_usage_exits_2_without_sending(
    server: ControlServer,
    engine: FakeEngine,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = await ctl(argv, server.path)

    assert code == 2
    assert "usage: moonai-tui ctl" in capsys.readouterr().err
    assert engine.calls == []


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_ctl(["--help"]) == 0
    assert "reset-kill" in capsys.readouterr().out


def test_no_socket_prints_one_line_and_exits_3(
    sock_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sock_dir / "control.sock"

    code = run_ctl(["kill"], path)

    captured = capsys.readouterr()
    assert code == 3
    assert captured.out == ""
    assert captured.err == (
        f"no Moon AI engine is running (no control socket at {path}); "
        "start moonai-tui or moonai-tui --no-ui first\n"
    )


def test_default_socket_is_in_working_directory(
    sock_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(sock_dir)

    code = run_ctl(["status"])

    assert code == 3
    assert "(no control socket at .moonai/control.sock)" in capsys.readouterr().err


def test_stale_socket_exits_3(sock_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sock_dir / "control.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()

    code = run_ctl(["status"], path)

    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith(f"no Moon AI engine is running (nothing listens on {path})")
    assert err.count("\n") == 1


_SUBPROCESS = """
import sys
from pathlib import Path
from moonai_tui.control.client import run_ctl
code = run_ctl(sys.argv[2:], Path(sys.argv[1]))
heavy = sorted(m for m in ("moonai_tui.engine", "textual", "ccxt", "asyncio") if m in sys.modules)
print("heavy imports:", heavy)
sys.exit(code)
"""


async def test_client_works_out_of_process_with_stdlib_only(
    server: ControlServer, engine: FakeEngine
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _SUBPROCESS,
        str(server.path),
        "flatten",
        "BTC/USDT:USDT",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 0, err.decode()
    assert out.decode().splitlines() == [
        "done: ('flatten', 'BTC/USDT:USDT', 'ctl')",
        "heavy imports: []",
    ]
    assert engine.calls == [("flatten", "BTC/USDT:USDT", "ctl")]
