"""Config loading: good files load, every kind of bad input is one clear line and exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from moonai_tui.cli import main
from moonai_tui.config import Settings, load_settings
from moonai_tui.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_and_documents_every_setting() -> None:
    path = REPO / "config" / "config.yaml"
    settings = load_settings(path)
    assert settings.market == "sim" and settings.trading == "paper"
    raw = yaml.safe_load(path.read_text())
    # Every field of every section appears in the shipped file, so the file is the reference.
    assert set(raw) == set(Settings.model_fields)
    for section in ("sim", "feeds", "ui", "risk", "trade", "bybit"):
        model = type(getattr(settings, section))
        assert set(raw[section]) == set(model.model_fields), section


def test_shipped_config_matches_defaults() -> None:
    assert load_settings(REPO / "config" / "config.yaml") == Settings()


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "sim:\n  speed: 10\n")
    monkeypatch.setenv("MOONAI_SIM__SPEED", "60")
    monkeypatch.setenv("MOONAI_MARKET", "bybit")
    settings = load_settings(path)
    assert settings.sim.speed == 60
    assert settings.market == "bybit"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("markte: sim\n", r"unknown key 'markte'"),
        ("sim:\n  sped: 3\n", r"unknown key 'sim\.sped'"),
        ("sim:\n  speed: fast\n", r"sim\.speed: .*number.*'fast'"),
        ("sim:\n  speed: -5\n", r"sim\.speed: .*greater than 0.*-5"),
        ("sim:\n  port: 70000\n", r"sim\.port: .*less than or equal to 65535"),
        ("market: kraken\n", r"market: .*'sim', 'bybit' or 'bybit-testnet'.*'kraken'"),
        ("timeframe: 7m\n", r"timeframe: expected one of 1m"),
        ("feeds:\n  order_book_depth: 25\n", r"feeds\.order_book_depth"),
        ("sim: [1, 2\n", r"invalid YAML at line 2"),
        ("- just\n- a list\n", r"expected a mapping"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert re.search(expected, message), message


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found"):
        load_settings(tmp_path / "nope.yaml")


@pytest.mark.parametrize("text", ["markte: sim\n", "sim: [1, 2\n", "sim:\n  speed: -1\n"])
def test_cli_exits_2_with_one_line_and_no_traceback(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, text)
    code = main(["--config", str(path), "--no-ui", "--duration", "1"])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("moonai-tui: error: ") and str(path) in lines[0]
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_cli_missing_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(tmp_path / "missing.yaml"), "--no-ui", "--duration", "1"])
    assert code == 2
    assert "missing.yaml: file not found" in capsys.readouterr().err
