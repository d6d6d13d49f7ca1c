"""Builders shared by the market tests: candle files, bars and a ByBit-like fake exchange."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from moonai_tui.domain import Bar

MINUTE = 60_000
HEADER = "timestamp_ms,open,high,low,close,volume"
T0 = 1_709_251_200_000  # 2024-03-01 00:00 UTC


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def make_bars(count: int, start: int = T0, step: int = MINUTE) -> list[Bar]:
    """``count`` valid consecutive bars with distinct prices."""
    bars = []
    for i in range(count):
        close = 40_000.0 + i * 0.5
        bars.append(Bar(start + i * step, close - 0.25, close + 1.0, close - 1.0, close, 1.5 + i))
    return bars


def csv_text(bars: list[Bar]) -> str:
    lines = [HEADER] + [f"{b.ts},{b.open},{b.high},{b.low},{b.close},{b.volume}" for b in bars]
    return "\n".join(lines) + "\n"


def write_csv(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, gzipped when the name ends in .gz."""
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def row(bar: Bar) -> list[Any]:
    return [bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume]


class FakeBybit:
    """``fetch_ohlcv`` with ByBit's selection rules, over a fixed series.

    Like ByBit, a request returns the *newest* ``limit`` bars inside
    ``[since, until]`` (no ``until``: up to the forming bar), so a client that
    pages by ``since`` alone would skip data. ``failures`` are raised, in order,
    by the next calls. With ``pad``, each answer also carries the bars just
    outside the window (as ByBit does with a mid-bar start).
    """

    def __init__(
        self,
        closed: list[Bar],
        forming: Bar | None,
        failures: list[Exception] | None = None,
        pad: bool = False,
    ):
        self.series = [*closed, *([forming] if forming else [])]
        self.failures = list(failures or [])
        self.pad = pad
        self.calls: list[tuple[int | None, int | None, int | None]] = []

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: int | None = None,
        limit: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> list[list[Any]]:
        until = (params or {}).get("until")
        self.calls.append((since, limit, until))
        if self.failures:
            raise self.failures.pop(0)
        chosen = [
            bar
            for bar in self.series
            if (since is None or bar.ts >= since) and (until is None or bar.ts <= until)
        ]
        chosen = chosen[-(limit or 200) :]
        if self.pad and chosen:
            i, j = self.series.index(chosen[0]), self.series.index(chosen[-1])
            chosen = self.series[max(0, i - 1) : j + 2]
        return [row(bar) for bar in chosen]
