"""Order-book features by hand, and their causal join onto bars."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from moonai_tui.domain import BookLevel, OrderBook
from moonai_tui.ml.book_features import book_feature_frame, book_features, join_book_features

MINUTE = 60_000


def _book(ts: int, bids: list[tuple[float, float]], asks: list[tuple[float, float]]) -> OrderBook:
    return OrderBook(
        "BTC/USDT",
        ts,
        tuple(BookLevel(p, s) for p, s in bids),
        tuple(BookLevel(p, s) for p, s in asks),
    )


def test_book_features_by_hand() -> None:
    # mid 100, spread 2 -> 200 bps; top sizes 3 bid / 1 ask.
    book = _book(0, [(99.0, 3.0), (98.0, 1.0)], [(101.0, 1.0), (102.0, 1.0)])

    f = book_features(book, levels=2)

    assert f["book_spread_bps"] == pytest.approx(200.0)
    assert f["book_imbalance"] == pytest.approx((4 - 2) / 6)
    # microprice = (99 * 1 + 101 * 3) / 4 = 100.5 -> +50 bps from mid.
    assert f["book_microprice_bps"] == pytest.approx(50.0)
    # Bid side: distances 100 and 200 bps, cumulative sizes 3 and 4:
    # slope = (100*3 + 200*4) / (100^2 + 200^2) = 1100 / 50000.
    assert f["book_depth_slope_bid"] == pytest.approx(1100 / 50000)
    # Ask side: cumulative 1 and 2 -> (100 + 400) / 50000.
    assert f["book_depth_slope_ask"] == pytest.approx(500 / 50000)


def test_empty_side_gives_nan() -> None:
    f = book_features(_book(0, [(99.0, 1.0)], []))
    assert all(math.isnan(v) for v in f.values())


def test_each_bar_gets_the_last_book_before_its_close() -> None:
    index = pd.date_range("2024-01-01", periods=3, freq="1min", tz="UTC")
    features = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=index)
    t0 = int(index[0].timestamp() * 1000)
    books = book_feature_frame(
        [
            _book(t0 + 10_000, [(99.0, 1.0)], [(101.0, 1.0)]),  # inside bar 0
            _book(t0 + MINUTE, [(99.5, 1.0)], [(100.5, 1.0)]),  # exactly bar 0's close
            _book(t0 + 2 * MINUTE + 5, [(99.9, 1.0)], [(100.1, 1.0)]),  # inside bar 2
        ]
    )

    joined = join_book_features(features, books, pd.Timedelta(minutes=1))

    # Bar 0 closes at t0+60s: the book stamped at the close belongs to the next bar.
    assert joined["book_spread_bps"].round(6).tolist() == [200.0, 100.0, 20.0]
    assert joined["x"].tolist() == [1.0, 2.0, 3.0]
