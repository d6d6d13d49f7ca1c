"""What the control server and the ``ctl`` client share: commands, limits, the socket path.

The wire format is one JSON object per line in each direction::

    -> {"command": "approve", "arg": "7"}
    <- {"ok": true, "message": "approved #7"}

This module uses only the standard library so ``ctl`` starts fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from moonai_tui.errors import MoonAIError

ACTOR: Final = "ctl"
"""The actor recorded in the audit trail for commands that arrive over the socket."""

COMMANDS: Final = (
    "status",
    "kill",
    "reset-kill",
    "approve",
    "reject",
    "cancel",
    "flatten",
    "start",
    "stop",
)

MAX_REQUEST_BYTES: Final = 4096
"""A request line longer than this is refused and its connection closed."""

MAX_RESPONSE_BYTES: Final = 1 << 20
"""The client stops reading a reply beyond this (a status report is a few KiB)."""

REQUEST_TIMEOUT: Final = 5.0
"""Seconds the server waits for a complete request line."""

COMMAND_TIMEOUT: Final = 20.0
"""Seconds the server waits for the engine to answer before telling the client so."""

REPLY_TIMEOUT: Final = COMMAND_TIMEOUT + 5.0
"""Seconds the client waits for a reply; longer than the server's own bound."""

# sockaddr_un.sun_path is 108 bytes on Linux and 104 on the BSDs, including
# the terminating NUL; use the smaller so one rule holds everywhere.
_MAX_SOCKET_PATH_BYTES: Final = 103


class ControlSocketError(MoonAIError):
    """The control socket cannot be created or used (path, permissions, another engine)."""


def default_socket_path() -> Path:
    """Where the engine listens when no path is given: ``.moonai/control.sock``.

    Returns:
        The path relative to the working directory, as shown to the user.
    """
    return Path(".moonai") / "control.sock"


def socket_address(path: Path) -> str:
    """The address to bind or connect for ``path``, within the AF_UNIX length limit.

    A deep working directory can make the absolute path too long for a socket
    address; the path relative to the working directory names the same file
    and is usually short enough.

    Args:
        path: The socket file, absolute or relative to the working directory.

    Returns:
        The absolute path if it fits, otherwise the relative one.

    Raises:
        ControlSocketError: When neither form fits.
    """
    absolute = os.path.abspath(path)
    if len(os.fsencode(absolute)) <= _MAX_SOCKET_PATH_BYTES:
        return absolute
    relative = os.path.relpath(absolute)
    if len(os.fsencode(relative)) <= _MAX_SOCKET_PATH_BYTES:
        return relative
    raise ControlSocketError(
        f"control socket path {path} is too long for a Unix socket "
        f"(at most {_MAX_SOCKET_PATH_BYTES} bytes); choose a shorter path"
    )
