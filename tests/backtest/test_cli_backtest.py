"""``moonai-tui backtest`` and ``optimize`` in-process: reports, storage, refusals, errors.

The hand-made file below has 10 one-minute bars from 01:00 UTC (no funding time inside).
Strategy ``hand`` targets +1 on bars ``enter..leave-1`` and 0 elsewhere. With the default
risk settings (equity 10,000, risk 1 %, stop 2 %) and ``--taker-fee 0.001``, worked by hand:

* target turns +1 at bar 2 -> buy at bar 3's open 100; qty = 10,000 x 1 % / (100 x 2 %)
  = 50 (notional 5,000, under the 100 % cap); fee 50 x 100 x 0.001 = 5.
* target turns 0 at bar 5 -> sell at bar 6's open 101; fee 50 x 101 x 0.001 = 5.05.
* pnl = 50 x 1 - 5 - 5.05 = 39.95; final equity 10,039.95; total return 0.3995 %.
* equity at the closes: 10,000 x3, 9,995 (100 - fee), 10,020 (100.5), 10,045 (101), then
  10,039.95: the deepest fall is from the 10,045 peak: 5.05 / 10,045.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from moonai_tui.cli import main
from moonai_tui.commands.backtest import StderrProgress
from moonai_tui.store import open_store
from moonai_tui.store.backtests import BacktestRunRecord, BacktestRunSummary

HAND = """\
import numpy as np
import pandas as pd
from moonai_tui.strategy import Strategy


class Hand(Strategy):
    enter: int = 2
    leave: int = 5

    def target(self, bars: pd.DataFrame) -> pd.Series:
        out = np.zeros(len(bars))
        out[self.enter : self.leave] = 1.0
        out[0] = np.nan
        return pd.Series(out, index=bars.index)
"""

PEEK = """\
import pandas as pd
from moonai_tui.strategy import Strategy


class Peek(Strategy):
    def target(self, bars: pd.DataFrame) -> pd.Series:
        up = bars["close"].shift(-1) > bars["close"]
        return up.astype(float)
