"""Running the shipped commands as separate processes, as a user would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "moonai_tui.cli"]
REPO = Path(__file__).resolve().parents[2]


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any MOONAI_ variable, plus ``settings`` (MOONAI_ names)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MOONAI_")}
    env.update(settings)
    return env


def start(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """``moonai-tui ARGS`` in ``cwd`` with text pipes for stdout and stderr."""
    return subprocess.Popen(
        [*CLI, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def start_sim(cwd: Path, env: dict[str, str], *extra: str) -> tuple[subprocess.Popen[str], str]:
    """``moonai-tui sim --port 0`` and the URL its first line announces."""
    process = start(["sim", "--port", "0", *extra], cwd, env)
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("Moon AI ByBit v5 simulator serving http://127.0.0.1:"), first
    return process, first.split()[6]


def stop(process: subprocess.Popen[str], signum: int = signal.SIGINT) -> tuple[str, str]:
    """Signal ``process``, wait for it, return its remaining stdout and stderr."""
    process.send_signal(signum)
    return process.communicate(timeout=30)


def run_python(script: str) -> subprocess.CompletedProcess[str]:
    """Run a Python script in a fresh interpreter (a user's own ccxt program)."""
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
