"""Broken candle and trade files: one DataError line each, and the store keeps what it had.

A valid candle file is mangled by a random chain of the ways real files break
(truncated or corrupt gzip, wrong header, NaN/inf/garbage cells, duplicated,
swapped or reversed rows, random bytes), then imported over a store that
already holds candles. Either the import succeeds with sane bars, or it raises
DataError naming the file, and every stored row is exactly as before.
"""

from __future__ import annotations

import asyncio
import gzip
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_settings import fuzz
from hypothesis import given
from hypothesis import strategies as st

from moonai_tui.domain import Bar
from moonai_tui.errors import DataError
from moonai_tui.market.importer import import_candles
from moonai_tui.sim.capture_data import read_trades_capture
from moonai_tui.store import Store, open_store

SYMBOL = "BTC/USDT:USDT"
MINUTE = 60_000
T0 = 1_709_251_200_000  # 2024-03-01 00:00 UTC
HEADER = ["timestamp_ms", "open", "high", "low", "close", "volume"]
JUNK_CELLS = ["nan", "NaN", "inf", "-inf", "", "abc", "-1", "0", "1e400", "1,5", '"', "\x00"]


def bars(count: int, start: int) -> list[list[str]]:
    rows = []
    for i in range(count):
        close = 60_000.0 + 10 * math.sin(i)
        rows.append(
            [
                str(start + i * MINUTE),
                f"{close - 1}",
                f"{close + 5}",
                f"{close - 5}",
                f"{close}",
                "2",
            ]
        )
    return rows


