"""``moonai-tui train`` and ``moonai-tui models``: JSON report, registry, promote, rollback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pandas as pd
import pytest
from ml_builders import real_bars, small_ml_config

from moonai_tui.cli import main
from moonai_tui.store import open_store
from moonai_tui.store.records import AuditRecord

SYMBOL = "BTC/USDT:USDT"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """A config with a private database and models folder, and a 3,000-bar real data file."""
    config = small_ml_config(tmp_path, n_estimators=10)
    bars = real_bars(3000, start=30_000)
    data = tmp_path / "bars.csv"
    frame = bars.reset_index(drop=True)
    epoch = pd.Timestamp(0, tz="UTC")
    frame.insert(0, "timestamp_ms", (bars.index - epoch) // pd.Timedelta(1, "ms"))
    frame.to_csv(data, index=False)
    return config, data


def _train(config: Path, data: Path, *extra: str) -> list[str]:
    return ["--config", str(config), "train", "--symbol", SYMBOL, "--timeframe", "1m",
            "--data", str(data), *extra]  # fmt: skip


def test_train_json_reports_oos_metrics_and_registers(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data = setup

    assert main(_train(config, data, "--json", "--promote")) == 0

    report = json.loads(capsys.readouterr().out)
    for key in ("log_loss", "brier", "accuracy", "balanced_accuracy", "calibration"):
        assert isinstance(report[key], (float, dict))
    assert set(report["baselines"]) == {"majority", "persistence"}
    assert len(report["folds"]) == 2
    backtest = report["backtest"]
    assert backtest is not None and backtest["taker_fee"] > 0
    for key in ("total_return", "sharpe", "max_drawdown", "trades", "fees_paid"):
        assert key in backtest
    assert report["leakage"]["causality"]["ok"]
    assert (report["version"], report["active"], report["data"]["bars"]) == (1, True, 3000)
    assert Path(report["artifact"]).is_file()
    assert Path(report["artifact"]).parent.parent == config.parent / "models"

    assert main(["--config", str(config), "models", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["id"], listed["active"], listed["log_loss"]) == (
        report["id"],
        True,
        report["log_loss"],
    )


def test_promote_and_rollback_from_the_cli(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data = setup
    assert main(_train(config, data, "--json", "--promote")) == 0
    capsys.readouterr()
    assert main(_train(config, data, "--json", "--no-promote", "--model", "logreg")) == 0
    second = json.loads(capsys.readouterr().out)
    assert (second["version"], second["model"], second["active"]) == (2, "logreg", False)

    assert main(["--config", str(config), "models", "promote", "2"]) == 0
    assert "v2 (id 2) is active" in capsys.readouterr().out
    assert main(["--config", str(config), "models", "rollback", "--symbol", SYMBOL]) == 0
    assert "v1 (id 1) is active" in capsys.readouterr().out
    assert main(["--config", str(config), "models", "list"]) == 0
    table = capsys.readouterr().out
    assert "   1* BTC/USDT:USDT 1m" in table and "   2x BTC/USDT:USDT 1m" in table
    audit = [(a.actor, a.action, a.target, a.detail) for a in _audit(config.parent)]
    assert audit == [
        ("cli", "model_promote", "BTC/USDT:USDT 1m", "v2"),
        ("cli", "model_rollback", "BTC/USDT:USDT 1m", "v1"),
    ]


def _audit(folder: Path) -> list[AuditRecord]:
    async def read() -> list[AuditRecord]:
        async with await open_store(f"sqlite+aiosqlite:///{folder / 'moonai.db'}") as store:
            return await store.journal.audit()

    return asyncio.run(read())


def test_bad_input_is_one_line_and_exit_2(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, data = setup

    assert main(_train(config, tmp_path / "missing.csv")) == 2
    assert main(_train(config, data, "--since", "yesterday")) == 2
    assert main(["--config", str(config), "models", "promote", "42"]) == 2

    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3
    assert "missing.csv" in lines[0]
    assert "--since 'yesterday': expected an ISO date" in lines[1]
    assert "model version id 42 does not exist" in lines[2]
