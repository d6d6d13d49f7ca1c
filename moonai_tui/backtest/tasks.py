"""What a backtest, optimisation or walk-forward job does, start to finish (synchronous).

The CLI calls :func:`run_job` in its own process; the TUI runs the same function in a
worker process (:mod:`moonai_tui.backtest.jobs`). Steps: load the strategy (params file,
then overrides), load the bars (:mod:`moonai_tui.backtest.data`), prove the strategy
causal (:func:`~moonai_tui.strategy.causality.check_causality`; a look-ahead refuses
the job with the offending bar, before anything is stored), run, store, report.

``progress(stage, fraction)`` gets the stage in words and the job's overall fraction.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from moonai_tui.backtest.config import BacktestConfig
from moonai_tui.backtest.data import BarsRequest, LoadedBars, load_bars
from moonai_tui.errors import StrategyError
from moonai_tui.ml.context import MlDefaults, configure
from moonai_tui.strategy.params import DEFAULT_PARAMS_FILE, ParamValue

if TYPE_CHECKING:
    from moonai_tui.backtest.run import BacktestResult
    from moonai_tui.config import Settings
    from moonai_tui.store import Store
    from moonai_tui.strategy.base import Strategy

Progress = Callable[[str, float], None]
Method = Literal["grid", "optuna"]
MAX_STORED_TRIALS = 1_000
"""An optimisation stores at most this many trials (the best ones) in its detail."""


class LookAheadRefused(StrategyError):
    """The causality check found look-ahead: the job is refused, nothing is stored."""


@dataclass(frozen=True, slots=True)
class BacktestJob:
    """One backtest: which strategy with which parameters, on which bars, how."""

    strategy: str
    bars: BarsRequest
    config: BacktestConfig
    overrides: dict[str, ParamValue] = field(default_factory=dict)
    """On top of the params file's section for the strategy."""
    strategies_dir: Path = Path("strategies")
    params_file: Path = DEFAULT_PARAMS_FILE
    database_url: str | None = None
    """Where candles are read and the run is stored; None = neither (no run id)."""
    created_ms: int | None = None
    """The run's creation time; None = now."""
    cuts: int = 50
    """Truncated histories the causality check evaluates."""
    ml: MlDefaults | None = None
    """The ``ml`` strategy's database and confidence threshold, set in the process that
    runs the job (a spawned worker inherits nothing); None = as configured there."""


@dataclass(frozen=True, slots=True)
class WalkForwardSpec:
    """Window sizes in bars (see :func:`~moonai_tui.backtest.walkforward.make_windows`)."""

    train: int
    test: int
    step: int | None = None
    anchored: bool = False


@dataclass(frozen=True, slots=True)
class SearchJob:
    """An optimisation, or a walk-forward when ``walk_forward`` is set."""

    base: BacktestJob
    space: tuple[str, ...]
    method: Method = "grid"
    metric: str = "sharpe"
    trials: int = 100
    seed: int = 0
    walk_forward: WalkForwardSpec | None = None


Job = BacktestJob | SearchJob


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """A finished job: the stored run's id (None when not stored) and the JSON report."""

    run_id: int | None
    report: dict[str, Any]


