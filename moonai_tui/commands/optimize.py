"""``moonai-tui optimize STRATEGY --space ...``: parameter search, or walk-forward validation.

Without ``--walk-forward``: a grid (every point) or an Optuna TPE search (``--trials``
points, ``--seed``) over the ``--space`` parameters on all the bars, scored by
``--metric``; the best point's backtest is stored with the trials.

With ``--walk-forward TRAIN:TEST[:STEP]`` (bars): the search runs on each training
window alone and its choice is traded on the following test window; in-sample and
out-of-sample scores are printed side by side, and the stitched out-of-sample run is
stored with the windows.

Exit codes as ``backtest``: 0 stored, 1 refused for look-ahead, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from moonai_tui.commands.backtest import add_run_arguments

if TYPE_CHECKING:
    from moonai_tui.backtest.tasks import WalkForwardSpec
    from moonai_tui.config import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    optimize = commands.add_parser(
        "optimize",
        help="search a strategy's parameters (grid or Optuna), optionally walk-forward",
        description="Search a strategy's parameters by a grid or Optuna, scored by a metric; "
        "with --walk-forward, optimise on rolling training windows and report in-sample "
        "and out-of-sample results side by side. The run is stored.",
    )
    add_run_arguments(optimize)
    optimize.add_argument(
        "--space",
        action="append",
        default=[],
        required=True,
        metavar="NAME=SPEC",
        help="a parameter to search: NAME=a,b,c or NAME=LOW:HIGH[:STEP] (repeatable)",
    )
    optimize.add_argument("--method", choices=("grid", "optuna"), default="grid")
    optimize.add_argument(
        "--trials", type=int, default=100, help="Optuna trials per search (default 100)"
    )
    optimize.add_argument("--metric", default="sharpe", help="what to optimise (default sharpe)")
    optimize.add_argument("--seed", type=int, default=0, help="Optuna's seed (default 0)")
    optimize.add_argument(
        "--walk-forward",
        type=_windows,
        metavar="TRAIN:TEST[:STEP]",
        help="walk-forward with these window sizes in bars, e.g. 10000:2000",
    )
    optimize.add_argument(
        "--anchored", action="store_true", help="walk-forward training windows start at bar 0"
    )


def _windows(text: str) -> WalkForwardSpec:
    from moonai_tui.backtest.tasks import WalkForwardSpec

    parts = text.split(":")
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        sizes = []
    if len(sizes) not in (2, 3) or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected TRAIN:TEST or TRAIN:TEST:STEP, whole numbers of bars >= 1"
        )
    return WalkForwardSpec(sizes[0], sizes[1], sizes[2] if len(sizes) == 3 else None)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from moonai_tui.backtest.report import metrics_lines
    from moonai_tui.backtest.tasks import SearchJob, run_job
    from moonai_tui.commands.backtest import (
        METRIC_KEYS,
        StderrProgress,
        configure_ml,
        fail,
        header_lines,
        job_from_args,
    )
    from moonai_tui.errors import MoonAIError

    configure_ml(settings)
    progress = StderrProgress(sys.stderr)
    try:
        spec = args.walk_forward
        if spec is not None and args.anchored:
            spec = replace(spec, anchored=True)
        job = SearchJob(
            base=job_from_args(args, settings),
            space=tuple(args.space),
            method=args.method,
            metric=args.metric,
            trials=args.trials,
            seed=args.seed,
            walk_forward=spec,
        )
        outcome = run_job(job, progress)
    except MoonAIError as exc:
        progress.close()
        return fail("optimize", exc)
    progress.close()
    report = outcome.report
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for line in header_lines(report):
        print(line)
    if report["kind"] == "walkforward":
        for line in window_lines(report):
            print(line)
        print("stitched out-of-sample run:")
    else:
        for line in trial_lines(report):
            print(line)
        print("best point's backtest:")
    metrics = {key: report[key] for key in METRIC_KEYS if key in report}
    for line in metrics_lines(metrics):
        print(f"  {line}")
    return 0


def trial_lines(report: dict[str, Any]) -> list[str]:
    """The search summary and its best points."""
    from moonai_tui.backtest.report import format_metric

    metric = report["metric"]
    lines = [
        f"{report['method']} search on {metric}: {report['trials_run']} points, "
        f"{report['valid_trials']} valid; best {format_metric(metric, report['best_value'])}",
    ]
    for trial in report["top"]:
        params = ", ".join(f"{k}={v}" for k, v in trial["params"].items())
        lines.append(f"  {format_metric(metric, trial['value']):>12}  {params}")
    return lines


def window_lines(report: dict[str, Any]) -> list[str]:
    """One line per window: ranges, choice, in-sample vs out-of-sample metric."""
    from moonai_tui.backtest.report import format_metric

    metric = report["metric"]
    lines = [f"walk-forward on {metric}: in-sample vs out-of-sample per window"]
    lines.append(f"  {'win':>3}  {'train bars':>15}  {'test bars':>15}  {'IS':>10}  {'OOS':>10}")
    for row in report["windows"]:
        train = f"{row['train'][0]}-{row['train'][1]}"
        test = f"{row['test'][0]}-{row['test'][1]}"
        is_value = format_metric(metric, row["in_sample"][metric])
        oos_value = format_metric(metric, row["out_of_sample"][metric])
        params = ", ".join(f"{k}={v}" for k, v in row["params"].items())
        lines.append(
            f"  {row['window']:>3}  {train:>15}  {test:>15}  {is_value:>10}  {oos_value:>10}  "
            f"{params}"
        )
    lines.append(
        f"  mean {metric}: in-sample {format_metric(metric, report['in_sample_mean'])}, "
        f"out-of-sample {format_metric(metric, report['out_of_sample_mean'])}"
    )
    return lines
