"""Importing candle files: good files land exactly; bad ones fail with the file named."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
from market_helpers import HEADER, MINUTE, T0, csv_text, make_bars, write_csv

from moonai_tui.errors import DataError
from moonai_tui.market.importer import import_candles
from moonai_tui.store import Store

SYMBOL = "BTC/USDT"


async def test_import_gzip_file_stores_every_bar(store: Store, tmp_path: Path) -> None:
    bars = make_bars(300)
    path = write_csv(tmp_path / "btc_1m.csv.gz", csv_text(bars))

    report = await import_candles(store, path, SYMBOL, "1m")

    assert (report.rows, report.stored, report.holes) == (300, 300, 0)
    assert (report.first_ms, report.last_ms) == (bars[0].ts, bars[-1].ts)
    assert await store.load_candles(SYMBOL, "1m") == bars


async def test_import_same_file_twice_stores_nothing_new(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "btc_1m.csv", csv_text(make_bars(50)))

    await import_candles(store, path, SYMBOL, "1m")
    again = await import_candles(store, path, SYMBOL, "1m")

    assert (again.rows, again.stored) == (50, 0)
    assert await store.candle_count(SYMBOL, "1m") == 50


async def test_import_counts_holes_in_the_file(store: Store, tmp_path: Path) -> None:
    bars = make_bars(10)
    path = write_csv(tmp_path / "holes.csv", csv_text([*bars[:3], *bars[5:8], bars[9]]))

    report = await import_candles(store, path, SYMBOL, "1m")

    assert (report.rows, report.holes) == (7, 2)
    gaps = await store.missing_ranges(SYMBOL, "1m", bars[0].ts, bars[-1].ts + MINUTE)
    assert gaps == [(bars[3].ts, bars[5].ts), (bars[8].ts, bars[9].ts)]


def _truncated_gzip(path: Path) -> Path:
    data = gzip.compress(csv_text(make_bars(2000)).encode())
    path.write_bytes(data[: len(data) // 2])
    return path


def _text_file(text: str) -> Callable[[Path], Path]:
    return lambda path: write_csv(path, text)


GOOD = make_bars(5)
BAD_FILES = {
    "truncated gzip": (_truncated_gzip, "gzip"),
    "wrong columns": (_text_file("time,o,h,l,c,v\n1,2,3,1,2,5\n"), "missing column"),
    "NaN": (
        _text_file(csv_text(GOOD).replace(f"{GOOD[2].volume}\n", "nan\n")),
        "line 4: column volume is not a finite number",
    ),
    "non-monotonic": (
        _text_file(csv_text([GOOD[0], GOOD[2], GOOD[1], GOOD[3]])),
        "line 4: decreasing timestamp",
    ),
    "duplicates": (
        _text_file(csv_text([GOOD[0], GOOD[1], GOOD[1], GOOD[2]])),
        "line 4: duplicated timestamp",
    ),
    "misaligned": (
        _text_file(csv_text(GOOD).replace(str(GOOD[3].ts), str(GOOD[3].ts + 1_000))),
        f"line 5: timestamp {GOOD[3].ts + 1_000} is not aligned to 1m",
    ),
    "hourly bars as 1m": (
        _text_file(csv_text(make_bars(5, step=60 * MINUTE))),
        "looks like 1h bars",
    ),
    "header only": (_text_file(HEADER + "\n"), "no candles"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_import_bad_file_raises_data_error_naming_file(
    store: Store, tmp_path: Path, case: str
) -> None:
    build, expected = BAD_FILES[case]
    path = build(tmp_path / ("bad.csv.gz" if case == "truncated gzip" else "bad.csv"))

    with pytest.raises(DataError) as caught:
        await import_candles(store, path, SYMBOL, "1m")

    message = str(caught.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message
    assert await store.candle_count(SYMBOL, "1m") == 0


async def test_import_missing_file_raises(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        await import_candles(store, tmp_path / "nope.csv", SYMBOL, "1m")


async def test_import_unknown_timeframe_raises(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ok.csv", csv_text(make_bars(3)))
    with pytest.raises(DataError, match="unknown timeframe '2m'"):
        await import_candles(store, path, SYMBOL, "2m")


async def test_import_hourly_file_as_1h_works(store: Store, tmp_path: Path) -> None:
    bars = make_bars(24, start=T0, step=60 * MINUTE)
    path = write_csv(tmp_path / "eth_1h.csv", csv_text(bars))

    report = await import_candles(store, path, "ETH/USDT", "1h")

    assert report.stored == 24
    assert await store.load_candles("ETH/USDT", "1h") == bars
