"""The built-in strategies against bar-by-bar reference implementations written here.

The references use plain Python loops and pandas (not moonai_tui.indicators) and
run the entry/exit rules as an explicit state machine, so a vectorisation slip
in the strategy files shows up as a different target.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moonai_tui.errors import StrategyError
from moonai_tui.strategy import Strategy, evaluate_stops, evaluate_target, load_strategy

FOLDER = Path("strategies")
NAN = math.nan


def load(name: str, **params: object) -> Strategy:
    return load_strategy(name, FOLDER, params)


def wilder(values: list[float], n: int, first: int) -> list[float]:
    """Wilder smoothing seeded with the mean of values[first : first + n]."""
    out = [NAN] * len(values)
    if len(values) < first + n:
        return out
    avg = sum(values[first : first + n]) / n
    out[first + n - 1] = avg
    for i in range(first + n, len(values)):
        avg = (avg * (n - 1) + values[i]) / n
        out[i] = avg
    return out


def reference_rsi(close: list[float], n: int) -> list[float]:
    gains = [NAN] + [max(close[i] - close[i - 1], 0.0) for i in range(1, len(close))]
    losses = [NAN] + [max(close[i - 1] - close[i], 0.0) for i in range(1, len(close))]
    g, lo = wilder(gains, n, 1), wilder(losses, n, 1)
    return [
        100 * a / (a + b) if a + b else (NAN if math.isnan(a) else 0.0)
        for a, b in zip(g, lo, strict=True)
    ]


def reference_atr(high: list[float], low: list[float], close: list[float], n: int) -> list[float]:
    tr = [NAN] + [
        max(high[i] - low[i], abs(high[i] - close[i - 1]), abs(low[i] - close[i - 1]))
        for i in range(1, len(close))
    ]
    return wilder(tr, n, 1)


def test_sma_cross_matches_a_loop(bars: pd.DataFrame) -> None:
    close = bars["close"].tolist()
    for params in ({}, {"trend": 100, "allow_short": False}, {"fast": 5, "slow": 50, "trend": 80}):
        strategy = load("sma_cross", **params)
        fast, slow, trend = (
            strategy.params["fast"],
            strategy.params["slow"],
            strategy.params["trend"],
        )
        expected = []
        for t in range(len(close)):
            if t + 1 < max(slow, trend):
                expected.append(NAN)
                continue
            f = sum(close[t + 1 - fast : t + 1]) / fast
            s = sum(close[t + 1 - slow : t + 1]) / slow
            side = 1.0 if f > s else (-1.0 if strategy.params["allow_short"] else 0.0)
            if trend:
                level = sum(close[t + 1 - trend : t + 1]) / trend
                if (side > 0 and not close[t] > level) or (side < 0 and not close[t] < level):
                    side = 0.0
            expected.append(side)
        got = evaluate_target(strategy, bars).to_numpy()
        np.testing.assert_array_equal(got, np.array(expected))


def test_sma_cross_rejects_fast_not_below_slow() -> None:
    with pytest.raises(StrategyError, match=r"fast \(30\) must be below slow \(30\)"):
        load("sma_cross", fast=30, slow=30)


def test_mean_reversion_matches_a_state_machine(bars: pd.DataFrame) -> None:
    for params in ({}, {"allow_short": False, "width": 1.0, "oversold": 40.0}):
        strategy = load("mean_reversion", **params)
        p = strategy.params
        close = bars["close"]
        middle = close.rolling(p["period"]).mean().tolist()
        std = close.rolling(p["period"]).std(ddof=0).tolist()
        strength = reference_rsi(close.tolist(), p["rsi_period"])
        state, expected = 0.0, []
        for t, c in enumerate(close.tolist()):
            if math.isnan(middle[t]) or math.isnan(strength[t]):
                expected.append(NAN)
                continue
            upper, lower = middle[t] + p["width"] * std[t], middle[t] - p["width"] * std[t]
            if c < lower and strength[t] < p["oversold"]:
                state = 1.0
            elif p["allow_short"] and c > upper and strength[t] > p["overbought"]:
                state = -1.0
            elif (state > 0 and c >= middle[t]) or (state < 0 and c <= middle[t]):
                state = 0.0
            expected.append(state)
        got = evaluate_target(strategy, bars).to_numpy()
        assert np.nansum(np.abs(got)) > 10  # the rules fire on this data
        np.testing.assert_array_equal(got, np.array(expected))


def test_breakout_matches_a_state_machine_and_sets_atr_stops(bars: pd.DataFrame) -> None:
    for params in ({}, {"min_atr_pct": 0.0025, "allow_short": False, "take_atr": 4.0}):
        strategy = load("breakout", **params)
        p = strategy.params
        high, low, close = (bars[c].tolist() for c in ("high", "low", "close"))
        vol = reference_atr(high, low, close, p["atr_period"])
        first = max(p["channel"], p["exit_channel"], p["atr_period"])
        state, expected = 0.0, []
        for t in range(len(close)):
            if t < first:
                expected.append(NAN)
                continue
            top, bottom = max(high[t - p["channel"] : t]), min(low[t - p["channel"] : t])
            exit_top = max(high[t - p["exit_channel"] : t])
            exit_bottom = min(low[t - p["exit_channel"] : t])
            lively = vol[t] / close[t] >= p["min_atr_pct"]
            if lively and close[t] > top:
                state = 1.0
            elif lively and p["allow_short"] and close[t] < bottom:
                state = -1.0
            elif (state > 0 and close[t] < exit_bottom) or (state < 0 and close[t] > exit_top):
                state = 0.0
            expected.append(state)
        got = evaluate_target(strategy, bars).to_numpy()
        assert (got == 1.0).sum() > 10
        np.testing.assert_array_equal(got, np.array(expected))
        stops = evaluate_stops(strategy, bars)
        assert stops is not None
        t = 500
        assert stops["stop_loss_pct"].iloc[t] == pytest.approx(2.0 * vol[t] / close[t], rel=1e-9)
        take = stops["take_profit_pct"].iloc[t]
        if p["take_atr"]:
            assert take == pytest.approx(4.0 * vol[t] / close[t], rel=1e-9)
        else:
            assert math.isnan(take)


def test_explain_gives_confidence_and_reasons(bars: pd.DataFrame) -> None:
    for name in ("sma_cross", "mean_reversion", "breakout"):
        confidence, reasons = load(name).explain(bars)
        assert 0.5 <= confidence <= 1.0 and reasons