def render(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode()


# One mutation = (kind, a, b, junk): a and b pick rows, columns or a time shift.
mutation = st.tuples(
    st.sampled_from(
        [
            "cell",
            "cell",
            "duplicate",
            "swap",
            "reverse",
            "drop_column",
            "rename",
            "reorder",
            "shift",
        ]
    ),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(JUNK_CELLS),
)
byte_damage = st.sampled_from(["none", "none", "truncate", "flip", "random"])


def mangle(mutations: list[tuple[str, int, int, str]]) -> tuple[list[str], list[list[str]]]:
    header, rows = list(HEADER), bars(30, T0 + 20 * MINUTE)  # overlaps the stored 0..39
    for kind, a, b, junk in mutations:
        r, c = a % len(rows), b % len(header)
        if kind == "cell":
            rows[r][c] = junk
        elif kind == "shift" and "timestamp_ms" in header:
            # Move the rows from r on by b ms: off the minute grid unless b is whole minutes.
            t = header.index("timestamp_ms")
            for row in rows[r:]:
                row[t] = str(int(row[t]) + b) if row[t].lstrip("-").isdigit() else row[t]
        elif kind == "duplicate":
            rows.insert(r, list(rows[r]))
        elif kind == "swap":
            rows[r], rows[b % len(rows)] = rows[b % len(rows)], rows[r]
        elif kind == "reverse":
            rows.reverse()
        elif kind == "drop_column":
            del header[c]
            rows = [row[:c] + row[c + 1 :] for row in rows]
        elif kind == "rename":
            header[c] = header[c].upper()
        else:  # reorder: same columns, another order (a valid file by name)
            header.insert(0, header.pop(c))
            rows = [[row.pop(c), *row] for row in rows]
    return header, rows


def damage(data: bytes, kind: str, where: int, noise: bytes) -> bytes:
    if kind == "truncate":
        return data[: where % max(1, len(data))]
    if kind == "flip":
        i = where % len(data)
        return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :]
    if kind == "random":
        return noise
    return data


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[tuple[asyncio.Runner, Store]]:
    """A store holding 40 good candles, on an event loop the sync fuzz test drives."""
    with asyncio.Runner() as runner:
        store = runner.run(open_store(f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}"))
        good = tmp_path / "good.csv"
        good.write_bytes(render(HEADER, bars(40, T0)))
        runner.run(import_candles(store, good, SYMBOL, "1m"))
        try:
            yield runner, store
        finally:
            runner.run(store.close())


def sane(bar: Bar) -> bool:
    values = (bar.open, bar.high, bar.low, bar.close, bar.volume)
    return all(math.isfinite(v) for v in values) and bar.low > 0 and bar.volume >= 0


@fuzz(120)
@given(
    mutations=st.lists(mutation, max_size=3),
    gz=st.booleans(),
    kind=byte_damage,
    where=st.integers(min_value=0, max_value=100_000),
    noise=st.binary(max_size=64),
)
def test_mangled_candle_file_is_refused_or_sane_and_nothing_stored_is_lost(
    stored: tuple[asyncio.Runner, Store],
    tmp_path: Path,
    mutations: list[tuple[str, int, int, str]],
    gz: bool,
    kind: str,
    where: int,
    noise: bytes,
) -> None:
    runner, store = stored
    header, rows = mangle(mutations)
    data = render(header, rows)
    path = tmp_path / ("fuzz.csv.gz" if gz else "fuzz.csv")
    path.write_bytes(damage(gzip.compress(data, mtime=0) if gz else data, kind, where, noise))
    before = runner.run(store.load_candles(SYMBOL, "1m", T0, T0 + 100 * MINUTE))
    try:
        report = runner.run(import_candles(store, path, SYMBOL, "1m"))
    except DataError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message, repr(message)
        after = runner.run(store.load_candles(SYMBOL, "1m", T0, T0 + 100 * MINUTE))
        assert after == before  # a refused file changes nothing
        return
    after = runner.run(store.load_candles(SYMBOL, "1m", T0, T0 + 100 * MINUTE))
    assert {b.ts for b in before} <= {b.ts for b in after}
    assert report.rows > 0 and all(sane(b) for b in after)


@pytest.mark.parametrize(
    ("make", "complaint"),
    [
        (lambda d: gzip.compress(d)[:-12], "not a readable gzip file"),
        (lambda d: d.replace(b"volume", b"vol"), "missing column(s) volume"),
        (lambda d: d.replace(b",2\n", b",nan\n", 1), "column volume is not a finite number"),
        (lambda d: d.replace(b",2\n", b",inf\n", 1), "column volume is not a finite number"),
        (lambda d: d + d.splitlines(keepends=True)[-1], "duplicated timestamp"),
        (lambda d: d.replace(str(T0 + 21 * MINUTE).encode(), str(T0).encode()), "decreasing"),
    ],
)
def test_each_kind_of_broken_candle_file_is_named(
    stored: tuple[asyncio.Runner, Store], tmp_path: Path, make: Any, complaint: str
) -> None:
    runner, store = stored
    path = tmp_path / "bad.csv.gz"
    data = make(render(HEADER, bars(30, T0 + 20 * MINUTE)))
    path.write_bytes(data if data[:2] == b"\x1f\x8b" else gzip.compress(data))
    count = runner.run(store.candle_count(SYMBOL, "1m"))
    with pytest.raises(DataError) as info:
        runner.run(import_candles(store, path, SYMBOL, "1m"))
    assert complaint in str(info.value) and str(path) in str(info.value)
    assert runner.run(store.candle_count(SYMBOL, "1m")) == count == 40


TRADE_HEADER = ["trade_time_ms", "trade_id", "price", "qty", "side", "is_buyer_maker"]


def trade_rows(count: int) -> list[list[str]]:
    return [
        [
            str(T0 + 100 * i),
            str(i),
            f"{60_000 + i / 10:.1f}",
            "0.005",
            "buy" if i % 2 else "sell",
            "0",
        ]
        for i in range(count)
    ]


@fuzz(120)
@given(
    cells=st.lists(
        st.tuples(st.integers(0, 19), st.integers(0, 5), st.sampled_from(JUNK_CELLS)), max_size=3
    ),
    shuffle=st.booleans(),
    gz=st.booleans(),
    kind=byte_damage,
    where=st.integers(min_value=0, max_value=100_000),
    noise=st.binary(max_size=64),
)
def test_mangled_trades_capture_is_refused_or_sane(
    tmp_path: Path,
    cells: list[tuple[int, int, str]],
    shuffle: bool,
    gz: bool,
    kind: str,
    where: int,
    noise: bytes,
) -> None:
    rows = trade_rows(20)
    for r, c, junk in cells:
        rows[r][c] = junk
    if shuffle:
        rows.reverse()
    data = render(TRADE_HEADER, rows)
    path = tmp_path / ("trades.csv.gz" if gz else "trades.csv")
    path.write_bytes(damage(gzip.compress(data, mtime=0) if gz else data, kind, where, noise))
    try:
        capture = read_trades_capture(path)
    except DataError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        return
    assert len(capture.ts) > 0
    assert (capture.ts[1:] >= capture.ts[:-1]).all()


@pytest.mark.parametrize(
    ("column", "junk"), [(2, "nan"), (2, "-1"), (3, "inf"), (0, ""), (0, "1718000000000.5")]
)
def test_non_finite_or_negative_trade_values_are_refused(
    tmp_path: Path, column: int, junk: str
) -> None:
    rows = trade_rows(5)
    rows[2][column] = junk
    path = tmp_path / "trades.csv"
    path.write_bytes(render(TRADE_HEADER, rows))
    with pytest.raises(DataError, match="line 4"):
        read_trades_capture(path)
