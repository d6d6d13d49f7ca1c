"""A backtest started from the TUI configures the ``ml`` strategy context in its worker:
a spawned process inherits nothing, so without it ``ml`` would read the default config."""

from __future__ import annotations

import json
from pathlib import Path

from moonai_tui.backtest.config import BacktestConfig
from moonai_tui.backtest.data import BarsRequest
from moonai_tui.backtest.jobs import BacktestService, JobDone
from moonai_tui.backtest.tasks import BacktestJob
from moonai_tui.config import Settings

TIMEOUT = 180.0
"""Seconds a worker may stay silent on a busy machine (a fresh process loads numba)."""

PROBE = """
import json

import pandas as pd

from moonai_tui.ml.context import defaults
from moonai_tui.strategy import Strategy


class Probe(Strategy):
    name = "probe"

    def target(self, bars: pd.DataFrame) -> pd.Series:
        seen = defaults()
        with open(OUT, "w") as out:
            json.dump([seen.database_url, seen.min_confidence], out)
        return pd.Series(0.0, index=bars.index)
"""


def test_a_tui_job_carries_the_ml_context_into_its_worker(tmp_path: Path) -> None:
    folder = tmp_path / "strategies"
    folder.mkdir()
    out = tmp_path / "seen.json"
    (folder / "probe.py").write_text(f"OUT = {str(out)!r}\n{PROBE}")
    url = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    settings = Settings(
        database_url=url, ml={"min_confidence": 0.73}, trade={"strategies_dir": folder}
    )
    service = BacktestService.from_settings(settings, lambda: 1_700_000_000_000)
    job = BacktestJob("probe", BarsRequest("ETHUSDT", "1h"), BacktestConfig(), cuts=2)
    last = service.start(job).wait(TIMEOUT)[-1]
    assert isinstance(last, JobDone), last
    assert json.loads(out.read_text()) == [url, 0.73]
