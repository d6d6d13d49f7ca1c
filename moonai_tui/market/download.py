"""Fills the candle store from the exchange, fetching only what is missing.

ByBit answers a kline request with the newest bars of the requested window
(with only a start time it returns the newest bars overall, ccxt issue #16551),
so every page here names both ends of its window and asks for at most one
page of bars. The newest bar the exchange has is still forming: it and
anything after it are never stored.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from moonai_tui.domain import Bar
from moonai_tui.errors import DataError, ExchangeError, TemporaryError
from moonai_tui.store import Store
from moonai_tui.store.candles import timeframe_ms

BYBIT_MAX_KLINE_LIMIT = 1000
"""Most bars ByBit returns for one kline request."""
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
"""Seconds to wait before each retry of a request that failed on the network."""

Progress = Callable[[int, int], None]
"""Called with (bar slots done, bar slots to do) after each page."""

T = TypeVar("T")


class OhlcvExchange(Protocol):
    """The part of a ccxt exchange the downloader uses."""

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = ...,
        since: int | None = ...,
        limit: int | None = ...,
        params: dict[str, Any] = ...,
    ) -> list[list[Any]]: ...


@dataclass(frozen=True, slots=True)
class DownloadReport:
    """What one download did."""

    symbol: str
    timeframe: str
    since_ms: int
    """Requested start (inclusive)."""
    until_ms: int
    """Effective end (exclusive): the requested end or the exchange's forming bar."""
    latest_ms: int
    """Open time of the exchange's newest (still forming) bar."""
    gaps: int
    """Missing ranges found in the store before downloading."""
    gaps_filled: int
    """Of those, how many are now completely stored."""
    gaps_left: int
    """Missing ranges after the download: time the exchange has no bars for."""
    requests: int
    """Kline pages requested for the gaps (the probe for the newest bar not counted)."""
    fetched: int
    """Closed bars received inside the gaps."""
    stored: int
    """Rows inserted or changed in the store."""
    first_ms: int | None
    """Open time of the first bar fetched, if any."""
    last_ms: int | None
    """Open time of the last bar fetched, if any."""

    @property
    def up_to_date(self) -> bool:
        """True when the store already held every bar the exchange could give."""
        return self.fetched == 0


