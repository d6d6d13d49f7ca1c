"""The feature function: causal, equal live and batch, and independent values by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from ml_builders import random_walk_bars, real_bars

from moonai_tui.errors import DataError
from moonai_tui.ml.features import (
    FEATURES,
    LIVE_WINDOW,
    WARMUP,
    compute_features,
    latest_features,
)
from moonai_tui.ml.leakage import causality_check


def test_live_window_features_equal_batch_features() -> None:
    bars = real_bars(LIVE_WINDOW + 400)
    batch = compute_features(bars)

    # The live path sees only the last LIVE_WINDOW bars at each bar close.
    for end in (LIVE_WINDOW + 1, LIVE_WINDOW + 137, LIVE_WINDOW + 399):
        live = latest_features(bars.iloc[: end + 1])
        np.testing.assert_allclose(
            live.to_numpy(), batch.iloc[end].to_numpy(), rtol=1e-9, atol=1e-12
        )
        assert live.name == bars.index[end]


def test_every_feature_is_defined_after_warmup_and_causal() -> None:
    bars = real_bars(1500)
    features = compute_features(bars)

    assert tuple(features.columns) == FEATURES
    assert not features.iloc[WARMUP:].isna().any().any()
    report = causality_check(compute_features, bars, checks=3)
    assert report.ok, report.leaking


def test_features_by_hand_on_a_few_bars() -> None:
    bars = real_bars(200, start=5000)
    features = compute_features(bars)
    t = 150
    close = bars["close"].to_numpy()
    row = bars.iloc[t]

    assert features["ret_15"].iloc[t] == pytest.approx(math.log(close[t] / close[t - 15]))
    returns = np.diff(np.log(close[t - 60 : t + 1]))
    assert features["vol_60"].iloc[t] == pytest.approx(np.std(returns, ddof=1))
    assert features["trend_60"].iloc[t] == pytest.approx(
        close[t] / close[t - 59 : t + 1].mean() - 1
    )
    span = row["high"] - row["low"]
    assert features["body"].iloc[t] == pytest.approx((row["close"] - row["open"]) / span)
    minute = bars.index[t].hour * 60 + bars.index[t].minute
    assert features["tod_sin"].iloc[t] == pytest.approx(math.sin(2 * math.pi * minute / 1440))
    day = bars.index[t].to_pydatetime().weekday() + minute / 1440
    assert features["dow_cos"].iloc[t] == pytest.approx(math.cos(2 * math.pi * day / 7))
    logv = np.log1p(bars["volume"].to_numpy()[t - 59 : t + 1])
    assert features["volume_z"].iloc[t] == pytest.approx((logv[-1] - logv.mean()) / logv.std())


def test_planted_future_feature_is_flagged() -> None:
    def leaky(bars: pd.DataFrame) -> pd.DataFrame:
        out = compute_features(bars)
        # Tomorrow's news: the next bar's return, a classic shift(-1) bug.
        out["next_ret"] = np.log(bars["close"]).diff().shift(-1)
        return out

    report = causality_check(leaky, random_walk_bars(600), checks=3)

    assert not report.ok
    assert report.leaking == ("next_ret",)


def test_bad_bars_are_a_clear_error() -> None:
    bars = random_walk_bars(50).drop(columns=["volume"])
    with pytest.raises(DataError, match="lack column"):
        compute_features(bars)
