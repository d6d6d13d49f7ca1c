"""``moonai-tui backtest STRATEGY``: backtest a strategy on history and store the run.

Data: ``--data FILE``, else the database's candles of ``--symbol``/``--timeframe``, else
the shipped demo candles. The strategy is proven causal first (a look-ahead is refused
with the offending bar and nothing is stored). Prints a metrics table, or ``--json``.

Exit codes: 0 stored, 1 refused for look-ahead, 2 bad input (strategy file, parameter,
data, range, settings).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from moonai_tui.backtest.tasks import BacktestJob, Job
    from moonai_tui.config import Settings

BAD_INPUT = 2
LOOK_AHEAD = 1


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backtest = commands.add_parser(
        "backtest",
        help="backtest a strategy on history (metrics table or --json; the run is stored)",
        description="Backtest a strategy from strategies/ with the live fee, slippage, stop "
        "and risk rules. Data: --data FILE, else the database's candles, else the shipped "
        "demo candles. The strategy must pass the causality check before a run is stored. "
        "Exit 0 stored, 1 refused for look-ahead, 2 bad input.",
    )
    add_run_arguments(backtest)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The strategy, data, parameter and cost options shared with ``optimize``."""
    parser.add_argument(
        "strategy", metavar="STRATEGY", help="a file in strategies/, e.g. sma_cross"
    )
    parser.add_argument("--symbol", help="e.g. BTCUSDT or BTC/USDT:USDT (default: the config's)")
    parser.add_argument("--timeframe", help="bar length, e.g. 1m or 1h (default: the config's)")
    parser.add_argument("--since", type=iso_ms, help="first bar, ISO date/time UTC (2024-03-01)")
    parser.add_argument("--until", type=iso_ms, help="end (exclusive), ISO date/time UTC")
    parser.add_argument("--data", type=Path, metavar="FILE", help="candle CSV(.gz) to run on")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter of config/strategy_params.yaml (repeatable)",
    )
    parser.add_argument(
        "--market",
        choices=("linear", "spot"),
        help="linear perpetual (shorts, funding; default) or spot (long only)",
    )
    parser.add_argument("--equity", type=float, help="initial equity (default: paper balance)")
    parser.add_argument("--taker-fee", type=float, help="fee per fill, a fraction (0.00055)")
    parser.add_argument("--slippage-bps", type=float, help="adverse slippage per fill, in bps")
    parser.add_argument(
        "--fill-timing",
        choices=("next_open", "signal_close"),
        help="fill at the next bar's open (default) or at the signal bar's close",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def iso_ms(text: str) -> int:
    """An ISO date/time (UTC unless it has an offset) as Unix ms, for argparse."""
    from moonai_tui.timeutil import parse_iso_utc_ms

    try:
        return parse_iso_utc_ms(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date; use e.g. 2024-03-01 or 2024-03-01T12:00"
        ) from None


def job_from_args(args: argparse.Namespace, settings: Settings) -> BacktestJob:
    """The backtest the options describe, on ``settings``' database and risk rules.

    Raises:
        MoonAIError: a bad ``--param`` item, a bad cost option or an empty range.
    """
    from moonai_tui.backtest.config import FixedSlippage
    from moonai_tui.backtest.data import BarsRequest
    from moonai_tui.backtest.tasks import BacktestJob, config_from_settings
    from moonai_tui.errors import ConfigError
    from moonai_tui.strategy.params import DEFAULT_PARAMS_FILE, parse_param_overrides

    if args.since is not None and args.until is not None and args.until <= args.since:
        raise ConfigError("--until must be after --since")
    config = config_from_settings(
        settings,
        market=args.market,
        initial_equity=args.equity,
        taker_fee=args.taker_fee,
        slippage=None if args.slippage_bps is None else FixedSlippage(args.slippage_bps),
        fill_timing=args.fill_timing,
    )
    return BacktestJob(
        strategy=args.strategy,
        bars=BarsRequest(
            symbol=args.symbol or settings.symbol,
            timeframe=args.timeframe or settings.timeframe,
            since_ms=args.since,
            until_ms=args.until,
            data=args.data,
        ),
        config=config,
        overrides=parse_param_overrides(args.param),
        strategies_dir=settings.trade.strategies_dir,
        params_file=DEFAULT_PARAMS_FILE,
        database_url=settings.database_url,
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from moonai_tui.errors import MoonAIError

    configure_ml(settings)
    try:
        job = job_from_args(args, settings)
    except MoonAIError as exc:
        return fail("backtest", exc)
    return execute("backtest", job, args.json)


def configure_ml(settings: Settings) -> None:
    """Point the ``ml`` strategy at this configuration's database and ``ml.min_confidence``.

    A strategy gets only its parameters; without this it would read the default config
    file, not the one ``--config`` names.
    """
    from moonai_tui.ml.context import configure

    configure(settings.database_url, settings.ml.min_confidence)


def execute(command: str, job: Job, as_json: bool) -> int:
    """Run ``job`` with a progress bar on a terminal's stderr; print the report."""
    from moonai_tui.backtest.report import metrics_lines
    from moonai_tui.backtest.tasks import run_job
    from moonai_tui.errors import MoonAIError

    progress = StderrProgress(sys.stderr)
    try:
        outcome = run_job(job, progress)
    except MoonAIError as exc:
        progress.close()
        return fail(command, exc)
    progress.close()
    report = outcome.report
    if as_json:
        print(json.dumps(report, indent=2))
        return 0
    for line in header_lines(report):
        print(line)
    metrics = {key: report[key] for key in METRIC_KEYS if key in report}
    for line in metrics_lines(metrics):
        print(f"  {line}")
    return 0


METRIC_KEYS = (
    "total_return",
    "annualised_return",
    "volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_duration_bars",
    "win_rate",
    "profit_factor",
    "expectancy",
    "average_trade",
    "exposure",
    "turnover",
    "fees_paid",
    "funding_paid",
    "trades",
    "skipped_entries",
    "final_equity",
)


def header_lines(report: dict[str, Any]) -> list[str]:
    """What ran, on what, and where it is stored."""
    params = ", ".join(f"{k}={v}" for k, v in report["params"].items())
    stored = f"run #{report['run_id']}" if report["run_id"] is not None else "not stored"
    return [
        f"{stored}: {report['kind']} {report['strategy']}({params})",
        f"{report['symbol']} {report['timeframe']} {_when(report['from'])} → {_when(report['to'])} "
        f"UTC, {report['bars']:,} bars ({report['source']}), {report['seconds']:.2f} s",
        report["causality"],
    ]


def fail(command: str, exc: Exception) -> int:
    """Print one error line; 1 for a look-ahead refusal, 2 for any other bad input."""
    from moonai_tui.backtest.tasks import LookAheadRefused

    print(f"moonai-tui {command}: error: {exc}", file=sys.stderr)
    return LOOK_AHEAD if isinstance(exc, LookAheadRefused) else BAD_INPUT


class StderrProgress:
    """A redrawn progress bar on a terminal; nothing when the stream is not a terminal."""

    _WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._shown: tuple[str, int] | None = None

    def __call__(self, stage: str, fraction: float) -> None:
        if not self._tty:
            return
        percent = max(0, min(100, int(fraction * 100)))
        if self._shown == (stage, percent):
            return
        filled = self._WIDTH * percent // 100
        bar = "#" * filled + "-" * (self._WIDTH - filled)
        self._stream.write(f"\r[{bar}] {percent:3d}% {stage:<20}")
        self._stream.flush()
        self._shown = (stage, percent)

    def close(self) -> None:
        """End the bar's line (if one was drawn)."""
        if self._shown is not None:
            self._stream.write("\n")
            self._stream.flush()
            self._shown = None


def _when(iso: str) -> str:
    """``2024-03-01T00:00:00+00:00`` -> ``2024-03-01 00:00``."""
    return iso[:16].replace("T", " ")
