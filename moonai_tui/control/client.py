"""``moonai-tui ctl``: send one command to a running engine and print its answer.

Standard library only, so the emergency ``ctl kill`` starts in milliseconds.

Exit codes: 0 the engine did it, 1 the engine refused or failed, 2 bad usage,
3 no engine is running.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path
from typing import Any, Final

from moonai_tui.control.protocol import (
    MAX_RESPONSE_BYTES,
    REPLY_TIMEOUT,
    ControlSocketError,
    default_socket_path,
    socket_address,
)

EXIT_OK: Final = 0
EXIT_REFUSED: Final = 1
EXIT_USAGE: Final = 2
EXIT_NO_ENGINE: Final = 3


class _NoEngine(Exception):
    """Nothing listens at the control socket; ``str()`` is the one line to print."""


def _item_id(text: str) -> str:
    if not text.isdigit() or not text.isascii():
        raise argparse.ArgumentTypeError(
            f"expected a pending item id (a whole number), got {text!r}"
        )
    return str(int(text))


def build_ctl_parser() -> argparse.ArgumentParser:
    """The ``moonai-tui ctl`` argument parser (also usable for ``--help`` in the main CLI).

    Returns:
        A parser whose namespace has ``action``, ``arg`` and ``socket``.
    """
    parser = argparse.ArgumentParser(
        prog="moonai-tui ctl",
        description="Command a running Moon AI engine (the TUI or moonai-tui --no-ui) "
        "over its control socket. Exit codes: 0 done, 1 refused, 2 bad usage, 3 no engine.",
    )
    parser.add_argument(
        "--socket",
        type=Path,
        metavar="PATH",
        help=f"control socket (default: {default_socket_path()} in the working directory)",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("status", help="mode, kill switch, positions, open orders, pending")
    kill = actions.add_parser(
        "kill", help="EMERGENCY: cancel all orders, flatten all positions, halt (no prompt)"
    )
    kill.add_argument("arg", nargs="*", metavar="REASON", help="optional reason for the audit log")
    actions.add_parser("reset-kill", help="release the kill-switch latch")
    for name, metavar, kind, text in (
        ("approve", "ID", _item_id, "send pending entry ID on"),
        ("reject", "ID", _item_id, "drop pending entry ID"),
        ("cancel", "ID", str, "cancel the order with client order id ID"),
        ("flatten", "SYMBOL", str, "close the position in SYMBOL at market"),
        ("start", "STRATEGY", str, "start a strategy"),
        ("stop", "STRATEGY", str, "stop a strategy"),
    ):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("arg", metavar=metavar, type=kind)
    return parser


def run_ctl(argv: list[str], socket_path: Path | None = None) -> int:
    """Run ``moonai-tui ctl ARGV``: one request, one printed answer.

    Args:
        argv: The words after ``ctl``, e.g. ``["approve", "7"]``.
        socket_path: The engine's control socket; ``--socket`` in ``argv``
            overrides it, and :func:`default_socket_path` is used when neither is given.

    Returns:
        0 when the engine did it, 1 when it refused (or failed to answer),
        2 for bad usage, 3 when no engine is running.
    """
    try:
        args = build_ctl_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    path: Path = args.socket or socket_path or default_socket_path()
    arg = getattr(args, "arg", None)
    if isinstance(arg, list):
        arg = " ".join(arg)
    request: dict[str, Any] = {"command": args.action}
    if arg:
        request["arg"] = arg
    try:
        reply = _exchange(path, request)
    except _NoEngine as exc:
        _print(str(exc), error=True)
        return EXIT_NO_ENGINE
    except ControlSocketError as exc:
        _print(f"moonai-tui ctl: {exc}", error=True)
        return EXIT_USAGE
    except OSError as exc:
        _print(f"moonai-tui ctl: cannot talk to the engine at {path}: {_reason(exc)}", error=True)
        return EXIT_REFUSED
    ok = reply.get("ok") is True
    message = reply.get("message")
    text = message if isinstance(message, str) else "the engine sent a reply without a message"
    _print(text, error=not ok)
    return EXIT_OK if ok else EXIT_REFUSED


def _exchange(path: Path, request: dict[str, Any]) -> dict[str, Any]:
    address = socket_address(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(REPLY_TIMEOUT)
        try:
            sock.connect(address)
        except FileNotFoundError:
            raise _NoEngine(_no_engine_line(f"no control socket at {path}")) from None
        except ConnectionRefusedError:
            raise _NoEngine(_no_engine_line(f"nothing listens on {path}")) from None
        sock.sendall(json.dumps(request).encode("utf-8") + b"\n")
        data = _read_line(sock)
    try:
        reply = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise OSError("the engine sent an unreadable reply") from None
    if not isinstance(reply, dict):
        raise OSError("the engine sent an unreadable reply")
    return reply


def _read_line(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("the engine closed the connection without answering")
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            return b"".join(chunks).split(b"\n", 1)[0]
        if size > MAX_RESPONSE_BYTES:
            raise OSError(f"the engine's reply exceeds {MAX_RESPONSE_BYTES} bytes")


def _no_engine_line(why: str) -> str:
    return f"no Moon AI engine is running ({why}); start moonai-tui or moonai-tui --no-ui first"


def _reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {REPLY_TIMEOUT:g} s"
    if isinstance(exc, PermissionError):
        return "permission denied (the socket belongs to another user)"
    return exc.strerror or str(exc)


def _print(text: str, *, error: bool) -> None:
    print(text, file=sys.stderr if error else sys.stdout, flush=True)


if __name__ == "__main__":
    sys.exit(run_ctl(sys.argv[1:]))
