"""``moonai-tui train``: fit a model with purged walk-forward validation and register it.

Prints the out-of-sample scores against the baselines (``--json`` for the full report).
Exit codes: 0 trained and registered, 2 bad input (data, range, model, settings).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moonai_tui.config import Settings

MODEL_CHOICES = ("xgboost", "rf", "logreg", "svm", "mlp", "ensemble", "regime")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = commands.add_parser(
        "train",
        help="train a model (walk-forward validated) and register it",
        description="Train a model on historical bars with purged, embargoed walk-forward "
        "validation; only out-of-sample scores are reported. Data: --data FILE, else the "
        "database's candles, else the shipped candles (BTCUSDT 1m: Dec 2023 to Feb 2024, "
        "the months before the simulator's March replay). The new version becomes active "
        "if it is the first one or beats the active one out of sample (or with --promote).",
    )
    train.add_argument("--symbol", required=True, help="e.g. BTC/USDT:USDT")
    train.add_argument("--timeframe", help="bar length, e.g. 1m (default: the config's)")
    train.add_argument("--model", choices=MODEL_CHOICES, help="model type (default: ml.model)")
    train.add_argument("--since", help="first bar, ISO date/time UTC, e.g. 2024-03-01")
    train.add_argument("--until", help="end (exclusive), ISO date/time UTC")
    train.add_argument("--data", type=Path, metavar="FILE", help="candle CSV(.gz) to train on")
    promote = train.add_mutually_exclusive_group()
    promote.add_argument(
        "--promote", action="store_true", help="make the new version active in any case"
    )
    promote.add_argument(
        "--no-promote", action="store_true", help="register without making it active"
    )
    train.add_argument("--json", action="store_true", help="print the full report as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from moonai_tui.errors import MoonAIError
    from moonai_tui.ml.jobs import TrainRequest, train_and_register

    try:
        request = TrainRequest(
            symbol=args.symbol,
            timeframe=args.timeframe or settings.timeframe,
            model=args.model,
            since_ms=_time(args.since, "since"),
            until_ms=_time(args.until, "until"),
            data=args.data,
            promote=True if args.promote else (False if args.no_promote else None),
        )
        _check_range(request.since_ms, request.until_ms)
        progress = None if args.json else _print_progress
        result = train_and_register(settings, request, progress)
    except MoonAIError as exc:
        print(f"moonai-tui train: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.report, indent=2))
    else:
        print(summary(result.report))
    return 0


def _time(text: str | None, name: str) -> int | None:
    from moonai_tui.errors import ConfigError
    from moonai_tui.timeutil import parse_iso_utc_ms

    if text is None:
        return None
    try:
        return parse_iso_utc_ms(text)
    except ValueError:
        raise ConfigError(
            f"--{name} '{text}': expected an ISO date or date-time, e.g. 2024-03-01"
        ) from None


def _check_range(since: int | None, until: int | None) -> None:
    from moonai_tui.errors import ConfigError

    if since is not None and until is not None and until <= since:
        raise ConfigError("--until must be after --since")


def _print_progress(stage: str, fraction: float) -> None:
    print(f"[{fraction:4.0%}] {stage}", flush=True)


def summary(report: dict[str, Any]) -> str:
    """A few lines for people: the version, OOS scores vs the baselines, the backtest."""
    base = report["baselines"]
    lines = [
        f"{report['symbol']} {report['timeframe']} v{report['version']} ({report['model']}) "
        f"{'ACTIVE' if report['active'] else 'registered, not active'}; "
        f"{report['data']['bars']:,} bars from {report['data']['source']}",
        f"out of sample ({len(report['folds'])} folds): log_loss {report['log_loss']:.4f} "
        f"(majority {base['majority']['log_loss']:.4f}), brier {report['brier']:.4f}, "
        f"accuracy {report['accuracy']:.3f} (majority {base['majority']['accuracy']:.3f}, "
        f"persistence {base['persistence']['accuracy']:.3f}), balanced accuracy "
        f"{report['balanced_accuracy']:.3f} (chance 0.333), "
        f"calibration error {report['calibration']['ece']:.3f}",
    ]
    backtest = report.get("backtest")
    if backtest:
        shown = ", ".join(
            f"{key} {value:.4g}" if isinstance(value, float) else f"{key} {value}"
            for key, value in backtest.items()
            if key in ("total_return", "sharpe", "max_drawdown", "trades", "fees_paid")
        )
        lines.append(
            f"OOS backtest with fees {backtest['from'][:10]} → {backtest['to'][:10]}: {shown}"
        )
    leakage = report.get("leakage") or {}
    if leakage:
        causal = leakage["causality"]["ok"]
        shuffled = leakage["shuffled_labels"]
        lines.append(
            f"leakage checks: features causal {'yes' if causal else 'NO'}, shuffled labels "
            f"score {shuffled['balanced_accuracy']:.3f} (chance {shuffled['chance']:.3f}) "
            f"{'ok' if shuffled['ok'] else 'ABOVE CHANCE: leak suspected'}"
        )
    lines.append(f"artifact {report['artifact']} ({report['seconds']:.1f} s)")
    return "\n".join(lines)
