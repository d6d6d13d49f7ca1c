"""Book calibration against statistics computed independently from the shipped L2 slice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sim_data import BTC_DEPTH, BTC_TRADES, ETH_DEPTH, ETH_TRADES

from moonai_tui.sim.book_model import SyntheticBook
from moonai_tui.sim.calibration import BookProfile, calibrate
from moonai_tui.sim.capture_data import read_depth_capture, read_trades_capture


def independent_stats(depth: Path, trades: Path) -> dict[str, float]:
    """Replay the Binance book with floats, sampling after every event (not every 5th)."""
    frame = pd.read_csv(depth)
    snap = frame[frame.type == "snapshot"]
    last_id = int(snap.last_update_id.iloc[0])
    books = {
        side: dict(zip(snap.price[snap.side == side], snap.qty[snap.side == side], strict=True))
        for side in ("b", "a")
    }
    updates = frame[(frame.type == "update") & (frame.last_update_id > last_id)]
    spreads, within5, within10, levels5 = [], [], [], []
    first_t = last_t = None
    for _, event in updates.groupby("last_update_id", sort=False):
        for side, price, qty in zip(event.side, event.price, event.qty, strict=True):
            if qty == 0:
                books[side].pop(price, None)
            else:
                books[side][price] = qty
        first_t = first_t or int(event.event_time_ms.iloc[0])
        last_t = int(event.event_time_ms.iloc[0])
        bid, ask = max(books["b"]), min(books["a"])
        mid = (bid + ask) / 2
        spreads.append((ask - bid) / mid * 1e4)
        prices = np.array(list(books["b"]))
        qty = np.array(list(books["b"].values()))
        distance = (mid - prices) / mid * 1e4
        within5.append(qty[distance <= 5].sum())
        within10.append(qty[distance <= 10].sum())
        levels5.append(int((distance <= 5).sum()))
    tape = pd.read_csv(trades)
    window = tape[(tape.trade_time_ms >= first_t) & (tape.trade_time_ms <= last_t)]
    minutes = (last_t - first_t) / 60_000
    return {
        "spread_bps": float(np.median(spreads)),
        "bid_depth_5bps": float(np.mean(within5)),
        "bid_depth_10bps": float(np.mean(within10)),
        "bid_levels_5bps": float(np.mean(levels5)),
        "volume_per_minute": float(window.qty.sum() / minutes),
    }


CASES = {"BTCUSDT": (BTC_DEPTH, BTC_TRADES), "ETHUSDT": (ETH_DEPTH, ETH_TRADES)}


@pytest.fixture(scope="module", params=list(CASES))
def case(request: pytest.FixtureRequest) -> tuple[BookProfile, dict[str, float]]:
    depth, trades = CASES[request.param]
    profile = calibrate(read_depth_capture(depth), read_trades_capture(trades))
    return profile, independent_stats(depth, trades)


def test_calibrated_spread_and_volume_match_the_slice(
    case: tuple[BookProfile, dict[str, float]],
) -> None:
    profile, expected = case
    assert float(np.median(profile.spread_bps)) == pytest.approx(expected["spread_bps"], rel=0.02)
    assert profile.volume_per_minute == pytest.approx(expected["volume_per_minute"], rel=0.01)


def test_calibrated_depth_profile_matches_the_slice(
    case: tuple[BookProfile, dict[str, float]],
) -> None:
    profile, expected = case
    assert profile.depth_within(5, 0) == pytest.approx(expected["bid_depth_5bps"], rel=0.05)
    assert profile.depth_within(10, 0) == pytest.approx(expected["bid_depth_10bps"], rel=0.05)
    levels5 = float((profile.levels_per_bps[0] * np.diff(profile.edges_bps))[:5].sum())
    assert levels5 == pytest.approx(expected["bid_levels_5bps"], rel=0.05)


def test_synthetic_book_reproduces_the_scaled_profile() -> None:
    profile = calibrate(read_depth_capture(BTC_DEPTH), read_trades_capture(BTC_TRADES))
    target_volume = 2 * profile.volume_per_minute  # a market twice as busy: twice the depth
    model = SyntheticBook(profile, target_volume, 1, 6, np.random.default_rng(11))
    rng = np.random.default_rng(12)
    price, samples = 6_200_000, []
    for step in range(3_000):
        if step % 10 == 0:
            price += int(rng.normal(0, 50))
        model.advance(price, bool(rng.random() < 0.5), step * 125, ())
        if step >= 500 and step % 25 == 0:
            bids = np.array(model.book.bids.top(1000), dtype=np.float64)
            mid = (model.book.bids.best() + model.book.asks.best()) / 2  # type: ignore[operator]
            distance = (mid - bids[:, 0]) / mid * 1e4
            samples.append((bids[distance <= 10, 1].sum() / 1e6, (distance <= 5).sum()))
    depth10, levels5 = np.mean(samples, axis=0)
    assert depth10 == pytest.approx(2 * profile.depth_within(10, 0), rel=0.25)
    expected_levels = float((profile.levels_per_bps[0] * np.diff(profile.edges_bps))[:5].sum())
    assert levels5 == pytest.approx(expected_levels, rel=0.25)
    spreads = [model.book.asks.best() - model.book.bids.best()]  # type: ignore[operator]
    assert spreads == [1]  # BTC spot trades at a one-tick spread, as in the capture
