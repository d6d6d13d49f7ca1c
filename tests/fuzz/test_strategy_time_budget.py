"""A strategy stuck in an infinite loop is stopped by a time budget; the engine keeps going.

Syntax errors, failing imports and exceptions inside callbacks are covered by
tests/strategy (one line naming file and line; the failing strategy is stopped
alone). This is the remaining hostile case: ``target()`` that never returns. It
runs a real headless engine in its own process (a hang must not take pytest
down with it), lets the strategy start normally, then makes it spin at a later
bar close, and requires within a bound: an error notice naming the strategy,
then further candles, i.e. the event loop was not captured.
"""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from integration.processes import clean_env, start

pytestmark = pytest.mark.timeout(90)

SPIN = """
import pandas as pd

from moonai_tui.strategy import Strategy

CALLS = [0]


class Spin(Strategy):
    name = "spin"

    def warmup(self) -> int:
        return 2

    def target(self, bars: pd.DataFrame) -> pd.Series:
        CALLS[0] += 1
        if CALLS[0] >= 3:  # fine at start, then stuck at a later bar close
            print("SPINNING", flush=True)
            while True:
                pass
        return pd.Series(0.0, index=bars.index)
"""

BUDGET_BOUND_SECONDS = 10.0
"""How long the engine may stay captured before the test calls the loop unguarded."""


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """stdout lines as they come, from a reader thread (a hung engine writes nothing)."""
    found: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            found.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return found


def next_line(lines: queue.Queue[str], deadline: float) -> str | None:
    try:
        return lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        return None


def test_a_spinning_strategy_is_stopped_and_the_engine_carries_on(tmp_path: Path) -> None:
    folder = tmp_path / "strategies"
    folder.mkdir()
    (folder / "spin.py").write_text(SPIN)
    env = clean_env(
        MOONAI_SIM__SPEED="1200",
        MOONAI_APPROVAL="auto",
        MOONAI_TRADE__STRATEGIES='["spin"]',
        MOONAI_TRADE__STRATEGIES_DIR=str(folder),
    )
    engine = start(["--no-ui"], tmp_path, env)
    lines = lines_of(engine)
    try:
        deadline = time.monotonic() + 60
        while (line := next_line(lines, deadline)) is not None and "SPINNING" not in line:
            pass
        assert line is not None, "the strategy never reached its loop"
        deadline = time.monotonic() + BUDGET_BOUND_SECONDS
        notice = None
        while (line := next_line(lines, deadline)) is not None:
            if notice is None and "error:" in line and "spin" in line:
                notice = line
            elif notice is not None and " candle " in line:
                break  # the engine is streaming again
        assert notice is not None, "no error notice about the spinning strategy"
        assert line is not None, "no candle after the notice: the engine is still captured"
    finally:
        engine.send_signal(signal.SIGTERM)
        try:
            engine.wait(timeout=3)
        except subprocess.TimeoutExpired:
            engine.kill()  # captured by the loop: its signal handler never runs
            engine.wait(timeout=10)
