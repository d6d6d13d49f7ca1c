"""`moonai-tui ctl` against a real headless engine process: status, kill flattens, latch holds."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from .processes import CLI, REPO, clean_env, start, stop

pytestmark = pytest.mark.timeout(120)


def _env() -> dict[str, str]:
    return clean_env(
        MOONAI_SIM__SPEED="1200",
        MOONAI_APPROVAL="auto",
        MOONAI_TRADE__STRATEGIES='["sma_cross"]',
        MOONAI_TRADE__STRATEGIES_DIR=str(REPO / "strategies"),
    )


def ctl(folder: Path, *words: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "ctl", *words], cwd=folder, env=_env(), capture_output=True, text=True, timeout=30
    )


def test_ctl_without_engine_says_so_and_exits_3(tmp_path: Path) -> None:
    result = ctl(tmp_path, "status")
    assert result.returncode == 3
    assert "no Moon AI engine is running" in result.stderr


def test_ctl_kill_flattens_a_running_engine_and_the_latch_survives_restart(tmp_path: Path) -> None:
    engine = start(["--no-ui"], tmp_path, _env())
    try:
        assert engine.stdout is not None
        for line in engine.stdout:
            if " fill " in line:  # the strategy traded: a position is open
                break
        status = ctl(tmp_path, "status")
        assert status.returncode == 0, status.stderr
        assert "sma_cross" in status.stdout and "armed" in status.stdout
        killed = ctl(tmp_path, "kill", "test", "run")
        assert killed.returncode == 0, killed.stderr
        after = ctl(tmp_path, "status")
        assert "LATCHED" in after.stdout
        # The closing order fills on the next book; ask until flat (bounded, no sleeps).
        for _ in range(100):
            if "position " not in after.stdout:
                break
            after = ctl(tmp_path, "status")
        assert "position " not in after.stdout, after.stdout
        assert ctl(tmp_path, "approve", "abc").returncode == 2
        assert ctl(tmp_path, "reject", "999").returncode == 1
    finally:
        stop(engine, signal.SIGTERM)
    assert engine.returncode == 0
    assert not (tmp_path / ".moonai" / "control.sock").exists()

    again = start(["--no-ui"], tmp_path, _env())
    try:
        assert again.stdout is not None
        for line in again.stdout:
            if "engine started" in line:
                break
        status = ctl(tmp_path, "status")
        assert "LATCHED" in status.stdout
        assert ctl(tmp_path, "reset-kill").returncode == 0
        assert "armed" in ctl(tmp_path, "status").stdout
    finally:
        stop(again, signal.SIGTERM)
