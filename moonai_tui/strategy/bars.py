"""Building the bars DataFrame strategies read (see STRATEGY_CONTRACT: Bars).

Index: tz-aware UTC DatetimeIndex of bar open times, ascending and unique;
columns ``open, high, low, close, volume`` as float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from moonai_tui.domain import Bar
from moonai_tui.errors import DataError

BAR_COLUMNS = ("open", "high", "low", "close", "volume")
_COLUMNS = pd.Index(BAR_COLUMNS)
"""Built once: converting the tuple per frame is a third of a small frame's cost."""
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_CANDLES = {
    ("BTCUSDT", "1m"): DEMO_DIR / "binance_spot_BTCUSDT_1m_2024-03-01_2024-03-28.csv.gz",
    ("ETHUSDT", "1h"): DEMO_DIR / "binance_spot_ETHUSDT_1h_2024-03-01_2024-03-28.csv.gz",
}
"""The shipped real candles (moonai_tui/data/demo/PROVENANCE.md) by (symbol, timeframe)."""


def bar_column(bars: pd.DataFrame, name: str) -> np.ndarray:
    """One column of a bars frame as a float64 array (a view when possible).

    The same values as ``bars[name].to_numpy()`` in a tenth of pandas' calls when
    the frame has exactly the standard columns (one float block): strategies read
    columns at every live bar close, on the order path.
    """
    if bars.columns.equals(_COLUMNS):
        values = bars.to_numpy()
        if values.dtype == np.float64:
            return values[:, BAR_COLUMNS.index(name)]
    return bars[name].to_numpy(dtype=np.float64)


def bars_from_arrays(
    ts_ms: Sequence[int] | np.ndarray,
    open_: Sequence[float] | np.ndarray,
    high: Sequence[float] | np.ndarray,
    low: Sequence[float] | np.ndarray,
    close: Sequence[float] | np.ndarray,
    volume: Sequence[float] | np.ndarray,
) -> pd.DataFrame:
    """Bars from columns; ``ts_ms`` are open times in Unix milliseconds, UTC."""
    values = np.column_stack(
        [np.asarray(c, dtype=np.float64) for c in (open_, high, low, close, volume)]
    )
    return bars_from_matrix(np.asarray(ts_ms, dtype=np.int64), values.reshape(-1, 5))


def bars_from_matrix(ts_ms: np.ndarray, values: np.ndarray, *, copy: bool = True) -> pd.DataFrame:
    """Bars from int64 open times (ms, UTC) and a (bars x 5) float64 OHLCV matrix.

    The fastest constructor (one block, no parsing). ``copy=False`` keeps ``values``
    as the frame's memory (the live bar window writes new rows into it).
    """
    return pd.DataFrame(values, index=bar_index(ts_ms), columns=_COLUMNS, copy=copy)


def bar_index(ts_ms: np.ndarray) -> pd.DatetimeIndex:
    """The bars index (tz-aware UTC) of int64 open times in Unix ms."""
    return pd.DatetimeIndex(ts_ms.astype("datetime64[ms]"), tz="UTC")


def bars_from_candles(frame: pd.DataFrame) -> pd.DataFrame:
    """Bars from a ``read_candles_csv`` frame (``timestamp_ms`` plus OHLCV columns)."""
    return bars_from_arrays(*(frame[c].to_numpy() for c in ("timestamp_ms", *BAR_COLUMNS)))


def bars_from_list(bars: Sequence[Bar]) -> pd.DataFrame:
    """Bars from domain ``Bar`` objects, oldest first."""
    if not bars:
        return bars_from_arrays([], [], [], [], [], [])
    array = np.array([(b.ts, b.open, b.high, b.low, b.close, b.volume) for b in bars])
    return bars_from_arrays(array[:, 0].astype(np.int64), *array[:, 1:].T)


def read_bars_csv(path: Path) -> pd.DataFrame:
    """Bars from a candle CSV(.gz) file in the shared format.

    Raises:
        DataError: the file is missing or invalid (see ``read_candles_csv``).
    """
    from moonai_tui.market.candles_csv import read_candles_csv

    return bars_from_candles(read_candles_csv(path))


def demo_bars(symbol: str = "BTCUSDT", timeframe: str = "1m") -> tuple[pd.DataFrame, Path]:
    """The shipped demo candles for ``symbol`` (BTCUSDT 1m or ETHUSDT 1h) and their file.

    Raises:
        DataError: no demo file for that symbol and timeframe.
    """
    key = (symbol.replace("/", "").split(":")[0].upper(), timeframe)
    path = DEMO_CANDLES.get(key)
    if path is None:
        have = ", ".join(f"{s} {t}" for s, t in DEMO_CANDLES)
        raise DataError(f"no demo candles for {symbol} {timeframe}; shipped: {have}")
    return read_bars_csv(path), path


TRAINING_CANDLES = {
    ("BTCUSDT", "1m"): DEMO_DIR / "binance_spot_BTCUSDT_1m_2023-12-01_2024-02-29.csv.gz",
}
"""Shipped real candles ending right before the demo month, so a model trained on them by
default is judged on data it never saw when the demo month is replayed or backtested."""


def demo_training_bars(symbol: str = "BTCUSDT", timeframe: str = "1m") -> tuple[pd.DataFrame, Path]:
    """The shipped training candles for ``symbol`` (BTCUSDT 1m, 2023-12-01 → 2024-02-29)
    and their file; other markets fall back to :func:`demo_bars`.

    Raises:
        DataError: no shipped candles for that symbol and timeframe.
    """
    path = TRAINING_CANDLES.get((symbol.replace("/", "").split(":")[0].upper(), timeframe))
    if path is None:
        return demo_bars(symbol, timeframe)
    return read_bars_csv(path), path
