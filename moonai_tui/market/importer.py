"""Imports a candle file (the shared CSV format) into the store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from moonai_tui.domain import TIMEFRAME_MS, Bar
from moonai_tui.errors import DataError
from moonai_tui.market.candles_csv import read_candles_csv
from moonai_tui.store import Store
from moonai_tui.store.candles import timeframe_ms


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import did."""

    path: Path
    symbol: str
    timeframe: str
    rows: int
    """Candles in the file."""
    stored: int
    """Rows inserted or changed (0 when the same file is imported again)."""
    first_ms: int
    """Open time of the first candle in the file."""
    last_ms: int
    """Open time of the last candle in the file."""
    holes: int
    """Places where the file skips one or more bars (exchange outages, usually)."""


async def import_candles(store: Store, path: Path, symbol: str, timeframe: str) -> ImportReport:
    """Validate ``path`` and store its candles as ``symbol`` / ``timeframe`` bars.

    The whole file is checked before anything is written, so a bad file leaves
    the store unchanged.

    Args:
        store: Where the bars go.
        path: Candle CSV, plain or ``.gz``, header ``timestamp_ms,open,high,low,close,volume``.
        symbol: ccxt unified symbol to file them under, e.g. ``BTC/USDT``.
        timeframe: Bar length of the file, e.g. ``1m``.

    Returns:
        A report of the file's span and what was stored.

    Raises:
        DataError: one line naming the file: unreadable or truncated, wrong
            columns, NaN, non-monotonic or duplicated times, inconsistent OHLC,
            times not aligned to ``timeframe``, or bars of a longer timeframe.
        StoreError: the database refused the write.
    """
    step = timeframe_ms(timeframe)
    # Parsing half a million rows takes a second: keep it off the event loop.
    frame = await asyncio.to_thread(read_candles_csv, path)
    ts = frame["timestamp_ms"].to_numpy(dtype=np.int64)
    _check_timeframe(path, ts, timeframe, step)
    bars = _to_bars(frame)
    stored = await store.upsert_candles(symbol, timeframe, bars, source=_source(path))
    return ImportReport(
        path=path,
        symbol=symbol,
        timeframe=timeframe,
        rows=len(bars),
        stored=stored,
        first_ms=bars[0].ts,
        last_ms=bars[-1].ts,
        holes=int(np.count_nonzero(np.diff(ts) > step)),
    )


def _check_timeframe(path: Path, ts: np.ndarray, timeframe: str, step: int) -> None:
    misaligned = np.flatnonzero(ts % step)
    if misaligned.size:
        row = int(misaligned[0])
        raise DataError(
            f"{path}: line {row + 2}: timestamp {int(ts[row])} is not aligned to "
            f"{timeframe} bars (a multiple of {step} ms)"
        )
    if ts.size < 2:
        return
    # Hourly bars are also aligned to minutes; a file whose closest bars are a
    # whole longer timeframe apart was almost certainly saved at that timeframe.
    smallest = int(np.diff(ts).min())
    if smallest > step:
        looks_like = next((name for name, ms in TIMEFRAME_MS.items() if ms == smallest), None)
        if looks_like is not None:
            raise DataError(
                f"{path}: no two candles are {timeframe} apart; the file looks like "
                f"{looks_like} bars (import it with timeframe {looks_like})"
            )


def _to_bars(frame: pd.DataFrame) -> list[Bar]:
    columns = [frame[name].to_numpy().tolist() for name in frame.columns]
    return [Bar(int(t), o, h, lo, c, v) for t, o, h, lo, c, v in zip(*columns, strict=True)]


def _source(path: Path) -> str:
    return f"import:{path.name}"[:120]