"""

BROKEN = "from moonai_tui.strategy import Strategy\n\nclass Broken(Strategy)\n    pass\n"

ROWS = [
    (100, 100.5, 99.5, 100),
    (100, 100.5, 99.5, 100),
    (100, 100.5, 99.5, 100),
    (100, 100.6, 99.6, 100),
    (100, 100.8, 99.9, 100.5),
    (100.5, 101.2, 100.4, 101),
    (101, 101.3, 100.7, 101),
    (101, 101.3, 100.7, 101),
    (101, 101.3, 100.7, 101),
    (101, 101.3, 100.7, 101),
]
START_MS = 1_709_254_800_000  # 2024-03-01 01:00 UTC
MINUTE = 60_000


@pytest.fixture
def env(tmp_path: Path) -> tuple[Path, Path, str]:
    """A config (temporary database and strategies folder) and the hand-made candle file."""
    folder = tmp_path / "strategies"
    folder.mkdir()
    (folder / "hand.py").write_text(HAND, encoding="utf-8")
    (folder / "peek.py").write_text(PEEK, encoding="utf-8")
    (folder / "broken.py").write_text(BROKEN, encoding="utf-8")
    for name in ("sma_cross", "mean_reversion", "breakout"):
        source = Path("strategies") / f"{name}.py"
        (folder / f"{name}.py").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database_url: '{url}'\ntrade:\n  strategies_dir: '{folder}'\n", encoding="utf-8"
    )
    data = tmp_path / "bars.csv"
    lines = ["timestamp_ms,open,high,low,close,volume"]
    lines += [f"{START_MS + i * MINUTE},{o},{h},{lo},{c},1" for i, (o, h, lo, c) in enumerate(ROWS)]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config, data, url


def _runs(url: str) -> list[BacktestRunSummary]:
    async def read() -> list[BacktestRunSummary]:
        async with await open_store(url) as store:
            return await store.backtests.recent()

    return asyncio.run(read())


def _load(url: str, run_id: int) -> BacktestRunRecord | None:
    async def read() -> BacktestRunRecord | None:
        async with await open_store(url) as store:
            return await store.backtests.load(run_id)

    return asyncio.run(read())


def _hand(config: Path, data: Path, *extra: str) -> list[str]:
    return [
        "--config",
        str(config),
        "backtest",
        "hand",
        "--data",
        str(data),
        "--symbol",
        "TESTUSDT",
        "--timeframe",
        "1m",
        "--taker-fee",
        "0.001",
        "--slippage-bps",
        "0",
        *extra,
    ]


def test_json_report_matches_the_hand_computation_and_is_stored(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data, url = env
    assert main(_hand(config, data, "--json")) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("run_id", "total_return", "sharpe", "max_drawdown", "trades", "final_equity"):
        assert key in report
    assert report["trades"] == 1
    assert report["final_equity"] == pytest.approx(10_039.95, abs=1e-9)
    assert report["total_return"] == pytest.approx(0.003995, abs=1e-12)
    assert report["max_drawdown"] == pytest.approx(5.05 / 10_045, abs=1e-12)
    assert report["bars"] == 10 and report["params"] == {"enter": 2, "leave": 5}
    assert "causal" in report["causality"]
    record = _load(url, report["run_id"])
    assert record is not None
    assert record.summary.metrics["final_equity"] == pytest.approx(10_039.95, abs=1e-9)
    (trade,) = record.trades
    assert (trade.side, trade.entry_ms, trade.exit_ms) == (
        "long",
        START_MS + 3 * MINUTE,
        START_MS + 6 * MINUTE,
    )
    assert (trade.qty, trade.entry_price, trade.exit_price) == (50, 100, 101)
    assert trade.fees == pytest.approx(10.05) and trade.pnl == pytest.approx(39.95)
    assert record.equity == pytest.approx([10_000] * 3 + [9_995, 10_020, 10_045] + [10_039.95] * 4)


def test_table_output_names_the_run_and_the_metrics(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data, url = env
    assert main(_hand(config, data, "--param", "leave=6")) == 0
    out = capsys.readouterr().out
    (run,) = _runs(url)
    assert out.startswith(f"run #{run.id}: backtest hand(enter=2, leave=6)")
    assert "total_return" in out and "final_equity" in out and "max_drawdown" in out


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("enter=abc", "parameter 'enter' must be int, got 'abc'"),
        ("entr=3", "unknown parameter 'entr'; did you mean 'enter'?"),
        ("enter", "expected NAME=VALUE"),
    ],
)
def test_a_bad_parameter_is_one_clear_line_and_exit_2(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str], param: str, expected: str
) -> None:
    config, data, url = env
    assert main(_hand(config, data, "--param", param)) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert _runs(url) == []


def test_a_bad_strategy_file_names_the_file_and_line(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data, _ = env
    args = ["--config", str(config), "backtest", "broken", "--data", str(data)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "broken.py:3: syntax error" in err and "Traceback" not in err
    assert main(["--config", str(config), "backtest", "missing", "--data", str(data)]) == 2
    assert "missing.py: no such strategy file" in capsys.readouterr().err


def test_a_non_causal_strategy_is_refused_with_the_bar_and_not_stored(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data, url = env
    args = ["--config", str(config), "backtest", "peek", "--data", str(data), "--timeframe", "1m"]
    assert main([*args, "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "refused, nothing stored" in captured.err and "LOOK-AHEAD at bar" in captured.err
    assert _runs(url) == []


def test_builtins_backtest_on_the_shipped_real_data(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, _, url = env
    for name in ("sma_cross", "mean_reversion", "breakout"):
        args = ["--config", str(config), "backtest", name, "--symbol", "ETHUSDT"]
        assert main([*args, "--timeframe", "1h", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["source"].startswith("demo binance_spot_ETHUSDT_1h")
        assert report["bars"] == 28 * 24 and report["strategy"] == name
    assert sorted(r.strategy for r in _runs(url)) == ["breakout", "mean_reversion", "sma_cross"]


def test_optimize_and_walk_forward_are_stored(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, _, url = env
    base = ["--config", str(config), "optimize", "sma_cross", "--symbol", "ETHUSDT"]
    base += ["--timeframe", "1h", "--space", "fast=5,10", "--space", "slow=20,30", "--json"]
    assert main(base) == 0
    search = json.loads(capsys.readouterr().out)
    assert search["kind"] == "optimize" and search["trials_run"] == 4
    assert search["params"] == search["top"][0]["params"]
    assert main([*base, "--walk-forward", "300:100"]) == 0
    walk = json.loads(capsys.readouterr().out)
    assert walk["kind"] == "walkforward"
    # 672 bars: tests [300, 400), [400, 500), [500, 600); [600, 700) does not fit.
    assert [w["test"] for w in walk["windows"]] == [[300, 400], [400, 500], [500, 600]]
    assert {"in_sample", "out_of_sample"} <= set(walk["windows"][0])
    assert [r.kind for r in _runs(url)] == ["walkforward", "optimize"]
    assert main([*base, "--space", "fast=1:3", "--metric", "nope"]) == 2


def test_progress_bar_on_a_terminal_only() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = StderrProgress(stream)
        for stage, fraction in (("loading", 0.0), ("backtesting", 0.5), ("done", 1.0)):
            bar(stage, fraction)
        bar.close()
    assert pipe.getvalue() == ""
    drawn = terminal.getvalue()
    assert drawn.endswith("\n") and "\r[" + "#" * 30 + "] 100% done" in drawn
    assert "[" + "#" * 15 + "-" * 15 + "]  50% backtesting" in drawn
