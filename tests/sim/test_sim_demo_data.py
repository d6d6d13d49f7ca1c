"""The shipped demo data: small, documented and exactly the source rows."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest
from sim_data import DEMO

SHARED = Path("/work/shared/data")
SOURCES = {
    "binance_spot_BTCUSDT_1m_2024-03-01_2024-03-28.csv.gz": (
        "candles/binance_spot_BTCUSDT_1m_2024.csv.gz"
    ),
    "binance_spot_ETHUSDT_1h_2024-03-01_2024-03-28.csv.gz": (
        "candles/binance_spot_ETHUSDT_1h_2024-01-21_2026-01-20.csv.gz"
    ),
    "binance_spot_BTCUSDT_2024-08-08T2354_120s_depth.csv.gz": (
        "orderbook/binance_spot_BTCUSDT_2024-08-08T2354_2024-08-09T0005_depth.csv.gz"
    ),
    "binance_spot_BTCUSDT_2024-08-08T2354_120s_trades.csv.gz": (
        "trades/binance_spot_BTCUSDT_2024-08-08T2354_2024-08-09T0005_trades.csv.gz"
    ),
    "binance_spot_ETHUSDT_2024-08-08T2354_120s_depth.csv.gz": (
        "orderbook/binance_spot_ETHUSDT_2024-08-08T2354_2024-08-09T0005_depth.csv.gz"
    ),
    "binance_spot_ETHUSDT_2024-08-08T2354_120s_trades.csv.gz": (
        "trades/binance_spot_ETHUSDT_2024-08-08T2354_2024-08-09T0005_trades.csv.gz"
    ),
}


TRAINING = "binance_spot_BTCUSDT_1m_2023-12-01_2024-02-29.csv.gz"
"""Three months for `train`, cut from two source files: tests/ml/test_ml_training_data.py."""


def lines(path: Path) -> list[str]:
    with gzip.open(path, "rt") as fh:
        return fh.read().splitlines()


def test_demo_data_is_small_and_documented() -> None:
    files = sorted(p.name for p in DEMO.glob("*.gz"))
    assert files == sorted([*SOURCES, TRAINING])
    # "A few MB at most" ships inside the package.
    assert sum(p.stat().st_size for p in DEMO.iterdir()) < 4_000_000
    provenance = (DEMO / "PROVENANCE.md").read_text()
    for name, source in SOURCES.items():
        assert name in provenance and source in provenance
    assert TRAINING in provenance


def test_candles_cover_four_weeks_without_gaps() -> None:
    btc = lines(DEMO / "binance_spot_BTCUSDT_1m_2024-03-01_2024-03-28.csv.gz")[1:]
    times = [int(row.split(",")[0]) for row in btc]
    assert times[0] == 1_709_251_200_000 and times[-1] == 1_711_670_340_000
    assert len(times) == 28 * 1440 and all(b - a == 60_000 for a, b in itertools.pairwise(times))
    eth = lines(DEMO / "binance_spot_ETHUSDT_1h_2024-03-01_2024-03-28.csv.gz")[1:]
    assert (
        int(eth[0].split(",")[0]) <= times[0] and int(eth[-1].split(",")[0]) + 3_600_000 > times[-1]
    )


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared data set is not on this machine")
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_shipped_rows_are_verbatim_source_rows(name: str) -> None:
    ours = lines(DEMO / name)
    source = lines(SHARED / SOURCES[name])
    assert ours[0] == source[0]  # same header
    if "depth" in name or "trades" in name:
        assert ours == source[: len(ours)]  # a prefix of the capture
    else:
        start = source.index(ours[1])
        assert ours[1:] == source[start : start + len(ours) - 1]
