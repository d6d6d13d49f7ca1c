"""The causality check catches planted look-ahead at the right bar and passes causal code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from strategy_bars import random_bars

from moonai_tui.errors import DataError, StrategyError
from moonai_tui.strategy import Strategy, evaluate_target, load_params, load_strategy
from moonai_tui.strategy.bars import demo_bars
from moonai_tui.strategy.causality import check_causality, check_live_window


def _sign(values: pd.Series) -> pd.Series:
    return np.sign(values)


class PandasSma(Strategy):
    """Causal SMA cross written with pandas (independent of moonai_tui.indicators)."""

    fast: int = 3
    slow: int = 8
    peek: bool = False

    def warmup(self) -> int:
        return self.slow

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"].shift(-1) if self.peek else bars["close"]
        return _sign(close.rolling(self.fast).mean() - close.rolling(self.slow).mean())


class LateLeak(Strategy):
    """Causal until bar ``start``, then reads the next bar's close."""

    start: int = 1234

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"]
        honest = _sign(close.diff())
        cheat = _sign(close.shift(-1) - close)
        return honest.where(np.arange(len(bars)) < self.start, cheat)


class Centred(Strategy):
    """A centred rolling mean: each value also averages the next ``width // 2`` bars."""

    width: int = 5
    min_periods: int = 0

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"]
        mean = close.rolling(self.width, center=True, min_periods=self.min_periods or None).mean()
        return _sign(close - mean)


class GlobalMean(Strategy):
    def target(self, bars: pd.DataFrame) -> pd.Series:
        return _sign(bars["close"] - bars["close"].mean())


class PeekingStops(PandasSma):
    def stops(self, bars: pd.DataFrame) -> pd.DataFrame:
        move = (bars["close"].shift(-1) / bars["close"] - 1).abs() + 0.01
        return pd.DataFrame({"stop_loss_pct": move}, index=bars.index)


def test_causal_code_passes(bars: pd.DataFrame) -> None:
    report = check_causality(PandasSma(), bars, cuts=50, seed=3)
    assert report.causal and report.index is None
    assert report.cuts >= 50 and report.bars == len(bars)
    assert "causal (" in report.describe()


def test_shift_minus_one_leak_is_caught_at_its_first_bar(bars: pd.DataFrame) -> None:
    strategy = PandasSma(peek=True)
    report = check_causality(strategy, bars)
    # close.shift(-1) makes rolling(slow) valid from bar slow - 1 = 7 on the full
    # history; cut at any bar, that bar's value needs the missing next close (NaN).
    assert not report.causal
    assert report.index == 7
    assert report.time == bars.index[7]
    assert report.full_value in (-1.0, 1.0) and np.isnan(report.cut_value)
    assert "LOOK-AHEAD at bar 7 (2024-01-01 00:07 UTC)" in report.describe()


def test_leak_starting_late_is_found_exactly_by_bisection(bars: pd.DataFrame) -> None:
    for seed in range(3):
        report = check_causality(LateLeak(), bars, seed=seed)
        assert report.index == 1234 and report.cut == 1234


def test_centred_window_leak_is_caught(bars: pd.DataFrame) -> None:
    report = check_causality(Centred(width=5), bars)
    # Full history: the first centred mean is at bar 2 (bars 0..4); cut at bar 2 it is NaN.
    assert report.index == 2 and np.isnan(report.cut_value)


def test_centred_leak_with_partial_windows_is_a_real_offence() -> None:
    bars = random_bars(400, seed=11)
    strategy = Centred(width=21, min_periods=1)
    report = check_causality(strategy, bars)
    assert report.index is not None and report.cut is not None
    full = evaluate_target(strategy, bars).to_numpy()
    # Brute force over every cut: the first bar whose value changes when the future goes.
    offending = [
        t
        for t in range(len(bars))
        if evaluate_target(strategy, bars.iloc[: t + 1]).iloc[-1] != full[t]
    ]
    assert offending and report.index >= offending[0]
    truncated = evaluate_target(strategy, bars.iloc[: report.cut + 1]).to_numpy()
    assert truncated[report.index] != full[report.index]


def test_whole_series_normalisation_is_caught(bars: pd.DataFrame) -> None:
    assert not check_causality(GlobalMean(), bars).causal


def test_look_ahead_in_stop_overrides_is_caught(bars: pd.DataFrame) -> None:
    report = check_causality(PeekingStops(), bars)
    assert report.column == "stop_loss_pct" and report.index == 0


def test_builtins_are_causal_and_agree_on_the_live_window() -> None:
    bars, _ = demo_bars()
    folder, params_file = Path("strategies"), Path("config/strategy_params.yaml")
    for name in ("sma_cross", "mean_reversion", "breakout"):
        strategy = load_strategy(name, folder, load_params(params_file, name))
        report = check_causality(strategy, bars, cuts=30)
        assert report.causal, report.describe()
        window = check_live_window(strategy, bars, points=10)
        assert window.ok and window.checked == 10, window.describe()


def test_builtin_variants_are_causal(bars: pd.DataFrame) -> None:
    folder = Path("strategies")
    variants = [
        ("sma_cross", {"trend": 50, "allow_short": False}),
        ("mean_reversion", {"allow_short": False, "width": 1.5}),
        ("breakout", {"min_atr_pct": 0.002, "take_atr": 3.0}),
    ]
    for name, params in variants:
        report = check_causality(load_strategy(name, folder, params), bars, cuts=20)
        assert report.causal, report.describe()


def test_a_window_too_short_for_an_exponential_memory_is_reported() -> None:
    class Ewm(Strategy):
        def lookback(self) -> int:
            return 30

        def target(self, bars: pd.DataFrame) -> pd.Series:
            close = bars["close"]
            return _sign(close - close.ewm(span=200, adjust=False).mean())

    bars = random_bars(2_000, seed=5)
    assert check_causality(Ewm(), bars).causal
    report = check_live_window(Ewm(), bars, points=200)
    assert not report.ok and "raise the strategy's lookback()" in report.describe()


def test_errors_on_short_history_surface_as_strategy_errors(bars: pd.DataFrame) -> None:
    class Picky(Strategy):
        def target(self, bars: pd.DataFrame) -> pd.Series:
            if len(bars) < 100:
                raise ValueError("need 100 bars")
            return pd.Series(1.0, index=bars.index)

    with pytest.raises(
        StrategyError, match=r"test_causality\.py:\d+: target\(\) raised ValueError"
    ):
        check_causality(Picky(), bars)
    with pytest.raises(DataError, match="at least 2 bars"):
        check_causality(PandasSma(), bars.iloc[:1])
