"""Depth-limited deltas: a client applying snapshot + deltas holds exactly the server's view."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sim_data import BTC_DEPTH, BTC_TRADES

from moonai_tui.sim.book_model import SyntheticBook
from moonai_tui.sim.calibration import calibrate
from moonai_tui.sim.capture_data import read_depth_capture, read_trades_capture
from moonai_tui.sim.l2book import DepthDelta, L2Book

DEPTHS = (1, 5, 50, 200)


class Client:
    """What a ByBit client does: reset on snapshot, upsert on delta, size 0 deletes."""

    def __init__(self, book: L2Book, depth: int) -> None:
        bids, asks = book.top(depth)
        self.bids, self.asks = dict(bids), dict(asks)

    def apply(self, delta: DepthDelta) -> None:
        for levels, rows in ((self.bids, delta.bids), (self.asks, delta.asks)):
            for price, size in rows:
                if size == 0:
                    assert price in levels, "delete of an unknown level"
                    del levels[price]
                else:
                    levels[price] = size

    def view(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        return sorted(self.bids.items(), reverse=True), sorted(self.asks.items())


def test_random_updates_keep_every_depth_view_exact() -> None:
    rng = random.Random(3)
    book = L2Book()
    book.begin(())
    for _i in range(300):
        book.set(True, 10_000 - rng.randrange(1, 400), rng.randrange(1, 50))
        book.set(False, 10_000 + rng.randrange(0, 400), rng.randrange(1, 50))
    book.commit()
    clients = {depth: Client(book, depth) for depth in DEPTHS}
    for _ in range(500):
        book.begin(DEPTHS)
        for _ in range(rng.randrange(0, 12)):
            is_bid = rng.random() < 0.5
            price = 10_000 - rng.randrange(1, 400) if is_bid else 10_000 + rng.randrange(0, 400)
            # Deletes, inserts and resizes, sometimes the same level twice in one update.
            book.set(is_bid, price, 0 if rng.random() < 0.45 else rng.randrange(1, 50))
        deltas = book.commit()
        for depth, client in clients.items():
            client.apply(deltas[depth])
            assert client.view() == book.top(depth), depth


def test_an_unchanged_update_sends_nothing() -> None:
    book = L2Book()
    book.begin(())
    book.set(True, 99, 5)
    book.set(False, 101, 5)
    book.commit()
    book.begin((50,))
    book.set(True, 99, 7)
    book.set(True, 99, 5)  # back to where it was
    assert not book.commit()[50]


def test_synthetic_book_deltas_rebuild_its_top_levels_exactly() -> None:
    profile = calibrate(read_depth_capture(BTC_DEPTH), read_trades_capture(BTC_TRADES))
    model = SyntheticBook(profile, 40.0, 10, 3, np.random.default_rng(5))
    price = 6_500_000
    model.advance(price, True, 0, ())
    clients = {depth: Client(model.book, depth) for depth in (1, 50, 1000)}
    rng = np.random.default_rng(6)
    for step in range(1, 400):
        if step % 5 == 0:
            price += int(rng.normal(0, 80)) * 10
        if step == 200:
            price += 200_000  # a 3 % jump (the data loop): the book is rebuilt
        deltas = model.advance(price, bool(rng.random() < 0.5), step * 100, (1, 50, 1000))
        for depth, client in clients.items():
            client.apply(deltas[depth])
            assert client.view() == model.book.top(depth)
        best_bid, best_ask = model.book.bids.best(), model.book.asks.best()
        assert best_bid is not None and best_ask is not None and best_bid < best_ask
        assert price in (best_bid, best_ask)  # the touch sits at the last price
        assert best_bid % 10 == 0 and best_ask % 10 == 0  # on the 0.10 tick


@pytest.mark.parametrize("depth", [1, 50])
def test_deltas_only_touch_the_streamed_depth(depth: int) -> None:
    book = L2Book()
    book.begin(())
    for i in range(1, 100):
        book.set(True, 1_000 - i, 1)
    book.commit()
    book.begin((depth,))
    book.set(True, 800, 3)  # far outside the view
    assert not book.commit()[depth]
