"""The engine side of the control channel: a Unix-domain socket only its owner can open.

Start it next to the engine (TUI or ``--no-ui``) with :func:`start_control_server`
and close it on shutdown; ``moonai-tui ctl`` then reaches the engine through
the same :class:`~moonai_tui.engine.client.EngineClient` facade the UI uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import stat
import struct
from pathlib import Path
from typing import Any

from moonai_tui.control.commands import Request, RequestError, execute, parse_request
from moonai_tui.control.protocol import (
    COMMAND_TIMEOUT,
    MAX_REQUEST_BYTES,
    REQUEST_TIMEOUT,
    ControlSocketError,
    socket_address,
)
from moonai_tui.engine.client import EngineClient
from moonai_tui.redact import redact

log = logging.getLogger(__name__)

_PROBE_TIMEOUT = 1.0


def peer_uid(sock: Any) -> int | None:
    """The user id of the process at the other end of a Unix socket, if the OS says.

    Args:
        sock: A connected ``AF_UNIX`` socket (or asyncio's ``TransportSocket``).

    Returns:
        The peer's uid via ``SO_PEERCRED`` (Linux), or None where that is
        unavailable; the socket's 0600 mode is then the only guard.
    """
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None or sock is None:
        return None
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", raw)
    return int(uid)


class ControlServer:
    """A running control socket; :meth:`close` stops it and removes the file."""

    def __init__(
        self,
        client: EngineClient,
        path: Path,
        *,
        request_timeout: float,
        command_timeout: float,
    ) -> None:
        self._client = client
        self.path = path
        """The socket file, as given (relative paths are to the working directory)."""
        self._absolute = Path(os.path.abspath(path))
        self._request_timeout = request_timeout
        self._command_timeout = command_timeout
        self._server: asyncio.Server | None = None
        self._inode: tuple[int, int] | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._commands: set[asyncio.Task[dict[str, Any]]] = set()
        self._closed = False

    async def _start(self) -> None:
        await _clear_stale_socket(self.path)
        address = socket_address(self.path)
        self._absolute.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            # umask makes the file 0600 from its first instant (no window in
            # which another user could connect); it is process-wide, so it is
            # held only around bind(). chmod then pins it regardless of umask.
            previous = os.umask(0o177)
            try:
                listener.bind(address)
            finally:
                os.umask(previous)
            st = os.lstat(self._absolute)
            self._inode = (st.st_dev, st.st_ino)
            os.chmod(self._absolute, 0o600)
            _check_socket_file(self._absolute)
            listener.setblocking(False)
            self._server = await asyncio.start_unix_server(
                self._on_connection, sock=listener, limit=MAX_REQUEST_BYTES
            )
        except OSError as exc:
            listener.close()
            self._unlink_own()
            raise ControlSocketError(f"cannot open control socket {self.path}: {exc}") from exc
        except BaseException:
            listener.close()
            self._unlink_own()
            raise
        log.info("control socket listening at %s", self.path)

    async def close(self) -> None:
        """Stop accepting, end open connections, let running commands finish, remove the file.

        Safe to call more than once.
        """
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._commands:
            # A kill half-way through must not be cut short by shutdown.
            await asyncio.wait(list(self._commands), timeout=self._command_timeout)
        if self._server is not None:
            await self._server.wait_closed()
        self._unlink_own()
        log.info("control socket at %s closed", self.path)

    def _unlink_own(self) -> None:
        # Remove the file only if it is still ours: another engine may have
        # replaced a socket it found unresponsive.
        if self._inode is None:
            return
        try:
            st = os.lstat(self._absolute)
        except OSError:
            return
        if (st.st_dev, st.st_ino) == self._inode:
            with contextlib.suppress(OSError):
                os.unlink(self._absolute)

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except Exception:
            log.exception("control connection failed")
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        uid = peer_uid(writer.get_extra_info("socket"))
        if uid is not None and uid != os.geteuid():
            log.warning("control connection from uid %s refused", uid)
            await _reply(writer, False, "permission denied: the engine belongs to another user")
            return
        while True:
            try:
                line = await asyncio.wait_for(reader.readline(), self._request_timeout)
            except TimeoutError:
                await _reply(
                    writer, False, f"no complete request within {self._request_timeout:g} s"
                )
                return
            except ValueError:  # longer than the stream limit
                await _reply(writer, False, f"request too large (limit {MAX_REQUEST_BYTES} bytes)")
                return
            if not line:
                return
            if not line.endswith(b"\n"):
                return  # cut off by EOF: the client is gone
            if len(line) > MAX_REQUEST_BYTES:
                await _reply(writer, False, f"request too large (limit {MAX_REQUEST_BYTES} bytes)")
                return
            await _send(writer, await self._answer(line))

    async def _answer(self, line: bytes) -> dict[str, Any]:
        try:
            request = parse_request(line)
        except RequestError as exc:
            return {"ok": False, "message": str(exc)}
        log.info("ctl %s %s", request.command, request.arg)
        return await self._run(request)

    async def _run(self, request: Request) -> dict[str, Any]:
        # The engine call runs as its own task and is shielded: a slow kill
        # keeps going even when this reply gives up waiting or the client leaves.
        task = asyncio.ensure_future(execute(self._client, request))
        self._commands.add(task)
        task.add_done_callback(self._commands.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self._command_timeout)
        except TimeoutError:
            return {
                "ok": False,
                "message": f"the engine did not answer {request.command} within "
                f"{self._command_timeout:g} s; it may still complete (check ctl status)",
            }
        except Exception as exc:
            log.exception("ctl %s failed", request.command)
            return {"ok": False, "message": f"{request.command} failed in the engine: {exc}"}


async def start_control_server(
    client: EngineClient,
    path: Path,
    *,
    request_timeout: float = REQUEST_TIMEOUT,
    command_timeout: float = COMMAND_TIMEOUT,
) -> ControlServer:
    """Serve control requests for ``client`` on a Unix socket at ``path``.

    The socket file is created with mode 0600 (checked), a stale file left by
    a dead engine is replaced, and peers of another user are refused.

    Args:
        client: The engine facade the commands go to (actor ``"ctl"``).
        path: Where the socket lives; normally
            :func:`~moonai_tui.control.protocol.default_socket_path`.
        request_timeout: Seconds to wait for a complete request line.
        command_timeout: Seconds to wait for the engine before replying that
            it has not answered yet (the command itself is not cancelled).

    Returns:
        The running server; ``await server.close()`` on shutdown.

    Raises:
        ControlSocketError: If another engine already listens at ``path``,
            ``path`` is something other than a socket, or the socket cannot be
            created with owner-only permissions.
    """
    server = ControlServer(
        client, path, request_timeout=request_timeout, command_timeout=command_timeout
    )
    await server._start()
    return server


async def _clear_stale_socket(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise ControlSocketError(
            f"{path} exists and is not a socket; move it away so the control socket can be created"
        )
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_unix_connection(socket_address(path)), _PROBE_TIMEOUT
        )
    except (ConnectionRefusedError, FileNotFoundError):
        log.info("replacing stale control socket at %s", path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    except (TimeoutError, OSError) as exc:
        raise ControlSocketError(
            f"cannot tell whether another engine uses the control socket {path} ({exc}); "
            "stop it or remove the file"
        ) from exc
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    raise ControlSocketError(
        f"another Moon AI engine is already running here (control socket {path} answers); "
        "stop it first or use `moonai-tui ctl` to control it"
    )


def _check_socket_file(path: Path) -> None:
    st = os.lstat(path)
    mode = stat.S_IMODE(st.st_mode)
    if not stat.S_ISSOCK(st.st_mode) or mode != 0o600 or st.st_uid != os.geteuid():
        raise ControlSocketError(
            f"control socket {path} has mode {mode:o} owner {st.st_uid}; "
            "expected a socket with mode 600 owned by this user"
        )


async def _reply(writer: asyncio.StreamWriter, ok: bool, message: str) -> None:
    await _send(writer, {"ok": ok, "message": message})


async def _send(writer: asyncio.StreamWriter, reply: dict[str, Any]) -> None:
    # Every reply (status, refusals, engine errors) may quote exchange text that echoes a key.
    text = redact(json.dumps(reply, ensure_ascii=False))
    writer.write(text.encode("utf-8") + b"\n")
    await writer.drain()
