"""Turn one control request line into a call on the engine facade and a reply.

Parsing never raises past :func:`parse_request` callers except as
:class:`RequestError`, whose message goes back to the operator as is.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Final

from moonai_tui.control.protocol import ACTOR, COMMANDS
from moonai_tui.engine.client import CommandResult, EngineClient

_ID = re.compile(r"[0-9]{1,18}")
_NAME = re.compile(r"\S{1,64}")
_MAX_REASON_CHARS: Final = 200
DEFAULT_KILL_REASON: Final = "kill requested via ctl"

_NAME_ARGS: Final = {
    "cancel": "a client order id",
    "flatten": "a symbol",
    "start": "a strategy name",
    "stop": "a strategy name",
}


class RequestError(ValueError):
    """A request the server refuses before it reaches the engine; ``str()`` is for a person."""


@dataclass(frozen=True, slots=True)
class Request:
    """One validated control request.

    Attributes:
        command: One of :data:`~moonai_tui.control.protocol.COMMANDS`.
        arg: The argument as text ("" when the command takes none).
    """

    command: str
    arg: str = ""


def parse_request(line: bytes) -> Request:
    """Decode and validate one request line.

    Args:
        line: The raw line, with or without its trailing newline.

    Returns:
        The request, with its argument checked for the command.

    Raises:
        RequestError: For invalid UTF-8 or JSON, a non-object, unknown fields,
            an unknown command, or a missing or malformed argument.
    """
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RequestError(
            'malformed request: expected one JSON object per line, e.g. {"command": "status"}'
        ) from None
    if not isinstance(data, dict):
        raise RequestError("malformed request: expected a JSON object")
    extra = sorted(set(data) - {"command", "arg"})
    if extra:
        # Field names are the client's text: escaped, so the refusal stays one line.
        names = ", ".join(name if name.isprintable() else repr(name) for name in extra)
        raise RequestError(f"malformed request: unexpected field(s) {names}"[:300])
    command = data.get("command")
    if not isinstance(command, str) or command not in COMMANDS:
        raise RequestError(f"unknown command {command!r}; expected one of {', '.join(COMMANDS)}")
    arg = _arg_text(data.get("arg"))
    _check_arg(command, arg)
    return Request(command, arg)


def _arg_text(raw: object) -> str:
    if raw is None:
        return ""
    # bool is an int subclass; "arg": true is a mistake, not the id 1.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, str):
        return raw.strip()
    raise RequestError("malformed request: arg must be a string")


def _check_arg(command: str, arg: str) -> None:
    if command in ("status", "reset-kill"):
        if arg:
            raise RequestError(f"{command} takes no argument")
    elif command == "kill":
        if len(arg) > _MAX_REASON_CHARS or not arg.isprintable():
            raise RequestError(
                f"kill reason must be printable and at most {_MAX_REASON_CHARS} characters"
            )
    elif command in ("approve", "reject"):
        if not arg:
            raise RequestError(f"{command} needs a pending item id, e.g. {command} 7")
        if not _ID.fullmatch(arg):
            raise RequestError(f"{command}: {arg!r} is not a pending item id (a whole number)")
    else:
        what = _NAME_ARGS[command]
        if not arg:
            raise RequestError(f"{command} needs {what}")
        if not _NAME.fullmatch(arg) or not arg.isprintable():
            raise RequestError(
                f"{command}: {arg!r} is not {what} (no spaces, at most 64 characters)"
            )


async def execute(client: EngineClient, request: Request) -> dict[str, Any]:
    """Carry out ``request`` on ``client`` as the actor ``"ctl"``.

    Args:
        client: The engine facade.
        request: A request from :func:`parse_request`.

    Returns:
        The reply object: ``ok``, ``message`` and, for ``status``, a
        ``status`` object with the engine's mode fields.
    """
    command, arg = request.command, request.arg
    if command == "status":
        return _status_reply(client)
    result: CommandResult
    if command == "kill":
        result = await client.kill(ACTOR, arg or DEFAULT_KILL_REASON)
    elif command == "reset-kill":
        result = await client.reset_kill(ACTOR)
    elif command == "approve":
        result = await client.approve(int(arg), ACTOR)
    elif command == "reject":
        result = await client.reject(int(arg), ACTOR)
    elif command == "cancel":
        result = await client.cancel_order(arg, ACTOR)
    elif command == "flatten":
        result = await client.flatten(arg, ACTOR)
    elif command == "start":
        result = await client.start_strategy(arg, ACTOR)
    else:
        result = await client.stop_strategy(arg, ACTOR)
    return {"ok": bool(result.ok), "message": str(result.message)}


def _status_reply(client: EngineClient) -> dict[str, Any]:
    status = client.status()
    fields = asdict(status)
    lines = [
        status.description,
        f"market {status.market} · trading {status.trading} · approval {status.approval}",
        f"symbol {status.symbol} {status.timeframe} · symbols {', '.join(status.symbols)}",
    ]
    summary = client.trading_summary().rstrip()
    if summary:
        lines.append(summary)
    return {"ok": True, "message": "\n".join(lines), "status": fields}
