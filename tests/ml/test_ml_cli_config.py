"""``backtest``, ``optimize`` and ``check`` point the ``ml`` strategy at the ``--config``
file's database and ``ml.min_confidence`` (a strategy gets only its parameters)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from moonai_tui.cli import main
from moonai_tui.ml import context


@pytest.mark.parametrize(
    "command",
    [
        ["backtest", "no_such_strategy"],
        ["optimize", "no_such_strategy", "--space", "fast=5,10"],
        ["check", "no_such_strategy"],
    ],
)
def test_commands_configure_the_ml_strategy_from_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'elsewhere.db'}"
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"database_url": url, "ml": {"min_confidence": 0.77}}))
    monkeypatch.setattr(context, "_defaults", None)

    # The strategy does not exist: the command stops with an error after configuring.
    assert main(["--config", str(config), *command]) == 2

    assert context.defaults() == context.MlDefaults(url, 0.77)
