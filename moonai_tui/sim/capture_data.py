"""Readers for real captures: Binance L2 depth (snapshot + diffs) and trades CSVs.

Formats are those of the shared data set (data/README.md §2 and §3):
depth ``local_recv_ns,event_time_ms,type,first_update_id,last_update_id,
prev_last_update_id,side,price,qty`` and trades
``trade_time_ms,trade_id,price,qty,side,is_buyer_maker[,local_recv_ns]``.
The book is rebuilt with Binance's rules: updates ending at or before the
snapshot's ``lastUpdateId`` are dropped, the first applied update must span
``lastUpdateId + 1``, and each later one must start right after the previous.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from moonai_tui.errors import DataError
from moonai_tui.market.csv_files import read_csv_file
from moonai_tui.sim.units import infer_decimals, to_units

Int64s = NDArray[np.int64]

DEPTH_COLUMNS = (
    "event_time_ms",
    "type",
    "first_update_id",
    "last_update_id",
    "side",
    "price",
    "qty",
)
TRADE_COLUMNS = ("trade_time_ms", "price", "qty", "side")


@dataclass(frozen=True, slots=True)
class DepthEvent:
    """One applied diff: all its level changes share the event time."""

    time_ms: int
    is_bid: NDArray[np.bool_]
    price: Int64s
    size: Int64s


@dataclass(frozen=True, slots=True)
class DepthCapture:
    """A snapshot and the diffs that follow it, in integer units."""

    price_decimals: int
    size_decimals: int
    bids: dict[int, int]
    asks: dict[int, int]
    events: list[DepthEvent]

    @property
    def start_ms(self) -> int:
        """Time of the first applied diff (the snapshot carries no event time)."""
        return self.events[0].time_ms

    @property
    def end_ms(self) -> int:
        """Time of the last applied diff."""
        return self.events[-1].time_ms


@dataclass(frozen=True, slots=True)
class TradesCapture:
    """Trades in time order, in integer units."""

    price_decimals: int
    size_decimals: int
    ts: Int64s
    price: Int64s
    size: Int64s
    buy: NDArray[np.bool_]


def read_depth_capture(path: Path) -> DepthCapture:
    """Read a Binance depth capture and keep the diffs that apply to its snapshot.

    Raises:
        DataError: unreadable file, no snapshot, or a sequence break.
    """
    frame = read_csv_file(path, DEPTH_COLUMNS)
    try:
        price = frame["price"].to_numpy(dtype=np.float64)
        qty = frame["qty"].to_numpy(dtype=np.float64)
        last_id = frame["last_update_id"].to_numpy(dtype=np.int64)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path}: non-numeric price, qty or update id ({exc})") from None
    kind = frame["type"].to_numpy()
    is_bid = frame["side"].to_numpy() == "b"
    snap = kind == "snapshot"
    if not snap.any():
        raise DataError(f"{path}: no snapshot rows")
    price_dec, size_dec = infer_decimals(price), infer_decimals(qty)
    prices, sizes = to_units(price, price_dec), to_units(qty, size_dec)
    snapshot_id = int(last_id[np.argmax(snap)])
    bids = {
        int(p): int(s) for p, s in zip(prices[snap & is_bid], sizes[snap & is_bid], strict=True)
    }
    asks = {
        int(p): int(s) for p, s in zip(prices[snap & ~is_bid], sizes[snap & ~is_bid], strict=True)
    }

    update = ~snap
    u_idx = np.flatnonzero(update)
    first_ids = pd.to_numeric(frame["first_update_id"], errors="coerce").to_numpy()
    times = pd.to_numeric(frame["event_time_ms"], errors="coerce").to_numpy()
    events: list[DepthEvent] = []
    if len(u_idx):
        bounds = np.flatnonzero(np.diff(last_id[u_idx]) != 0) + 1
        prev_last: int | None = None
        for group in np.split(u_idx, bounds):
            first, last = int(first_ids[group[0]]), int(last_id[group[0]])
            if last <= snapshot_id:
                continue  # older than the snapshot
            if prev_last is None and not first <= snapshot_id + 1 <= last:
                raise DataError(
                    f"{path}: first diff {first}-{last} does not follow snapshot {snapshot_id}"
                )
            if prev_last is not None and first != prev_last + 1:
                raise DataError(f"{path}: sequence break: diff {first} after {prev_last}")
            prev_last = last
            events.append(
                DepthEvent(int(times[group[0]]), is_bid[group], prices[group], sizes[group])
            )
    if not events:
        raise DataError(f"{path}: no diffs after the snapshot")
    return DepthCapture(price_dec, size_dec, bids, asks, events)


def read_trades_capture(path: Path) -> TradesCapture:
    """Read a Binance trades capture (time order kept; ``side`` is the aggressor).

    Raises:
        DataError: unreadable file, missing columns, no rows, or a price or qty that is
            not a finite number > 0 (naming its line).
    """
    frame = read_csv_file(path, TRADE_COLUMNS)
    if frame.empty:
        raise DataError(f"{path}: no trades")
    try:
        times = frame["trade_time_ms"].to_numpy(dtype=np.float64)
        price = frame["price"].to_numpy(dtype=np.float64)
        qty = frame["qty"].to_numpy(dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path}: non-numeric trade time, price or qty ({exc})") from None
    # Checked before the cast: a missing time would become a garbage integer, silently.
    bad_time = ~(np.isfinite(times) & (times == np.round(times)))
    if bad_time.any():
        row = int(np.argmax(bad_time))
        raise DataError(
            f"{path}: line {row + 2}: trade_time_ms is {times[row]}; expected whole milliseconds"
        )
    ts = times.astype(np.int64)
    for name, values in (("price", price), ("qty", qty)):
        # NaN, inf or <= 0 would become garbage integer units, not an error, in to_units.
        bad = ~(np.isfinite(values) & (values > 0))
        if bad.any():
            row = int(np.argmax(bad))
            raise DataError(
                f"{path}: line {row + 2}: {name} is {float(values[row])}; "
                "expected a finite number > 0"
            )
    if (np.diff(ts) < 0).any():
        raise DataError(f"{path}: trade times decrease")
    price_dec, size_dec = infer_decimals(price), infer_decimals(qty)
    buy = frame["side"].to_numpy() == "buy"
    return TradesCapture(
        price_dec, size_dec, ts, to_units(price, price_dec), to_units(qty, size_dec), buy
    )
