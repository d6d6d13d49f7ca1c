"""Klines and 24h statistics derived from a ``Feed``.

* Intervals equal to or coarser than the data's native bar are aggregated from
  the real candles (first open, max high, min low, last close, summed volume).
  The candle that contains "now" is the real candle cut at now: its high, low,
  close and volume come from the intra-candle market so far.
* Intervals finer than the native bar (e.g. 1m for the hourly ETH data) are
  aggregated from the intra-candle market itself (path prices and generated
  trades), so they always add up to the real native candle.
* Turnover for native/coarser bars is volume × typical price (O+H+L+C)/4 of
  each native candle, because the data carries no quote volume; finer bars use
  the exact sum of price × size of the generated trades.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from moonai_tui.sim.candles import DAY_MS, CandleArrays
from moonai_tui.sim.feed import Feed, Steps

Int64s = NDArray[np.int64]
Float64s = NDArray[np.float64]

HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class KlineRows:
    """Klines oldest first; prices and volume in the feed's integer units, turnover in quote."""

    start: Int64s
    open: Int64s
    high: Int64s
    low: Int64s
    close: Int64s
    volume: Int64s
    turnover: Float64s

    def __len__(self) -> int:
        return len(self.start)

    def take(self, selector: slice) -> KlineRows:
        """A slice of the rows."""
        return KlineRows(
            self.start[selector],
            self.open[selector],
            self.high[selector],
            self.low[selector],
            self.close[selector],
            self.volume[selector],
            self.turnover[selector],
        )


@dataclass(frozen=True, slots=True)
class Stats24h:
    """Rolling 24h ticker statistics in the feed's integer units (turnover in quote)."""

    last: int
    last_was_buy: bool
    prev_24h: int
    prev_1h: int
    high: int
    low: int
    volume: int
    turnover: float


def candles_upto(feed: Feed, t0: int, t1: int, now: int) -> CandleArrays:
    """Native candles opening in ``[t0, t1)`` and at or before ``now``.

    The candle that contains ``now`` is cut at ``now`` (high, low, close and
    volume of its market so far); it is dropped if nothing has happened in it yet.
    """
    series = feed.series
    arr = series.window(t0, min(t1, now + 1))
    if len(arr) == 0 or int(arr.ts[-1]) + series.interval_ms <= now:
        return arr
    row = int(arr.index[-1])
    start = int(arr.ts[-1])
    steps = feed.steps(row, start - int(series.ts[row]), start, now + 1)
    if len(steps.ts) == 0:
        keep = slice(0, len(arr) - 1)
        return CandleArrays(
            arr.ts[keep], arr.index[keep], arr.open[keep], arr.high[keep], arr.low[keep],
            arr.close[keep], arr.volume[keep],
        )  # fmt: skip
    arr.high[-1] = steps.price.max()
    arr.low[-1] = steps.price.min()
    arr.close[-1] = steps.price[-1]
    arr.volume[-1] = steps.size.sum()
    return arr


def _bin_bounds(bins: Int64s) -> tuple[Int64s, Int64s]:
    starts = np.flatnonzero(np.concatenate(([True], bins[1:] != bins[:-1])))
    ends = np.append(starts[1:], len(bins))
    return starts, ends


def _typical_turnover(feed: Feed, arr: CandleArrays) -> Float64s:
    typical = (arr.open + arr.high + arr.low + arr.close) / (4.0 * 10.0**feed.price_decimals)
    result: Float64s = arr.volume / 10.0**feed.volume_decimals * typical
    return result


def aggregate(feed: Feed, arr: CandleArrays, interval_ms: int) -> KlineRows:
    """Aggregate native candles into bins of ``interval_ms`` aligned to the epoch (UTC)."""
    if len(arr) == 0:
        return _empty()
    bins = arr.ts // interval_ms * interval_ms
    starts, ends = _bin_bounds(bins)
    return KlineRows(
        start=bins[starts],
        open=arr.open[starts],
        high=np.maximum.reduceat(arr.high, starts),
        low=np.minimum.reduceat(arr.low, starts),
        close=arr.close[ends - 1],
        volume=np.add.reduceat(arr.volume, starts),
        turnover=np.add.reduceat(_typical_turnover(feed, arr), starts),
    )