async def download_candles(
    exchange: OhlcvExchange,
    store: Store,
    symbol: str,
    timeframe: str,
    since_ms: int,
    until_ms: int,
    progress: Progress | None = None,
    *,
    page_limit: int = BYBIT_MAX_KLINE_LIMIT,
    retry_delays: Sequence[float] = RETRY_DELAYS,
) -> DownloadReport:
    """Download the closed bars in ``[since_ms, until_ms)`` that the store lacks.

    Only the gaps :meth:`Store.missing_ranges` reports are requested, so a second
    run over the same range fetches nothing. Each page is stored as it arrives:
    an interrupted download keeps what it got and the next run resumes.

    Args:
        exchange: A ccxt exchange (or anything with ``fetch_ohlcv``), markets loadable.
        store: Where the bars go.
        symbol: ccxt unified symbol, e.g. ``BTC/USDT:USDT``.
        timeframe: Bar length, e.g. ``1m``.
        since_ms: First bar open time wanted (inclusive), Unix ms UTC.
        until_ms: End of the range (exclusive); capped at the exchange's forming bar.
        progress: Called with (done, total) bar slots after each page.
        page_limit: Bars per request (ByBit allows at most 1000).
        retry_delays: Backoff in seconds before each retry of a network failure.

    Returns:
        A report of what was requested, received and stored.

    Raises:
        DataError: unknown timeframe or an empty range.
        TemporaryError: the network kept failing after every retry.
        ExchangeError: the exchange refused a request (e.g. unknown symbol) or
            has no bars for the symbol at all.
        StoreError: the database refused a write.
    """
    step = timeframe_ms(timeframe)
    if until_ms <= since_ms:
        raise DataError(f"{symbol} {timeframe}: the range is empty (until must be after since)")
    if not 1 <= page_limit <= BYBIT_MAX_KLINE_LIMIT:
        raise ValueError(f"page_limit must be 1..{BYBIT_MAX_KLINE_LIMIT}, got {page_limit}")

    async def call(what: str, request: Callable[[], Awaitable[T]]) -> T:
        return await _with_retries(f"{symbol} {timeframe}: {what}", request, retry_delays)

    newest = await call("newest bar", lambda: exchange.fetch_ohlcv(symbol, timeframe, limit=1))
    if not newest:
        raise ExchangeError(f"{symbol} {timeframe}: the exchange has no candles")
    latest_ms = _bar(newest[-1], symbol).ts
    end_ms = max(since_ms, min(until_ms, latest_ms))
    gaps = await store.missing_ranges(symbol, timeframe, since_ms, end_ms)
    total = sum((stop - start) // step for start, stop in gaps)
    done = requests = fetched = stored = 0
    first_ms: int | None = None
    last_ms: int | None = None
    if progress is not None and total:
        progress(0, total)
    for start, end in _page_windows(gaps, step, page_limit):
        slots = (end - start) // step
        fetch_page = functools.partial(
            exchange.fetch_ohlcv,
            symbol,
            timeframe,
            since=start,
            limit=slots,
            params={"until": end - 1},  # inclusive: ByBit's `end`
        )
        rows = await call(f"candles from {_iso(start)}", fetch_page)
        requests += 1
        bars = _window_bars(rows, symbol, start, end, step)
        if bars:
            stored += await store.upsert_candles(symbol, timeframe, bars, source="exchange")
            fetched += len(bars)
            first_ms = bars[0].ts if first_ms is None else first_ms
            last_ms = bars[-1].ts
        done += slots
        if progress is not None:
            progress(done, total)
    remaining = await store.missing_ranges(symbol, timeframe, since_ms, end_ms) if gaps else []
    # Every range still missing lies inside one of the original gaps.
    gap_starts = [start for start, _stop in gaps]
    unfilled = {bisect.bisect_right(gap_starts, start) - 1 for start, _stop in remaining}
    return DownloadReport(
        symbol=symbol,
        timeframe=timeframe,
        since_ms=since_ms,
        until_ms=end_ms,
        latest_ms=latest_ms,
        gaps=len(gaps),
        gaps_filled=len(gaps) - len(unfilled),
        gaps_left=len(remaining),
        requests=requests,
        fetched=fetched,
        stored=stored,
        first_ms=first_ms,
        last_ms=last_ms,
    )


def _page_windows(
    gaps: Sequence[tuple[int, int]], step: int, page_limit: int
) -> Iterator[tuple[int, int]]:
    """Split each gap into ``[start, end)`` windows of at most ``page_limit`` bars."""
    for gap_start, gap_stop in gaps:
        for start in range(gap_start, gap_stop, page_limit * step):
            yield start, min(gap_stop, start + page_limit * step)


def _window_bars(
    rows: Sequence[Sequence[Any]], symbol: str, start: int, end: int, step: int
) -> list[Bar]:
    """The bars of one page that belong to the requested window, ascending, deduplicated."""
    by_ts: dict[int, Bar] = {}
    for row in rows:
        bar = _bar(row, symbol)
        # An exchange may pad a page with bars outside the window; they belong to
        # another window (or are the forming bar) and are not ours to store.
        if start <= bar.ts < end and bar.ts % step == 0:
            by_ts[bar.ts] = bar
    return [by_ts[ts] for ts in sorted(by_ts)]


def _bar(row: Sequence[Any], symbol: str) -> Bar:
    try:
        ts, open_, high, low, close, volume = row[:6]
        return Bar(int(ts), float(open_), float(high), float(low), float(close), float(volume))
    except (TypeError, ValueError) as exc:
        raise ExchangeError(f"{symbol}: the exchange sent a malformed candle {row!r}") from exc


async def _with_retries(
    what: str, request: Callable[[], Awaitable[T]], delays: Sequence[float]
) -> T:
    """Await ``request()``, retrying network failures; ccxt errors become Moon AI errors."""
    from ccxt.base import errors as ccxt_errors  # lazy: ccxt is heavy to import

    attempt = 0
    while True:
        try:
            return await request()
        except ccxt_errors.NetworkError as exc:
            if attempt >= len(delays):
                raise TemporaryError(
                    f"{what}: {_one_line(exc)} (gave up after {attempt + 1} attempts)"
                ) from exc
            await asyncio.sleep(delays[attempt])
            attempt += 1
        except ccxt_errors.BaseError as exc:
            raise ExchangeError(f"{what}: {_one_line(exc)}") from exc


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def _one_line(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
