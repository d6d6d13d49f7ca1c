"""Reading candle files in the shared data format.

Format: gzip or plain CSV with the header ``timestamp_ms,open,high,low,close,volume``;
``timestamp_ms`` is the bar open time in Unix milliseconds, UTC.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moonai_tui.errors import DataError
from moonai_tui.market.csv_files import read_csv_file

CANDLE_COLUMNS = ("timestamp_ms", "open", "high", "low", "close", "volume")


def read_candles_csv(path: Path) -> pd.DataFrame:
    """Read and validate a candle file.

    Returns:
        A DataFrame with the six columns, ``timestamp_ms`` int64 and the rest float64,
        strictly increasing in time.

    Raises:
        DataError: one line naming the file and the problem (missing file, bad gzip,
            wrong columns, NaN, non-monotonic or duplicated timestamps, OHLC violations).
    """
    frame = read_csv_file(path, CANDLE_COLUMNS)
    frame = frame.loc[:, list(CANDLE_COLUMNS)]
    for column in CANDLE_COLUMNS:
        converted = pd.to_numeric(frame[column], errors="coerce")
        bad = converted.isna() | ~np.isfinite(converted)
        if bad.any():
            row = int(np.argmax(bad.to_numpy())) + 2  # +1 header, +1 one-based
            raise DataError(f"{path}: line {row}: column {column} is not a finite number")
        frame[column] = converted
    frame["timestamp_ms"] = frame["timestamp_ms"].astype("int64")
    for column in CANDLE_COLUMNS[1:]:
        frame[column] = frame[column].astype("float64")
    _check_candles(path, frame)
    return frame.reset_index(drop=True)


def _check_candles(path: Path, frame: pd.DataFrame) -> None:
    if frame.empty:
        raise DataError(f"{path}: no candles in file")
    ts = frame["timestamp_ms"].to_numpy()
    steps = np.diff(ts)
    if (steps <= 0).any():
        row = int(np.argmax(steps <= 0)) + 3
        kind = "duplicated" if steps[row - 3] == 0 else "decreasing"
        raise DataError(f"{path}: line {row}: {kind} timestamp {int(ts[row - 2])}")
    o, h, lo, c, v = (frame[name].to_numpy() for name in CANDLE_COLUMNS[1:])
    bad = (h < np.maximum(o, c)) | (lo > np.minimum(o, c)) | (lo <= 0) | (v < 0)
    if bad.any():
        row = int(np.argmax(bad)) + 2
        raise DataError(
            f"{path}: line {row}: inconsistent candle (need low <= open,close <= high, "
            "prices > 0, volume >= 0)"
        )
