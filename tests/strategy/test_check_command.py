"""``moonai-tui check``: exit 0 causal, 1 look-ahead with the bar, 2 cannot run."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

import pandas as pd
import pytest
from strategy_bars import random_bars

from moonai_tui.cli import main
from moonai_tui.domain import Bar
from moonai_tui.store import open_store

PEEK = """\
import pandas as pd
from moonai_tui.strategy import Strategy


class Peek(Strategy):
    slow: int = 8

    def warmup(self) -> int:
        return self.slow

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].shift(-1)
        sign = (close - close.rolling(self.slow).mean()).gt(0).astype(float) * 2 - 1
        return sign.where(close.rolling(self.slow).mean().notna())
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, str]:
    """A config pointing at a temporary strategies folder and database, and a candle file."""
    folder = tmp_path / "strategies"
    folder.mkdir()
    (folder / "peek.py").write_text(PEEK, encoding="utf-8")
    (folder / "sma_cross.py").write_text(
        Path("strategies/sma_cross.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database_url: '{url}'\ntrade:\n  strategies_dir: '{folder}'\n", encoding="utf-8"
    )
    bars = random_bars(2_000)
    data = tmp_path / "candles.csv.gz"
    frame = pd.DataFrame({"timestamp_ms": ms(bars), **{c: bars[c] for c in bars.columns}})
    with gzip.open(data, "wt", encoding="utf-8") as handle:
        frame.to_csv(handle, index=False)
    return config, data, url


def ms(bars: pd.DataFrame) -> list[int]:
    return list((bars.index - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(1, "ms"))


def test_builtin_on_the_demo_data_is_causal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "sma_cross", "--cuts", "20"]) == 0
    out = capsys.readouterr().out
    assert "demo binance_spot_BTCUSDT_1m" in out and "40,320 bars" in out
    assert "sma_cross: causal" in out
    # slow (30) + the 50-bar margin: the short live window is proven, not assumed.
    assert "live window of 80 bars: same target as the full history" in out


def test_planted_leak_exits_1_naming_the_bar(
    setup: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data, _ = setup
    assert main(["--config", str(config), "check", "peek", "--data", str(data)]) == 1
    out = capsys.readouterr().out
    # The shifted close makes rolling(8) valid from bar 7 (2024-01-01 00:07) on the full history.
    assert "LOOK-AHEAD at bar 7 (2024-01-01 00:07 UTC)" in out
    assert (
        main(["--config", str(config), "check", "peek", "--data", str(data), "--param", "slow=20"])
        == 1
    )
    assert "LOOK-AHEAD at bar 19 (2024-01-01 00:19 UTC)" in capsys.readouterr().out


def test_candles_from_the_database(
    setup: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, _, url = setup
    bars = random_bars(600)
    stored = [
        Bar(t, *row)
        for t, row in zip(
            ms(bars),
            bars[["open", "high", "low", "close", "volume"]].to_numpy().tolist(),
            strict=True,
        )
    ]

    async def store_bars() -> None:
        async with await open_store(url) as store:
            await store.upsert_candles("ETH/USDT:USDT", "1m", stored)

    asyncio.run(store_bars())
    argv = ["--config", str(config), "check", "sma_cross", "--symbol", "ETH/USDT:USDT"]
    assert main([*argv, "--timeframe", "1m"]) == 0
    assert "ETH/USDT:USDT 1m (database): 600 bars" in capsys.readouterr().out
    assert main([*argv, "--timeframe", "1h"]) == 2
    assert "no ETH/USDT:USDT 1h candles in the database" in capsys.readouterr().err
    assert main(["--config", str(config), "check", "peek", "--symbol", "ETH/USDT:USDT"]) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["check", "sma_cross", "--param", "fsat=3"],
            "unknown parameter 'fsat'; did you mean 'fast'?",
        ),
        (["check", "sma_cross", "--param", "fast"], "expected NAME=VALUE"),
        (["check", "nope"], "nope.py: no such strategy file"),
        (["check", "sma_cross", "--data", "missing.csv"], "missing.csv"),
        (["check", "sma_cross", "--timeframe", "5m"], "no demo candles for BTCUSDT 5m"),
    ],
)
def test_errors_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_broken_strategy_file_exits_2(
    setup: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data, _ = setup
    (config.parent / "strategies" / "bad.py").write_text("x = (\n", encoding="utf-8")
    assert main(["--config", str(config), "check", "bad", "--data", str(data)]) == 2
    assert "bad.py:1: syntax error" in capsys.readouterr().err
