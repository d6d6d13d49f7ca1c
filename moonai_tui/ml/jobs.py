"""Training jobs end to end: data, training, OOS backtest, artifact, registry row.

:func:`train_and_register` is synchronous and picklable-friendly so the CLI calls it
directly and the TUI or the engine's retrain schedule runs it in a worker process, passing
a ``progress(stage, fraction)`` callback (e.g. one that puts onto a multiprocessing queue).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moonai_tui.errors import DataError, ModelError
from moonai_tui.ml.labels import LabelSpec
from moonai_tui.ml.training import Progress, TrainOutcome, TrainSpec, train

if TYPE_CHECKING:
    import pandas as pd

    from moonai_tui.backtest import BacktestConfig
    from moonai_tui.config import Settings
    from moonai_tui.store import Store
    from moonai_tui.store.model_registry import ModelVersionRecord


@dataclass(frozen=True, slots=True)
class TrainRequest:
    """What a person (CLI flags, the TUI's ``r``) or the retrain schedule asks for."""

    symbol: str
    timeframe: str
    model: str | None = None
    """None = ``ml.model`` from the config."""
    since_ms: int | None = None
    until_ms: int | None = None
    """Exclusive end; None = up to the newest bar."""
    data: Path | None = None
    """A candle CSV(.gz) instead of the database."""
    promote: bool | None = None
    """True/False to force; None = promote if it beats the active model out of sample."""


@dataclass(frozen=True, slots=True)
class TrainResult:
    """A finished job: the registry row and the JSON-ready report."""

    record: ModelVersionRecord
    report: dict[str, Any]


def spec_from_settings(settings: Settings, request: TrainRequest) -> TrainSpec:
    """The training spec the config and the request describe."""
    ml = settings.ml
    kind = request.model or ml.model
    label = LabelSpec(
        kind=ml.label,
        horizon=ml.horizon,
        threshold=ml.label_threshold,
        stop_loss=float(settings.risk.stop_loss_pct),
        take_profit=float(settings.risk.take_profit_pct),
    )
    return TrainSpec(
        symbol=request.symbol,
        timeframe=request.timeframe,
        model=kind,
        params=dict(ml.model_params.get(kind, {})),
        label=label,
        folds=ml.folds,
        min_confidence=ml.min_confidence,
    )


def backtest_config(settings: Settings) -> BacktestConfig:
    """The backtest settings of the OOS check: the live risk rules and ByBit's fees."""
    from moonai_tui.backtest import BacktestConfig

    risk = settings.risk
    return BacktestConfig(
        risk_per_trade=float(risk.risk_per_trade),
        stop_loss_pct=float(risk.stop_loss_pct),
        take_profit_pct=float(risk.take_profit_pct),
        max_position_pct_equity=float(risk.max_position_pct_equity),
        max_leverage=float(risk.max_leverage),
    )


async def load_bars(
    settings: Settings, store: Store, request: TrainRequest
) -> tuple[pd.DataFrame, str]:
    """The bars to train on and where they came from.

    ``--data FILE`` wins; else the database's candles; else, when the database has none,
    the shipped training candles of that symbol and timeframe (BTCUSDT 1m: the three
    months before the simulator's demo month, so that month stays out of sample), else
    its demo candles. Without a range the newest ``ml.train_bars`` bars are used.

    Raises:
        DataError: nothing to train on in the requested range.
    """
    from moonai_tui.strategy.bars import bars_from_list, demo_training_bars, read_bars_csv

    if request.data is not None:
        bars, source = read_bars_csv(request.data), str(request.data)
    else:
        stored = await store.load_candles(
            request.symbol, request.timeframe, request.since_ms, request.until_ms
        )
        if stored:
            bars, source = bars_from_list(stored), "database"
        else:
            bars, path = demo_training_bars(request.symbol, request.timeframe)
            source = f"shipped data {path.name}"
    if request.since_ms is not None:
        bars = bars.loc[bars.index >= _stamp(request.since_ms)]
    if request.until_ms is not None:
        bars = bars.loc[bars.index < _stamp(request.until_ms)]
    if request.since_ms is None and request.until_ms is None:
        bars = bars.iloc[-settings.ml.train_bars :]
    if bars.empty:
        raise DataError(f"{request.symbol} {request.timeframe}: no bars in the range ({source})")
    return bars, source


def _stamp(ms: int) -> pd.Timestamp:
    import pandas as pd

    return pd.Timestamp(ms, unit="ms", tz="UTC")


def run_training(
    settings: Settings, bars: pd.DataFrame, request: TrainRequest, progress: Progress | None
) -> tuple[TrainOutcome, dict[str, Any] | None]:
    """Train and, on the walk-forward models' targets, run the OOS backtest with fees."""
    from moonai_tui.ml.oos_backtest import oos_backtest

    outcome = train(bars, spec_from_settings(settings, request), progress)
    return outcome, oos_backtest(bars, outcome.oos_targets, backtest_config(settings))


async def register_outcome(
    store: Store,
    settings: Settings,
    outcome: TrainOutcome,
    backtest: dict[str, Any] | None,
    now_ms: int,
    promote: bool | None = None,
) -> ModelVersionRecord:
    """Write the artifact under ``ml.models_dir`` and register it (see
    :func:`moonai_tui.ml.registry.register` for when it becomes active)."""
    from moonai_tui.ml.models import create_model
    from moonai_tui.ml.registry import market_folder, register, write_artifact
    from moonai_tui.store.model_registry import NewModelVersion

    spec = outcome.spec
    folder = market_folder(settings.ml.models_dir, spec.symbol, spec.timeframe)
    path, digest = write_artifact(outcome.artifact, spec.model, folder)
    metrics = {**outcome.metrics, "backtest": backtest}
    params = create_model(spec.model, spec.params).params
    new = NewModelVersion(
        symbol=spec.symbol,
        timeframe=spec.timeframe,
        model_type=spec.model,
        params=params,
        features=outcome.features,
        label_spec=spec.label.to_dict(),
        data_from_ms=outcome.data_from_ms,
        data_until_ms=outcome.data_until_ms,
        metrics=metrics,
        artifact_path=str(path),
        sha256=digest,
    )
    return await register(store, new, now_ms, promote=promote)


def train_and_register(
    settings: Settings,
    request: TrainRequest,
    progress: Progress | None = None,
    now_ms: int | None = None,
) -> TrainResult:
    """The whole job, synchronously (call it from a worker process in the UI/engine).

    Raises:
        MoonAIError: bad data, settings or model parameters, or a store failure.
    """
    return asyncio.run(_job(settings, request, progress, now_ms))


async def _job(
    settings: Settings, request: TrainRequest, progress: Progress | None, now_ms: int | None
) -> TrainResult:
    from moonai_tui.store import open_store

    started = time.perf_counter()
    async with await open_store(settings.database_url) as store:
        bars, source = await load_bars(settings, store, request)
        # The store stays open but idle meanwhile: nothing else runs on this loop.
        outcome, backtest = run_training(settings, bars, request, progress)
        stamp = int(time.time() * 1000) if now_ms is None else now_ms
        record = await register_outcome(
            store, settings, outcome, backtest, stamp, promote=request.promote
        )
    report = build_report(record, source, len(bars), time.perf_counter() - started)
    return TrainResult(record, report)


def build_report(
    record: ModelVersionRecord, source: str, bars: int, seconds: float
) -> dict[str, Any]:
    """The JSON document ``moonai-tui train --json`` prints."""
    metrics = record.metrics
    overall = metrics.get("overall", {})
    if not overall:
        raise ModelError(f"model v{record.version} has no out-of-sample metrics")
    return {
        "id": record.id,
        "symbol": record.symbol,
        "timeframe": record.timeframe,
        "version": record.version,
        "model": record.model_type,
        "active": record.active,
        "data": {
            "source": source,
            "bars": bars,
            "samples": metrics.get("samples"),
            "from_ms": record.data_from_ms,
            "until_ms": record.data_until_ms,
        },
        "label": record.label_spec,
        "log_loss": overall["log_loss"],
        "brier": overall["brier"],
        "accuracy": overall["accuracy"],
        "balanced_accuracy": overall["balanced_accuracy"],
        "baselines": overall["baselines"],
        "calibration": overall["calibration"],
        "class_share": overall.get("class_share"),
        "folds": metrics.get("folds", []),
        "backtest": metrics.get("backtest"),
        "leakage": metrics.get("leakage"),
        "importances": metrics.get("importances"),
        "artifact": record.artifact_path,
        "sha256": record.sha256,
        "seconds": round(seconds, 2),
    }
