"""Book calibration: spread and depth profile measured on a real L2 capture.

The capture's book is replayed from its snapshot through every diff and
sampled. Distances are measured from the mid in basis points, so the profile
carries over to another price level; sizes are later scaled by the ratio of
traded volume per minute (target symbol / capture), so a busier market gets a
proportionally deeper book.

Measured per side and per distance bucket (bps from mid):
* ``depth_per_bps``: mean resting base size per bp of distance;
* ``levels_per_bps``: mean number of price levels per bp;
and overall: the spread (bps) samples, the rate of level changes per second
near the touch, and the mix of inserts / deletes / resizes among them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from moonai_tui.errors import DataError
from moonai_tui.sim.capture_data import DepthCapture, TradesCapture

EDGES_BPS = np.array([0.0, 1, 2, 3, 4, 5, 7.5, 10, 12.5, 15, 20, 25, 30, 40, 50, 75, 100])
"""Distance buckets; those beyond the capture's snapshot coverage are dropped."""
SAMPLE_EVERY = 5
"""Sample the replayed book after every n-th diff (every 0.5 s on a 100 ms stream)."""
CHANGE_BAND_BPS = 10.0
"""Level changes closer than this to the mid count towards the change rate."""

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BookProfile:
    """Calibrated book statistics (sizes in base units, distances in bps)."""

    edges_bps: Floats
    depth_per_bps: Floats
    """Shape (2, buckets): row 0 bids, row 1 asks."""
    levels_per_bps: Floats
    """Shape (2, buckets)."""
    spread_bps: Floats
    """Spread samples (bps of mid)."""
    mid: float
    """Mean mid price of the capture."""
    volume_per_minute: float
    """Traded base volume per minute during the capture."""
    changes_per_second: float
    """Level changes per second within ``CHANGE_BAND_BPS`` of the mid."""
    action_mix: tuple[float, float, float]
    """Shares of (insert, delete, resize) among those changes."""

    def depth_within(self, bps: float, side: int) -> float:
        """Mean resting size within ``bps`` of the mid on side 0 (bids) or 1 (asks)."""
        lo, hi = self.edges_bps[:-1], self.edges_bps[1:]
        overlap = np.clip(np.minimum(hi, bps) - lo, 0.0, None)
        return float((self.depth_per_bps[side] * overlap).sum())


def calibrate(capture: DepthCapture, trades: TradesCapture, source: str = "capture") -> BookProfile:
    """Measure a ``BookProfile`` on a depth capture and its trades.

    Raises:
        DataError: if the capture is too thin to calibrate from.
    """
    sides: tuple[dict[int, int], dict[int, int]] = (dict(capture.bids), dict(capture.asks))
    if not sides[0] or not sides[1]:
        raise DataError(f"{source}: the snapshot has an empty side")
    price_scale = 10.0**capture.price_decimals
    size_scale = 10.0**capture.size_decimals
    snap_mid = (max(sides[0]) + min(sides[1])) / 2
    # 90 %: the mid wanders during the capture and the deepest snapshot bucket would thin out.
    coverage = 0.9 * min(snap_mid - min(sides[0]), max(sides[1]) - snap_mid) / snap_mid * 1e4
    edges = EDGES_BPS[coverage >= EDGES_BPS]
    if len(edges) < 3:
        raise DataError(f"{source}: the snapshot covers only {coverage:.2f} bps around the mid")

    depth = np.zeros((2, len(edges) - 1))
    levels = np.zeros((2, len(edges) - 1))
    spreads: list[float] = []
    mids: list[float] = []
    counts = np.zeros(3)  # insert, delete, resize near the mid
    samples = 0
    for n, event in enumerate(capture.events):
        best_bid, best_ask = max(sides[0]), min(sides[1])
        mid = (best_bid + best_ask) / 2
        band = mid * CHANGE_BAND_BPS * 1e-4
        for is_bid, price, size in zip(
            event.is_bid.tolist(), event.price.tolist(), event.size.tolist(), strict=True
        ):
            book = sides[0] if is_bid else sides[1]
            old = book.get(price, 0)
            if abs(price - mid) <= band and old != size:
                counts[0 if old == 0 else 1 if size == 0 else 2] += 1
            if size:
                book[price] = size
            else:
                book.pop(price, None)
        if n % SAMPLE_EVERY:
            continue
        best_bid, best_ask = max(sides[0]), min(sides[1])
        mid = (best_bid + best_ask) / 2
        spreads.append((best_ask - best_bid) / mid * 1e4)
        mids.append(mid / price_scale)
        for index, book in enumerate(sides):
            prices = np.fromiter(book.keys(), dtype=np.float64, count=len(book))
            qty = np.fromiter(book.values(), dtype=np.float64, count=len(book)) / size_scale
            distance = np.abs(prices - mid) / mid * 1e4
            depth[index] += np.histogram(distance, edges, weights=qty)[0]
            levels[index] += np.histogram(distance, edges)[0]
        samples += 1
    widths = np.diff(edges)
    span_s = max(1.0, (capture.end_ms - capture.start_ms) / 1000.0)
    in_window = (trades.ts >= capture.start_ms) & (trades.ts <= capture.end_ms)
    volume = float(trades.size[in_window].sum()) / 10.0**trades.size_decimals
    if volume <= 0:
        raise DataError(f"{source}: no trades during the depth capture")
    total = max(1.0, float(counts.sum()))
    return BookProfile(
        edges_bps=edges,
        depth_per_bps=depth / samples / widths,
        levels_per_bps=levels / samples / widths,
        spread_bps=np.array(spreads),
        mid=float(np.mean(mids)),
        volume_per_minute=volume / span_s * 60.0,
        changes_per_second=float(counts.sum()) / span_s,
        action_mix=(counts[0] / total, counts[1] / total, counts[2] / total),
    )