def config_from_settings(settings: Settings, **overrides: Any) -> BacktestConfig:
    """The live risk rules, the paper balance and ByBit's fees, then ``overrides``.

    Raises:
        ConfigError: an invalid override.
    """
    risk = settings.risk
    values: dict[str, Any] = {
        "initial_equity": float(settings.trade.paper_balance),
        "risk_per_trade": float(risk.risk_per_trade),
        "stop_loss_pct": float(risk.stop_loss_pct),
        "take_profit_pct": float(risk.take_profit_pct),
        "max_position_pct_equity": float(risk.max_position_pct_equity),
        "max_leverage": float(risk.max_leverage),
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return BacktestConfig(**values)


def run_job(job: Job, progress: Progress | None = None) -> JobOutcome:
    """Run ``job`` to the end (module docstring).

    Raises:
        LookAheadRefused: the strategy is not causal.
        MoonAIError: a bad strategy file or parameter, bad data, a bad config or space, or
            a store failure; each one clear line.
    """
    return asyncio.run(_run(job, progress or _silent))


async def _run(job: Job, progress: Progress) -> JobOutcome:
    from moonai_tui.store import open_store

    base = job if isinstance(job, BacktestJob) else job.base
    if base.ml is not None:
        configure(base.ml.database_url, base.ml.min_confidence)
    if base.database_url is None:
        return await _dispatch(job, None, progress)
    async with await open_store(base.database_url) as store:
        return await _dispatch(job, store, progress)


async def _dispatch(job: Job, store: Store | None, progress: Progress) -> JobOutcome:
    started = time.perf_counter()
    base = job if isinstance(job, BacktestJob) else job.base
    progress("loading", 0.0)
    cls, params = _strategy(base)
    loaded = await load_bars(base.bars, store)
    bars = loaded.bars
    progress("checking causality", 0.05)
    causality = _prove_causal(cls(**params), bars, base.cuts)
    detail: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if isinstance(job, BacktestJob):
        from moonai_tui.backtest.run import run_backtest

        progress("backtesting", 0.3)
        result = run_backtest(
            cls(**params), bars, base.config, lambda f: progress("backtesting", 0.3 + 0.6 * f)
        )
        kind, final = "backtest", params
    elif job.walk_forward is None:
        result, final, detail, extra = _optimise(job, cls, params, bars, progress)
        kind = "optimize"
    else:
        result, final, detail, extra = _walk_forward(job, cls, params, bars, progress)
        kind = "walkforward"
    if final != params:
        causality = _prove_causal(cls(**final), bars, base.cuts)
    progress("storing", 0.95)
    run_id = await _store(store, base, kind, final, loaded, result, detail)
    report = _report(run_id, kind, base, final, loaded, result, causality, extra)
    report["seconds"] = round(time.perf_counter() - started, 3)
    progress("done", 1.0)
    return JobOutcome(run_id, report)


def _strategy(job: BacktestJob) -> tuple[type[Strategy], dict[str, ParamValue]]:
    """The strategy class and its parameters (checked by building it once)."""
    from moonai_tui.strategy.loader import load_strategy
    from moonai_tui.strategy.params import load_params

    values = {**load_params(job.params_file, job.strategy), **job.overrides}
    strategy = load_strategy(job.strategy, job.strategies_dir, values)
    return type(strategy), strategy.params


def _prove_causal(strategy: Strategy, bars: pd.DataFrame, cuts: int) -> str:
    from moonai_tui.strategy.causality import check_causality

    if len(bars) < 2:
        return "not checked (a single bar)"
    report = check_causality(strategy, bars, cuts=cuts)
    if not report.causal:
        raise LookAheadRefused(f"refused, nothing stored: {report.describe()}")
    return report.describe()


def _optimise(
    job: SearchJob,
    cls: type[Strategy],
    params: dict[str, ParamValue],
    bars: pd.DataFrame,
    progress: Progress,
) -> tuple[BacktestResult, dict[str, ParamValue], dict[str, Any], dict[str, Any]]:
    from moonai_tui.backtest.optimize import optimize, parse_space
    from moonai_tui.backtest.run import run_backtest

    space = parse_space(cls, job.space)
    search = optimize(
        job.method,
        cls,
        params,
        space,
        bars,
        job.base.config,
        job.metric,
        trials=job.trials,
        seed=job.seed,
        progress=lambda f: progress("searching", 0.3 + 0.6 * f),
    )
    result = run_backtest(cls(**search.params), bars, job.base.config)
    ranked = sorted(
        (t for t in search.trials if t.value is not None),
        key=lambda t: -_sortable(job.metric, t.value),
    )
    detail = {
        "method": job.method,
        "metric": job.metric,
        "space": list(job.space),
        "seed": job.seed,
        "trials": [t.to_dict() for t in ranked[:MAX_STORED_TRIALS]],
        "invalid_trials": len(search.trials) - search.valid_trials,
    }
    extra = {
        "method": job.method,
        "metric": job.metric,
        "trials_run": len(search.trials),
        "valid_trials": search.valid_trials,
        "best_value": _json_number(search.best.value),
        "top": [t.to_dict() for t in ranked[:10]],
    }
    return result, search.params, detail, extra


def _walk_forward(
    job: SearchJob,
    cls: type[Strategy],
    params: dict[str, ParamValue],
    bars: pd.DataFrame,
    progress: Progress,
) -> tuple[BacktestResult, dict[str, ParamValue], dict[str, Any], dict[str, Any]]:
    from moonai_tui.backtest.optimize import check_metric, parse_space
    from moonai_tui.backtest.walkforward import make_windows, walk_forward

    spec = job.walk_forward
    assert spec is not None
    check_metric(job.metric)
    space = parse_space(cls, job.space)
    windows = make_windows(len(bars), spec.train, spec.test, spec.step, anchored=spec.anchored)
    outcome = walk_forward(
        cls,
        params,
        space,
        bars,
        job.base.config,
        job.metric,
        windows,
        method=job.method,
        trials=job.trials,
        seed=job.seed,
        progress=lambda f: progress("walking forward", 0.3 + 0.6 * f),
    )
    table = outcome.table()
    in_sample = [float(getattr(w.in_sample, job.metric)) for w in outcome.windows]
    out_sample = [float(getattr(w.out_of_sample, job.metric)) for w in outcome.windows]
    detail = {
        "method": job.method,
        "metric": job.metric,
        "space": list(job.space),
        "seed": job.seed,
        "train": spec.train,
        "test": spec.test,
        "step": spec.step or spec.test,
        "anchored": spec.anchored,
        "windows": table,
    }
    extra = {
        "method": job.method,
        "metric": job.metric,
        "windows": table,
        "in_sample_mean": _json_number(_mean(in_sample)),
        "out_of_sample_mean": _json_number(_mean(out_sample)),
    }
    # The params stored with the run are the last window's: what would trade next.
    return outcome.stitched, outcome.windows[-1].params, detail, extra


async def _store(
    store: Store | None,
    job: BacktestJob,
    kind: str,
    params: dict[str, ParamValue],
    loaded: LoadedBars,
    result: BacktestResult,
    detail: dict[str, Any],
) -> int | None:
    if store is None:
        return None
    from moonai_tui.backtest.report import new_run
    from moonai_tui.store.candles import timeframe_ms

    run = new_run(
        kind=kind,
        strategy=job.strategy,
        params=dict(params),
        symbol=job.bars.symbol,
        timeframe=job.bars.timeframe,
        step_ms=timeframe_ms(job.bars.timeframe),
        source=loaded.source,
        result=result,
        detail=detail,
    )
    now = job.created_ms if job.created_ms is not None else int(time.time() * 1000)
    return await store.backtests.save(run, now)


def _report(
    run_id: int | None,
    kind: str,
    job: BacktestJob,
    params: dict[str, ParamValue],
    loaded: LoadedBars,
    result: BacktestResult,
    causality: str,
    extra: dict[str, Any],
) -> dict[str, Any]:
    from moonai_tui.backtest.report import config_dict

    index = loaded.bars.index
    return {
        "run_id": run_id,
        "kind": kind,
        "strategy": job.strategy,
        "params": params,
        "symbol": job.bars.symbol,
        "timeframe": job.bars.timeframe,
        "from": index[0].isoformat(),
        "to": index[-1].isoformat(),
        "bars": len(index),
        "source": loaded.source,
        "causality": causality,
        **result.metrics.to_dict(),
        "skipped_entries": result.skipped_entries,
        "funding_paid": _json_number(result.funding_paid),
        **extra,
        "config": config_dict(result.config),
    }


def _sortable(metric: str, value: float | None) -> float:
    from moonai_tui.backtest.optimize import MINIMISE

    if value is None or math.isnan(value):
        return -math.inf
    return -value if metric in MINIMISE else value


def _mean(values: Sequence[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


def _json_number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _silent(stage: str, fraction: float) -> None:
    return None
