"""``moonai-tui data download`` and ``data import``: CLI glue over the downloader and importer.

Each command returns a process exit code. Failures print one line to stderr;
the summary goes to stdout and progress to stderr, so output can be piped.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from moonai_tui.config import Settings
from moonai_tui.domain import TIMEFRAME_MS
from moonai_tui.errors import MoonAIError
from moonai_tui.market.download import DownloadReport, download_candles
from moonai_tui.market.importer import ImportReport, import_candles
from moonai_tui.store import open_store
from moonai_tui.timeutil import parse_iso_utc_ms

USAGE_EXIT_CODE = 2


class _UsageError(MoonAIError):
    """A command-line argument is invalid."""

    exit_code = USAGE_EXIT_CODE


async def run_data_download(
    settings: Settings, symbol: str, timeframe: str, since: str, until: str | None
) -> int:
    """Download the missing closed candles of ``symbol`` between two dates into the store.

    Args:
        settings: Market (sim, bybit, bybit-testnet), simulator and database settings.
        symbol: ccxt unified symbol, e.g. ``BTC/USDT:USDT``.
        timeframe: Bar length, e.g. ``1m``.
        since: ISO date or date-time, UTC unless it carries an offset.
        until: Same format, exclusive; None for now.

    Returns:
        0 on success, 2 for a bad argument, else the failing error's exit code.
    """
    try:
        _check_series(symbol, timeframe)
        since_ms = parse_time(since, "since")
        until_ms = parse_time(until, "until") if until is not None else int(time.time() * 1000)
        if until_ms <= since_ms:
            raise _UsageError(f"until ({_fmt(until_ms)}) must be after since ({_fmt(since_ms)})")
        store = await open_store(settings.database_url)
        try:
            async with _exchange(settings) as exchange:
                with _ProgressBar(f"{symbol} {timeframe}", sys.stderr) as progress:
                    report = await download_candles(
                        exchange, store, symbol, timeframe, since_ms, until_ms, progress.update
                    )
            stored_total = await store.candle_count(symbol, timeframe)
        finally:
            await store.close()
    except MoonAIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(describe_download(report, stored_total))
    return 0


async def run_data_import(settings: Settings, path: Path, symbol: str, timeframe: str) -> int:
    """Import a candle CSV(.gz) into the store as ``symbol`` / ``timeframe`` bars.

    Returns:
        0 on success, 2 for a bad argument or file, else the failing error's exit code.
    """
    try:
        _check_series(symbol, timeframe)
        store = await open_store(settings.database_url)
        try:
            report = await import_candles(store, path, symbol, timeframe)
        finally:
            await store.close()
    except MoonAIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(describe_import(report))
    return 0


def parse_time(text: str, name: str) -> int:
    """Unix ms of an ISO date or date-time; UTC unless the text has an offset.

    Raises:
        MoonAIError: (exit code 2) naming the argument and the accepted forms.
    """
    try:
        return parse_iso_utc_ms(text)
    except ValueError:
        raise _UsageError(
            f"{name}: '{text}' is not an ISO date; use e.g. 2024-01-31 or 2024-01-31T12:00"
        ) from None


def describe_download(report: DownloadReport, stored_total: int) -> str:
    """The one-line summary of a download."""
    head = f"{report.symbol} {report.timeframe} {_fmt(report.since_ms)} → {_fmt(report.until_ms)}"
    if report.latest_ms <= report.since_ms:
        return (
            f"{report.symbol} {report.timeframe}: nothing to fetch, the exchange's newest bar "
            f"opened {_fmt(report.latest_ms)}, not after {_fmt(report.since_ms)}"
        )
    if report.gaps == 0:
        return f"{head}: already complete, nothing fetched ({stored_total:,} bars stored)"
    line = (
        f"{head}: fetched {report.fetched:,} bars in {report.requests:,} requests, "
        f"stored {report.stored:,}, filled {report.gaps_filled} of {report.gaps} gaps"
    )
    if report.gaps_left:
        line += f", {report.gaps_left} without data on the exchange"
    return f"{line} ({stored_total:,} bars stored)"


def describe_import(report: ImportReport) -> str:
    """The one-line summary of an import."""
    holes = f", {report.holes} holes in the file" if report.holes else ""
    return (
        f"{report.path}: {report.rows:,} {report.timeframe} bars for {report.symbol} "
        f"{_fmt(report.first_ms)} → {_fmt(report.last_ms)}, {report.stored:,} new or changed{holes}"
    )


def _check_series(symbol: str, timeframe: str) -> None:
    if "/" not in symbol:
        raise _UsageError(
            f"symbol '{symbol}' is not a ccxt unified symbol; "
            "use e.g. BTC/USDT:USDT (perpetual) or BTC/USDT (spot)"
        )
    if timeframe not in TIMEFRAME_MS:
        raise _UsageError(
            f"timeframe '{timeframe}' is not supported; expected one of {', '.join(TIMEFRAME_MS)}"
        )


@asynccontextmanager
async def _exchange(settings: Settings) -> AsyncIterator[Any]:
    """The ccxt client for the configured market, starting the simulator for 'sim'."""
    from moonai_tui.exchange.ccxt_factory import create_pro_exchange

    if settings.market != "sim":
        exchange = create_pro_exchange(settings.market)
        try:
            yield exchange
        finally:
            await exchange.close()
        return
    from moonai_tui.sim import start_simulator  # lazy: the simulator loads its data set

    sim = await start_simulator(settings.sim)
    try:
        exchange = create_pro_exchange("sim", sim.http_base)
        try:
            yield exchange
        finally:
            await exchange.close()
    finally:
        await sim.stop()


def _fmt(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M" if moment.second == 0 else "%Y-%m-%d %H:%M:%S")


class _ProgressBar:
    """Progress on a stream: a redrawn bar on a terminal, a line per 10% otherwise."""

    _WIDTH = 30

    def __init__(self, label: str, stream: TextIO) -> None:
        self._label = label
        self._stream = stream
        self._tty = stream.isatty()
        self._shown = -1
        self._drawn = False

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()

    def update(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` bar slots; redraws only when the percentage changes."""
        if total <= 0:
            return
        percent = min(100, done * 100 // total)
        if self._tty:
            if percent == self._shown:
                return
            filled = self._WIDTH * percent // 100
            bar = "#" * filled + "-" * (self._WIDTH - filled)
            self._stream.write(f"\r{self._label} [{bar}] {percent:3d}% {done:,}/{total:,} bars")
            self._drawn = True
        else:
            step = percent // 10 * 10
            if step == self._shown:
                return
            percent = step
            self._stream.write(f"{self._label}: {percent}% ({done:,}/{total:,} bars)\n")
        self._shown = percent
        self._stream.flush()
