"""Builders shared by the ML tests: real demo bars and small synthetic ones."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from moonai_tui.strategy.bars import demo_bars


def small_ml_config(folder: Path, n_estimators: int, **ml: Any) -> Path:
    """A config file with a private database and models folder in ``folder`` and a
    tiny single-threaded XGBoost, 2 folds and a 10-bar horizon (``ml`` adds settings)."""
    config = folder / "config.yaml"
    settings = {
        "folds": 2,
        "horizon": 10,
        **ml,
        "models_dir": str(folder / "models"),
        "model_params": {"xgboost": {"n_estimators": n_estimators, "n_jobs": 1}},
    }
    database = f"sqlite+aiosqlite:///{folder / 'moonai.db'}"
    config.write_text(yaml.safe_dump({"database_url": database, "ml": settings}))
    return config


@cache
def _demo() -> pd.DataFrame:
    bars, _ = demo_bars("BTCUSDT", "1m")
    return bars


def real_bars(n: int, start: int = 0) -> pd.DataFrame:
    """``n`` consecutive real BTCUSDT 1m bars from the shipped demo data (a copy)."""
    return _demo().iloc[start : start + n].copy()


def random_walk_bars(n: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic 1m bars of a random walk (no predictable structure)."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    spread = np.abs(rng.normal(0, 0.0005, n)) * close
    index = pd.date_range("2024-01-01", periods=n, freq="1min", tz="UTC")
    return pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) + spread,
            "low": np.minimum(open_, close) - spread,
            "close": close,
            "volume": rng.uniform(1, 10, n),
        },
        index=index,
    )
