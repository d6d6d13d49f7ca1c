from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from control_fakes import FakeEngine

from moonai_tui.control.server import ControlServer, start_control_server


@pytest.fixture
def sock_dir() -> Iterator[Path]:
    # pytest's tmp_path can exceed the ~104-byte AF_UNIX address limit.
    path = Path(tempfile.mkdtemp(prefix="mctl", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def sock_path(sock_dir: Path) -> Path:
    return sock_dir / "control.sock"


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
async def server(engine: FakeEngine, sock_path: Path) -> AsyncIterator[ControlServer]:
    running = await start_control_server(engine, sock_path)
    yield running
    await running.close()