def _fine(feed: Feed, interval_ms: int, t0: int, t1: int, now: int) -> KlineRows:
    series = feed.series
    t1 = min(t1, now + 1)
    arr = series.window(t0 - series.interval_ms + 1, t1)
    parts: list[Steps] = []
    for row, start in zip(arr.index.tolist(), arr.ts.tolist(), strict=True):
        shift = start - int(series.ts[row])
        parts.append(feed.steps(row, shift, max(t0, start), t1))
    if not parts:
        return _empty()
    ts = np.concatenate([p.ts for p in parts])
    if len(ts) == 0:
        return _empty()
    price = np.concatenate([p.price for p in parts])
    size = np.concatenate([p.size for p in parts])
    bins = ts // interval_ms * interval_ms
    starts, ends = _bin_bounds(bins)
    value = price / 10.0**feed.price_decimals * (size / 10.0**feed.volume_decimals)
    return KlineRows(
        start=bins[starts],
        open=price[starts],
        high=np.maximum.reduceat(price, starts),
        low=np.minimum.reduceat(price, starts),
        close=price[ends - 1],
        volume=np.add.reduceat(size, starts),
        turnover=np.add.reduceat(value, starts),
    )


def _empty() -> KlineRows:
    none = np.empty(0, dtype=np.int64)
    return KlineRows(none, none, none, none, none, none, np.empty(0, dtype=np.float64))


def klines_between(feed: Feed, interval_ms: int, t0: int, t1: int, now: int) -> KlineRows:
    """Bins of ``interval_ms`` opening in ``[t0, t1)`` (aligned), up to ``now``, oldest first."""
    if interval_ms < feed.series.interval_ms:
        return _fine(feed, interval_ms, t0, t1, now)
    return aggregate(feed, candles_upto(feed, t0, t1, now), interval_ms)


def query_klines(
    feed: Feed, interval_ms: int, start: int | None, end: int | None, limit: int, now: int
) -> KlineRows:
    """ByBit's /v5/market/kline selection, oldest first.

    With ``start``: the first ``limit`` bins from the one containing ``start``
    (so ``since``-paging is contiguous). Without: the ``limit`` bins ending at
    ``end`` or now. Nothing before the feed's floor or after now is returned.
    """
    high = now if end is None else min(end, now)
    lowest = -(-feed.floor_ms // interval_ms) * interval_ms
    if high < lowest:
        return _empty()
    last_bin = high // interval_ms * interval_ms
    if start is not None:
        t0 = max(start // interval_ms * interval_ms, lowest)
        t1 = min(last_bin + interval_ms, t0 + limit * interval_ms)
        return klines_between(feed, interval_ms, t0, t1, now).take(slice(0, limit))
    t1 = last_bin + interval_ms
    t0 = max(lowest, t1 - limit * interval_ms)
    rows = klines_between(feed, interval_ms, t0, t1, now)
    return rows.take(slice(max(0, len(rows) - limit), None))


def forming_kline(feed: Feed, interval_ms: int, now: int) -> KlineRows:
    """The bin that contains ``now`` (empty if nothing has traded in it yet)."""
    t0 = now // interval_ms * interval_ms
    return klines_between(feed, interval_ms, t0, t0 + interval_ms, now)


def stats_24h(feed: Feed, now: int) -> Stats24h:
    """Rolling 24h statistics from the real candles up to now (the current one cut at now).

    The window never reaches before the feed's floor (the start of the data), so
    shortly after the start it covers less than 24 hours.
    """
    last, was_buy = feed.price_at(now)
    since = max(now - DAY_MS, feed.floor_ms)
    arr = candles_upto(feed, since, now + 1, now)
    high = max(int(arr.high.max()), last) if len(arr) else last
    low = min(int(arr.low.min()), last) if len(arr) else last
    return Stats24h(
        last=last,
        last_was_buy=was_buy,
        prev_24h=feed.price_at(since)[0],
        prev_1h=feed.price_at(max(now - HOUR_MS, feed.floor_ms))[0],
        high=high,
        low=low,
        volume=int(arr.volume.sum()),
        turnover=float(_typical_turnover(feed, arr).sum()),
    )
