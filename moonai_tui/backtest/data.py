"""The bars a backtest, an optimisation or a walk-forward runs on.

Where they come from, first match wins:

1. ``--data FILE``: a candle CSV(.gz) in the shared format;
2. the database's candles of the symbol and timeframe (``moonai-tui data download|import``)
   within the range;
3. the shipped real demo candles (``moonai_tui/data/demo``: BTCUSDT 1m, ETHUSDT 1h), so a
   fresh clone backtests offline.

A file or demo series finer than the requested timeframe is aggregated to it (bars of
``timeframe`` aligned to the Unix epoch; a first or last bucket not fully covered is
dropped, it would not be the bar the exchange shows). The range is ``since <= open time <
until``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from moonai_tui.errors import DataError
from moonai_tui.store.candles import timeframe_ms
from moonai_tui.strategy.bars import BAR_COLUMNS, bars_from_matrix

if TYPE_CHECKING:
    from moonai_tui.store import Store


@dataclass(frozen=True, slots=True)
class BarsRequest:
    """Which bars: a symbol and timeframe, an optional range and an optional file."""

    symbol: str
    timeframe: str
    since_ms: int | None = None
    """First bar open time to include (Unix ms UTC); None = from the first bar."""
    until_ms: int | None = None
    """Open time to stop before (exclusive); None = up to the last bar."""
    data: Path | None = None


@dataclass(frozen=True, slots=True)
class LoadedBars:
    """Bars (STRATEGY_CONTRACT) and a few words on where they came from."""

    bars: pd.DataFrame
    source: str


async def load_bars(request: BarsRequest, store: Store | None) -> LoadedBars:
    """The bars of ``request`` (module docstring for the order of the sources).

    Raises:
        DataError: an unknown timeframe, an unreadable file, a file coarser than the
            timeframe, no demo data for the symbol, or no bars in the range.
    """
    from moonai_tui.strategy.bars import bars_from_list, demo_bars, read_bars_csv

    step = timeframe_ms(request.timeframe)
    if request.data is not None:
        bars = _to_timeframe(read_bars_csv(request.data), step, request)
        return _in_range(bars, request, f"file {request.data}")
    if store is not None:
        stored = await store.load_candles(
            request.symbol, request.timeframe, request.since_ms, request.until_ms
        )
        if stored:
            return LoadedBars(bars_from_list(stored), "database")
    bars, path = demo_bars(request.symbol, _demo_timeframe(request))
    return _in_range(_to_timeframe(bars, step, request), request, f"demo {path.name}")


def load_bars_sync(request: BarsRequest, database_url: str | None) -> LoadedBars:
    """:func:`load_bars` for synchronous callers (the CLI, worker processes).

    ``database_url`` None skips the database.
    """

    async def load() -> LoadedBars:
        if database_url is None:
            return await load_bars(request, None)
        from moonai_tui.store import open_store

        async with await open_store(database_url) as store:
            return await load_bars(request, store)

    return asyncio.run(load())


def resample(bars: pd.DataFrame, step_ms: int) -> pd.DataFrame:
    """``bars`` aggregated to bars of ``step_ms`` (open first, high max, low min, close last,
    volume sum), with incomplete first and last buckets dropped."""
    times = pd.DatetimeIndex(bars.index).as_unit("ms").asi8
    source_step = int(np.median(np.diff(times))) if len(times) > 1 else step_ms
    bucket = times // step_ms * step_ms
    starts = np.flatnonzero(np.r_[True, np.diff(bucket) != 0])
    ends = np.r_[starts[1:], len(times)] - 1
    columns = {name: bars[name].to_numpy(dtype=np.float64) for name in BAR_COLUMNS}
    values = np.column_stack(
        [
            columns["open"][starts],
            np.maximum.reduceat(columns["high"], starts),
            np.minimum.reduceat(columns["low"], starts),
            columns["close"][ends],
            np.add.reduceat(columns["volume"], starts),
        ]
    )
    opens = bucket[starts]
    complete = np.ones(len(starts), dtype=bool)
    complete[0] = times[starts[0]] == opens[0]
    complete[-1] &= times[ends[-1]] == opens[-1] + step_ms - source_step
    return bars_from_matrix(opens[complete], values[complete])


def _to_timeframe(bars: pd.DataFrame, step_ms: int, request: BarsRequest) -> pd.DataFrame:
    if len(bars) < 2:
        return bars
    source_step = int(np.median(np.diff(pd.DatetimeIndex(bars.index).as_unit("ms").asi8)))
    if source_step == step_ms:
        return bars
    if step_ms % source_step != 0 or step_ms < source_step:
        raise DataError(
            f"{request.data or request.symbol}: the bars are {source_step // 1000} s apart, "
            f"which cannot make {request.timeframe} bars; pass a file of {request.timeframe} "
            "bars or of a timeframe that divides it"
        )
    return resample(bars, step_ms)


def _demo_timeframe(request: BarsRequest) -> str:
    """The shipped demo timeframe to build ``request.timeframe`` from (finest that divides)."""
    from moonai_tui.strategy.bars import DEMO_CANDLES

    symbol = request.symbol.replace("/", "").split(":")[0].upper()
    wanted = timeframe_ms(request.timeframe)
    usable = [tf for s, tf in DEMO_CANDLES if s == symbol and wanted % timeframe_ms(tf) == 0]
    return min(usable, key=timeframe_ms) if usable else request.timeframe


def _in_range(bars: pd.DataFrame, request: BarsRequest, source: str) -> LoadedBars:
    if request.since_ms is not None:
        bars = bars.loc[bars.index >= pd.Timestamp(request.since_ms, unit="ms", tz="UTC")]
    if request.until_ms is not None:
        bars = bars.loc[bars.index < pd.Timestamp(request.until_ms, unit="ms", tz="UTC")]
    if bars.empty:
        raise DataError(
            f"{request.symbol} {request.timeframe}: no bars in {_describe_range(request)} "
            f"({source})"
        )
    return LoadedBars(bars, source)


def _describe_range(request: BarsRequest) -> str:
    def fmt(ms: int | None, default: str) -> str:
        if ms is None:
            return default
        return pd.Timestamp(ms, unit="ms", tz="UTC").strftime("%Y-%m-%d %H:%M")

    return f"{fmt(request.since_ms, 'the start')} → {fmt(request.until_ms, 'the end')} UTC"
