"""Damaged, foreign or newer databases: a StoreError line, never a traceback or more damage."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from pathlib import Path

import pytest
from fuzz_settings import fuzz
from hypothesis import given
from hypothesis import strategies as st
from integration.processes import CLI, clean_env

from moonai_tui.domain import Bar
from moonai_tui.errors import StoreError
from moonai_tui.store import open_store

T0 = 1_709_251_200_000
SYMBOL = "BTC/USDT:USDT"


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def make_database(path: Path) -> None:
    async with await open_store(url(path)) as store:
        bars = [Bar(T0 + i * 60_000, 10.0, 11.0, 9.0, 10.5, 1.0) for i in range(300)]
        await store.upsert_candles(SYMBOL, "1m", bars)
        await store.journal.set_kill_switch(True, "fuzz", "test", T0)


class Pristine:
    """The good database's bytes; no repr of its own, or a failure report prints them all."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"Pristine({len(self.data)} bytes)"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    path = tmp_path_factory.mktemp("db") / "moonai.db"
    asyncio.run(make_database(path))
    return Pristine(path.read_bytes())


async def open_and_read(path: Path) -> None:
    async with await open_store(url(path)) as store:
        await store.load_candles(SYMBOL, "1m", T0, T0 + 300 * 60_000)
        await store.journal.kill_switch()
        await store.journal.fills("paper")


@fuzz(60)
@given(
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=2**31), st.integers(1, 255)), max_size=6
    ),
    pages=st.lists(st.integers(min_value=0, max_value=2**31), max_size=2),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=2**31)),
)
def test_damaged_database_is_refused_with_one_line_or_works(
    pristine: Pristine,
    tmp_path: Path,
    flips: list[tuple[int, int]],
    pages: list[int],
    cut: int | None,
) -> None:
    data = bytearray(pristine.data)
    for where, mask in flips:
        data[where % len(data)] ^= mask
    for page in pages:  # a whole 4 KiB page overwritten, as a torn write leaves it
        start = page % (len(data) // 4096) * 4096
        data[start : start + 4096] = bytes([page % 256]) * 4096
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path / "moonai.db"
    for leftover in tmp_path.glob("moonai.db*"):
        leftover.unlink()
    path.write_bytes(bytes(data))
    try:
        asyncio.run(open_and_read(path))
    except StoreError as exc:
        message = str(exc)
        assert "\n" not in message and str(path) in message, message
        if "migrate" not in message:  # refused on opening: not a byte written
            assert path.read_bytes() == bytes(data)


@pytest.mark.parametrize(
    ("damage", "complaint"),
    [
        ("garbage", "not a database"),
        ("newer", "comes from a newer Moon AI"),
        ("truncated", "not a database"),
    ],
)
def test_engine_refuses_a_bad_database_with_one_line_and_leaves_it_as_it_was(
    pristine: Pristine, tmp_path: Path, damage: str, complaint: str
) -> None:
    path = tmp_path / "moonai.db"
    if damage == "garbage":
        path.write_bytes(b"\x00not sqlite\xff" * 500)
    elif damage == "truncated":
        path.write_bytes(pristine.data[:100] + b"\xff" * 4000)
    else:
        path.write_bytes(pristine.data)
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
        connection.close()
    before = path.read_bytes()
    result = subprocess.run(
        [*CLI, "--no-ui", "--duration", "5"],
        cwd=tmp_path,
        env=clean_env(MOONAI_DATABASE_URL=url(path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("moonai-tui: error: "), result.stderr
    assert complaint in lines[0] and str(path) in lines[0]
    assert path.read_bytes() == before
    assert not (tmp_path / ".moonai" / "control.sock").exists()


def test_a_text_value_that_is_not_utf8_is_a_store_error(pristine: Pristine, tmp_path: Path) -> None:
    # What one flipped bit inside a stored string looks like to the driver.
    path = tmp_path / "moonai.db"
    path.write_bytes(pristine.data)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE kill_switch SET reason = CAST(x'66757a7aff' AS TEXT)")
    connection.close()
    with pytest.raises(StoreError) as info:
        asyncio.run(open_and_read(path))
    assert (
        str(info.value) == f"{path}: not a database (the file is corrupt: text that is not UTF-8)"
    )
