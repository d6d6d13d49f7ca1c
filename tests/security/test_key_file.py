"""API keys come only from the environment or a private key file, and errors never echo them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from moonai_tui.cli import main
from moonai_tui.config import load_settings
from moonai_tui.errors import ConfigError

KEY = "kf-test-key-7Q2mZ"
SECRET = "kf-test-secret-Vb81x"


@pytest.fixture(autouse=True)
def _no_moonai_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MOONAI_"):
            monkeypatch.delenv(name)


def key_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "api_keys.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def settings_file(tmp_path: Path, keys: Path, extra: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"bybit:\n  key_file: {keys}\n{extra}", encoding="utf-8")
    return path


def test_private_key_file_provides_both_keys(tmp_path: Path) -> None:
    keys = key_file(tmp_path, f'bybit:\n  api_key: "{KEY}"\n  api_secret: "{SECRET}"\n')
    settings = load_settings(settings_file(tmp_path, keys))
    assert settings.bybit.api_key is not None and settings.bybit.api_secret is not None
    assert settings.bybit.api_key.get_secret_value() == KEY
    assert settings.bybit.api_secret.get_secret_value() == SECRET
    # SecretStr everywhere: neither repr, str nor a JSON dump of the settings shows them.
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert KEY not in text and SECRET not in text


def test_read_only_for_owner_is_accepted(tmp_path: Path) -> None:
    keys = key_file(tmp_path, f'bybit:\n  api_key: "{KEY}"\n', mode=0o400)
    settings = load_settings(settings_file(tmp_path, keys))
    assert settings.bybit.api_key is not None and settings.bybit.api_secret is None


def test_environment_wins_over_the_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = key_file(tmp_path, f'bybit:\n  api_key: "{KEY}"\n  api_secret: "{SECRET}"\n')
    monkeypatch.setenv("MOONAI_BYBIT__API_KEY", "from-the-environment")
    settings = load_settings(settings_file(tmp_path, keys))
    assert settings.bybit.api_key is not None and settings.bybit.api_secret is not None
    assert settings.bybit.api_key.get_secret_value() == "from-the-environment"
    assert settings.bybit.api_secret.get_secret_value() == SECRET


def test_missing_key_file_means_no_keys(tmp_path: Path) -> None:
    settings = load_settings(settings_file(tmp_path, tmp_path / "absent.yaml"))
    assert settings.bybit.api_key is None and settings.bybit.api_secret is None


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666, 0o700 | 0o004])
def test_key_file_others_can_read_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    keys = key_file(tmp_path, f'bybit:\n  api_key: "{KEY}"\n  api_secret: "{SECRET}"\n', mode)
    with pytest.raises(ConfigError) as info:
        load_settings(settings_file(tmp_path, keys))
    message = str(info.value)
    assert message.startswith(str(keys)) and "\n" not in message
    assert f"mode {mode:03o}" in message
    assert message.endswith(f"chmod 600 {keys}")
    assert KEY not in message and SECRET not in message


def test_key_file_of_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = key_file(tmp_path, f'bybit:\n  api_key: "{KEY}"\n')
    owner = keys.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    with pytest.raises(ConfigError, match=r"not by you .*chown"):
        load_settings(settings_file(tmp_path, keys))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"bybit:\n  api_key: '{KEY}\n", "invalid YAML at line"),
        (f"bybit:\n  api_kee: '{KEY}'\n", "unknown key 'bybit.api_kee'"),
        (f"bybit: '{KEY}'\n", "bybit: expected a mapping"),
        (f"binance:\n  api_key: '{KEY}'\n", "expected only a 'bybit:' section"),
        (f"- '{KEY}'\n", "expected only a 'bybit:' section"),
        ("bybit:\n  api_key: 123456789012\n", "bybit.api_key: expected a non-empty quoted string"),
        ("bybit:\n  api_secret: ''\n", "bybit.api_secret: expected a non-empty quoted string"),
    ],
)
def test_malformed_key_file_is_one_line_without_the_values(
    tmp_path: Path, text: str, expected: str
) -> None:
    keys = key_file(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(settings_file(tmp_path, keys))
    message = str(info.value)
    assert message.startswith(str(keys)) and "\n" not in message
    assert expected in message, message
    assert KEY not in message and "123456789012" not in message


@pytest.mark.parametrize("field", ["api_key", "api_secret"])
def test_keys_in_the_settings_file_are_refused(tmp_path: Path, field: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"bybit:\n  {field}: '{SECRET}'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert f"bybit.{field}: API keys are not read from the settings file" in message
    assert f"MOONAI_BYBIT__{field.upper()}" in message and "chmod 600" in message
    assert SECRET not in message


def test_invalid_secret_value_is_not_echoed() -> None:
    # A non-string key (e.g. an all-digit key YAML read as a number) must not be quoted back.
    with pytest.raises(ConfigError) as info:
        load_settings(overrides={"bybit": {"api_key": 987654321987, "api_secret": "x" * 8}})
    message = str(info.value)
    assert "bybit.api_key" in message and "987654321987" not in message


def test_cli_refuses_open_key_file_with_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = key_file(tmp_path, f'bybit:\n  api_key: "{KEY}"\n', mode=0o644)
    code = main(["--config", str(settings_file(tmp_path, keys)), "--no-ui", "--duration", "1"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip().splitlines() == [
        f"moonai-tui: error: {keys}: mode 644 lets other users read the API keys; "
        f"allow only yourself with: chmod 600 {keys}"
    ]
    assert KEY not in captured.err + captured.out


def test_key_file_is_git_ignored_and_the_example_is_not_a_key_file() -> None:
    repo = Path(__file__).resolve().parents[2]
    ignored = (repo / ".gitignore").read_text().splitlines()
    assert "config/api_keys.yaml" in ignored
    assert load_settings(repo / "config" / "config.yaml").bybit.key_file == Path(
        "config/api_keys.yaml"
    )
