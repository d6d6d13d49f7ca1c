"""The shipped training candles: three real months right before the simulator's demo month,
used by ``moonai-tui train`` when no data is given, so the demo month stays out of sample."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ml_builders import small_ml_config

import moonai_tui
from moonai_tui.cli import main
from moonai_tui.config import Settings
from moonai_tui.ml.jobs import TrainRequest, load_bars
from moonai_tui.store import open_store

DEMO = Path(moonai_tui.__file__).parent / "data" / "demo"
TRAINING = "binance_spot_BTCUSDT_1m_2023-12-01_2024-02-29.csv.gz"
DEMO_MONTH = "binance_spot_BTCUSDT_1m_2024-03-01_2024-03-28.csv.gz"
SHARED = Path("/work/shared/data/candles")
SOURCES = ("binance_spot_BTCUSDT_1m_2023.csv.gz", "binance_spot_BTCUSDT_1m_2024.csv.gz")
MINUTE_MS = 60_000


def _ms(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)


FIRST_MS = _ms(2023, 12, 1)
DEMO_START_MS = _ms(2024, 3, 1)
"""The training file ends the minute before this (exclusive end of its last bar)."""


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt") as fh:
        return fh.read().splitlines()


def test_training_file_is_three_gapless_months_ending_before_the_demo_month() -> None:
    rows = _lines(DEMO / TRAINING)
    times = [int(row.split(",")[0]) for row in rows[1:]]

    assert (DEMO / TRAINING).stat().st_size < 2_500_000  # shipped in the package
    assert rows[0] == "timestamp_ms,open,high,low,close,volume"
    assert len(times) == (31 + 31 + 29) * 1440  # December, January, leap February
    assert times[0] == FIRST_MS and times[-1] + MINUTE_MS == DEMO_START_MS
    assert all(b - a == MINUTE_MS for a, b in itertools.pairwise(times))
    demo_first = int(_lines(DEMO / DEMO_MONTH)[1].split(",")[0])
    assert demo_first == DEMO_START_MS
    provenance = (DEMO / "PROVENANCE.md").read_text()
    assert TRAINING in provenance and all(f"candles/{s}" in provenance for s in SOURCES)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared data set is not on this machine")
def test_training_rows_are_verbatim_source_rows() -> None:
    ours = _lines(DEMO / TRAINING)
    december, year_2024 = (_lines(SHARED / name) for name in SOURCES)
    assert ours[0] == december[0] == year_2024[0]
    start = december.index(ours[1])
    cut = december[start:] + year_2024[1:]
    assert ours[1:] == cut[: len(ours) - 1]


def _load(settings: Settings, symbol: str, timeframe: str) -> tuple[int, str]:
    async def run() -> tuple[int, str]:
        async with await open_store(settings.database_url) as store:
            bars, source = await load_bars(settings, store, TrainRequest(symbol, timeframe))
        return len(bars), source

    return asyncio.run(run())


def test_default_training_data_is_the_newest_90_days_before_march(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'moonai.db'}")

    assert _load(settings, "BTC/USDT:USDT", "1m") == (
        90 * 1440,
        f"shipped data {TRAINING}",
    )
    # Other markets keep training on their demo candles.
    assert _load(settings, "ETH/USDT", "1h") == (
        28 * 24,
        "shipped data binance_spot_ETHUSDT_1h_2024-03-01_2024-03-28.csv.gz",
    )


def test_train_without_data_ends_before_the_demo_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = small_ml_config(tmp_path, n_estimators=5, train_bars=2000)
    args = ["--config", str(config), "train", "--symbol", "BTC/USDT:USDT", "--timeframe", "1m"]

    assert main([*args, "--json"]) == 0

    data = json.loads(capsys.readouterr().out)["data"]
    assert data["source"] == f"shipped data {TRAINING}"
    assert data["bars"] == 2000
    assert (data["from_ms"], data["until_ms"]) == (DEMO_START_MS - 2000 * MINUTE_MS, DEMO_START_MS)
