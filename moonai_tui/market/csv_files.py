"""Opening CSV(.gz) data files with one clear error line for each way they can be broken."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pandas as pd

from moonai_tui.errors import DataError


def _one_line(exc: Exception) -> str:
    # pandas' tokenizer errors end in a line break; an error must stay one line.
    return " ".join(str(exc).split())


def read_csv_file(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a plain or gzipped CSV file that must have ``columns`` (others are kept).

    Raises:
        DataError: missing file, bad gzip, unreadable CSV or missing columns, naming the file.
    """
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        frame = pd.read_csv(path, compression="gzip" if path.suffix == ".gz" else None)
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise DataError(f"{path}: not a readable gzip file ({_one_line(exc)})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({_one_line(exc)})") from None
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}; expected header {','.join(columns)}"
        )
    return frame
