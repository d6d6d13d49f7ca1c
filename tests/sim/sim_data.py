"""Independent readers of the shipped demo files (plain pandas, no simulator code)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import moonai_tui

DEMO = Path(moonai_tui.__file__).parent / "data" / "demo"
BTC_1M = DEMO / "binance_spot_BTCUSDT_1m_2024-03-01_2024-03-28.csv.gz"
ETH_1H = DEMO / "binance_spot_ETHUSDT_1h_2024-03-01_2024-03-28.csv.gz"
BTC_DEPTH = DEMO / "binance_spot_BTCUSDT_2024-08-08T2354_120s_depth.csv.gz"
BTC_TRADES = DEMO / "binance_spot_BTCUSDT_2024-08-08T2354_120s_trades.csv.gz"
ETH_DEPTH = DEMO / "binance_spot_ETHUSDT_2024-08-08T2354_120s_depth.csv.gz"
ETH_TRADES = DEMO / "binance_spot_ETHUSDT_2024-08-08T2354_120s_trades.csv.gz"


def candles(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


def replay_binance_book(
    path: Path, until_ms: int | None = None
) -> tuple[dict[float, float], dict[float, float], list[int]]:
    """Rebuild a Binance spot book (floats) from a depth CSV by Binance's rules.

    Returns:
        (bids, asks, applied event times).
    """
    frame = pd.read_csv(path)
    snap = frame[frame["type"] == "snapshot"]
    last_id = int(snap["last_update_id"].iloc[0])
    bids = {
        float(p): float(q)
        for p, q in zip(snap.price[snap.side == "b"], snap.qty[snap.side == "b"], strict=True)
    }
    asks = {
        float(p): float(q)
        for p, q in zip(snap.price[snap.side == "a"], snap.qty[snap.side == "a"], strict=True)
    }
    updates = frame[(frame["type"] == "update") & (frame["last_update_id"] > last_id)]
    times: list[int] = []
    for _, event in updates.groupby("last_update_id", sort=False):
        time_ms = int(event["event_time_ms"].iloc[0])
        if until_ms is not None and time_ms > until_ms:
            break
        times.append(time_ms)
        for side, price, qty in zip(event.side, event.price, event.qty, strict=True):
            book = bids if side == "b" else asks
            if qty == 0:
                book.pop(float(price), None)
            else:
                book[float(price)] = float(qty)
    return bids, asks, times
