"""ML speed: training time per model type on a year of 1m bars, and live latency per bar.

Run by hand: `.venv/bin/python bench/ml_training.py [--data FILE] [--models xgboost,rf]
[--walk-forward] [--bars 60]`. Data: one year of real BTCUSDT 1m bars (2023, 525,520 rows)
from the shared data set. Targets: an XGBoost fit on the whole year < 60 s on 2 cores;
live inference (features on the live window + model + target) p99 < 5 ms per bar.

Peers printed beside each number: the time to compute features and labels (the fixed
cost every model pays) and, for latency, the bare ``predict_proba`` of one row.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from moonai_tui.ml.features import LIVE_WINDOW, compute_features
from moonai_tui.ml.labels import LabelSpec, make_labels
from moonai_tui.ml.live import ModelSlot, ModelSource
from moonai_tui.ml.models import MODEL_TYPES, Model, create_model
from moonai_tui.ml.signals import explain
from moonai_tui.ml.training import TrainSpec, train
from moonai_tui.strategy.bars import read_bars_csv

YEAR = Path("/work/shared/data/candles/binance_spot_BTCUSDT_1m_2023.csv.gz")
TRAIN_TARGET_S = 60.0
LATENCY_TARGET_MS = 5.0


def _percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples), q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=YEAR)
    parser.add_argument("--models", default=",".join(k for k in MODEL_TYPES if k != "regime"))
    parser.add_argument("--walk-forward", action="store_true", help="also time train() (5 folds)")
    parser.add_argument("--bars", type=int, default=300, help="live bars to time")
    args = parser.parse_args()

    started = time.perf_counter()
    bars = read_bars_csv(args.data)
    print(f"{args.data.name}: {len(bars):,} bars, read in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    features = compute_features(bars)
    labels, _ = make_labels(bars, LabelSpec())
    prep = time.perf_counter() - started
    ok = features.notna().all(axis=1).to_numpy() & labels.notna().to_numpy()
    x = features.to_numpy()[ok]
    y = labels.to_numpy()[ok].astype(np.int64)
    print(f"features + labels (peer, paid once): {prep:.2f} s for {len(x):,} samples\n")

    print(f"{'model':<10}{'fit s':>9}{'fit / prep':>12}")
    fitted: dict[str, Model] = {}
    for kind in args.models.split(","):
        model = create_model(kind, {}, list(features.columns))
        started = time.perf_counter()
        model.fit(x, y)
        seconds = time.perf_counter() - started
        fitted[kind] = model
        print(f"{kind:<10}{seconds:>9.1f}{seconds / prep:>12.1f}")
        if kind == "xgboost":
            verdict = "met" if seconds < TRAIN_TARGET_S else "MISSED"
            print(f"  xgboost target < {TRAIN_TARGET_S:.0f} s: {verdict}")

    if args.walk_forward:
        started = time.perf_counter()
        train(bars, TrainSpec("BTC/USDT:USDT", "1m"))
        print(
            f"\ntrain() xgboost, 5 purged folds + leakage checks + final fit: "
            f"{time.perf_counter() - started:.1f} s"
        )

    kind = "xgboost" if "xgboost" in fitted else next(iter(fitted))
    _latency(bars, fitted[kind], args.bars)


def _latency(bars: pd.DataFrame, model: Model, count: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.zip"
        model.save(path)
        slot = ModelSlot(ModelSource("BTC/USDT:USDT", "1m", model_file=str(path)))
        slot.get()
        end0 = len(bars) - count
        per_bar, per_explain, bare = [], [], []
        for end in range(end0, len(bars)):
            window = bars.iloc[end + 1 - LIVE_WINDOW : end + 1]
            started = time.perf_counter()
            slot.targets(window, 0.6)
            per_bar.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            explain(model, compute_features(window).iloc[-1])
            per_explain.append((time.perf_counter() - started) * 1000)
            row = compute_features(window).iloc[[-1]].to_numpy()
            started = time.perf_counter()
            model.predict_proba(row)
            bare.append((time.perf_counter() - started) * 1000)
    print(f"\nlive, {model.kind}, window {LIVE_WINDOW} bars, {count} bars timed (ms):")
    print(f"{'step':<34}{'p50':>8}{'p99':>8}")
    print(
        f"{'features+model+target per bar':<34}{statistics.median(per_bar):>8.2f}"
        f"{_percentile(per_bar, 99):>8.2f}"
    )
    print(
        f"{'explain (SHAP top features)':<34}{statistics.median(per_explain):>8.2f}"
        f"{_percentile(per_explain, 99):>8.2f}"
    )
    print(
        f"{'bare predict_proba, 1 row (peer)':<34}{statistics.median(bare):>8.2f}"
        f"{_percentile(bare, 99):>8.2f}"
    )
    verdict = "met" if _percentile(per_bar, 99) < LATENCY_TARGET_MS else "MISSED"
    print(f"target p99 < {LATENCY_TARGET_MS:.0f} ms per bar: {verdict}")


if __name__ == "__main__":
    main()
