"""Order-book features, when book data exists (live, or a recorded L2 capture).

Kept apart from :func:`moonai_tui.ml.features.compute_features` because candle history has
no book: a model uses these columns only when its training data had them. Each bar gets
the last book seen at or before its close, so the join is as causal as the candles.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from moonai_tui.domain import OrderBook

BOOK_LEVELS = 10
BOOK_FEATURES = (
    "book_spread_bps",
    "book_imbalance",
    "book_depth_slope_bid",
    "book_depth_slope_ask",
    "book_microprice_bps",
)


def book_features(book: OrderBook, levels: int = BOOK_LEVELS) -> dict[str, float]:
    """Features of one book snapshot (NaN when a side is empty).

    * ``book_spread_bps``: (ask - bid) / mid, in basis points.
    * ``book_imbalance``: (bid size - ask size) / total over the top ``levels``, in [-1, 1].
    * ``book_depth_slope_bid`` / ``_ask``: how fast size accumulates away from mid: the
      least-squares slope through the origin of cumulative size against distance from mid
      in basis points, over the top ``levels`` of that side.
    * ``book_microprice_bps``: (microprice - mid) / mid in basis points, with microprice the
      top-of-book size-weighted price ``(bid * ask_size + ask * bid_size) / (sizes)``.
    """
    nan = {name: float("nan") for name in BOOK_FEATURES}
    if not book.bids or not book.asks:
        return nan
    bid, ask = book.bids[0], book.asks[0]
    mid = (bid.price + ask.price) / 2.0
    top = bid.size + ask.size
    micro = (bid.price * ask.size + ask.price * bid.size) / top if top > 0 else mid
    return {
        "book_spread_bps": (ask.price - bid.price) / mid * 1e4,
        "book_imbalance": _imbalance(book, levels),
        "book_depth_slope_bid": _slope([(mid - b.price, b.size) for b in book.bids[:levels]], mid),
        "book_depth_slope_ask": _slope([(a.price - mid, a.size) for a in book.asks[:levels]], mid),
        "book_microprice_bps": (micro - mid) / mid * 1e4,
    }


def _imbalance(book: OrderBook, levels: int) -> float:
    value = book.imbalance(levels)
    return float("nan") if value is None else value


def _slope(levels: list[tuple[float, float]], mid: float) -> float:
    distance = np.array([d for d, _ in levels]) / mid * 1e4
    cumulative = np.cumsum([size for _, size in levels])
    denominator = float(np.sum(distance**2))
    return float(np.sum(distance * cumulative) / denominator) if denominator > 0 else float("nan")


def book_feature_frame(books: Iterable[OrderBook], levels: int = BOOK_LEVELS) -> pd.DataFrame:
    """Book features per snapshot, indexed by the snapshot time (UTC), oldest first."""
    rows = [(book.ts, book_features(book, levels)) for book in books]
    index = pd.to_datetime([ts for ts, _ in rows], unit="ms", utc=True)
    frame = pd.DataFrame([values for _, values in rows], index=index, columns=list(BOOK_FEATURES))
    return frame.sort_index(kind="stable")


def join_book_features(
    features: pd.DataFrame, books: pd.DataFrame, bar: pd.Timedelta
) -> pd.DataFrame:
    """``features`` plus, per bar, the last book snapshot strictly before the bar's close.

    Args:
        features: Indexed by bar open time.
        books: From :func:`book_feature_frame`.
        bar: The bar length (the close is open + bar).
    """
    # One resolution on both sides: merge_asof refuses to compare ms with ns timestamps.
    last_instant = pd.DatetimeIndex(features.index) + (bar - pd.Timedelta(1, "ms"))
    closes = pd.DataFrame({"close_time": last_instant})
    closes["close_time"] = closes["close_time"].astype("datetime64[ns, UTC]")
    snapshots = books.rename_axis("close_time").reset_index()
    snapshots["close_time"] = snapshots["close_time"].astype("datetime64[ns, UTC]")
    joined = pd.merge_asof(closes, snapshots, on="close_time", direction="backward")
    out = features.copy()
    for name in BOOK_FEATURES:
        out[name] = joined[name].to_numpy()
    return out
