"""Config validation, bar checks, order events, funding times and the numba cache fallback."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import numba.core.caching
import numpy as np
import pandas as pd
import pytest
from bt_builders import NAN, FixedTarget, flat, make_bars, run

from moonai_tui.backtest import BacktestConfig, DepthSlippage, events_from_target, funding_per_bar
from moonai_tui.backtest._jit import compiled
from moonai_tui.errors import ConfigError, DataError, StrategyError


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"market": "futures"}, "backtest.market is 'futures'"),
        ({"initial_equity": 0.0}, "backtest.initial_equity is 0.0; expected > 0"),
        ({"taker_fee": -0.001}, "backtest.taker_fee"),
        ({"stop_loss_pct": 1.5}, "backtest.stop_loss_pct is 1.5"),
        ({"risk_per_trade": 0.05}, "backtest.risk_per_trade is 0.05; expected (0, 0.02]"),
        ({"stop_loss_pct": None}, "stop_loss_pct is None, but sizing 'risk' needs a stop"),
        ({"market": "spot", "allow_short": True}, "allow_short is True, but spot cannot short"),
        ({"market": "spot", "all_in_fraction": 2.0}, "all_in_fraction is 2.0; expected (0, 1]"),
        ({"slippage": DepthSlippage(depth_per_bps=0.0)}, "slippage.depth_per_bps is 0.0"),
        ({"fill_timing": "same_bar"}, "backtest.fill_timing is 'same_bar'"),
        ({"initial_equity": float("nan")}, "initial_equity is nan; expected a finite number"),
    ],
)
def test_bad_config_names_the_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        BacktestConfig(**changes)  # type: ignore[arg-type]


def test_allow_short_defaults_by_market() -> None:
    assert BacktestConfig().shorts
    assert not BacktestConfig(market="spot").shorts
    assert not BacktestConfig().with_changes(market="spot").shorts


def test_events_follow_the_contracts_edge_rule() -> None:
    # flat start; NaN carries; only changes are orders; a repeat is nothing
    target = [NAN, 0, 1, 1, NAN, 1, -1, NAN, 0, 0, 1]
    expected = [NAN, NAN, 1, NAN, NAN, NAN, -1, NAN, 0, NAN, 1]
    np.testing.assert_array_equal(events_from_target(target), expected)


def test_funding_times_fall_on_bar_opens_at_00_08_16_utc() -> None:
    times = pd.date_range("2024-03-01 06:00", "2024-03-02 01:00", freq="1h", tz="UTC")
    ms = times.as_unit("ms").asi8
    funding = funding_per_bar(ms, BacktestConfig(funding_rate=0.0001))
    assert funding is not None
    charged = times[funding != 0]
    assert list(charged.strftime("%d %H:%M")) == ["01 08:00", "01 16:00", "02 00:00"]
    assert funding_per_bar(ms, BacktestConfig(market="spot")) is None


def test_daily_bars_collect_the_days_three_funding_times_at_the_next_open() -> None:
    times = pd.date_range("2024-03-01", periods=3, freq="1D", tz="UTC")
    funding = funding_per_bar(times.as_unit("ms").asi8, BacktestConfig(funding_rate=0.0001))
    # (day0 00:00, day1 00:00] holds 08:00, 16:00 and day1 00:00
    np.testing.assert_allclose(funding, [0.0, 0.0003, 0.0003])


def test_funding_series_must_cover_the_bars() -> None:
    rates = pd.Series([0.0001], index=pd.DatetimeIndex(["2024-03-02 00:00"], tz="UTC"))
    times = pd.date_range("2024-03-01 06:00", periods=30, freq="1h", tz="UTC")
    with pytest.raises(ConfigError, match="funding_rates starts at 2024-03-02"):
        funding_per_bar(times.as_unit("ms").asi8, BacktestConfig(funding_rates=rates))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.tz_localize(None), "index must be a tz-aware UTC DatetimeIndex"),
        (lambda b: b.iloc[::-1], "ascending and unique"),
        (lambda b: b.drop(columns="low"), "missing column"),
        (lambda b: b.assign(close=[100.0, NAN, 100.0]), r"close is nan at .* \(bar 1\)"),
        (lambda b: b.assign(high=[100.0, 99.0, 100.0]), "bar 1 .* high 99.0"),
    ],
)
def test_bad_bars_raise_one_clear_line(mutate: object, message: str) -> None:
    bars = make_bars([flat(100)] * 3)
    bad = mutate(bars)  # type: ignore[operator]
    from moonai_tui.backtest import run_backtest

    with pytest.raises(DataError, match=message):
        run_backtest(FixedTarget([NAN] * 3), bad)


def test_bad_target_value_is_a_strategy_error_naming_the_bar() -> None:
    with pytest.raises(StrategyError, match=r"target\(\) is 0.5 .* \(bar 1\)"):
        run([flat(100)] * 3, [NAN, 0.5, 1])


def test_unwritable_cache_falls_back_to_compiling_in_memory(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # No cache locator accepts the file: numba refuses cache=True outright.
    monkeypatch.setattr(numba.core.caching.CacheImpl, "_locator_classes", [])

    def twice(x: float) -> float:
        return 2.0 * x

    with caplog.at_level(logging.WARNING):
        fast = compiled(twice)
    assert fast(2.5) == 5.0
    assert "NUMBA_CACHE_DIR" in caplog.text


def test_kernel_caches_go_stale_when_any_kernel_file_changes() -> None:
    # The loop's cache stamp must carry the hash of kernels.py too: the loop has the
    # kernels compiled into it, and numba alone only checks the loop's own file.
    from moonai_tui.backtest import simulate
    from moonai_tui.backtest._jit import kernel_fingerprint

    locator = simulate._loop._cache._impl.locator
    assert kernel_fingerprint() in locator.get_source_stamp()


def test_skipped_blas_probe_leaves_numba_linear_algebra_working() -> None:
    # A fresh process: importing the kernels must not pull in scipy.linalg, and
    # np.dot in other numba code must still compile (scipy is imported on demand).
    code = (
        "import sys\n"
        "import numba, numpy as np\n"
        "import moonai_tui.backtest.simulate\n"
        "assert 'scipy.linalg' not in sys.modules\n"
        "dot = numba.njit(lambda x, y: np.dot(x, y))\n"
        "print(dot(np.arange(3.0), np.arange(3.0)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5.0"


def test_simulate_arrays_refuses_arrays_of_different_lengths() -> None:
    from moonai_tui.backtest import kernel_params, simulate_arrays

    ones = np.ones(3)
    with pytest.raises(ValueError, match="array 4 has 2 values, not 3"):
        simulate_arrays(ones, ones, ones, ones, np.full(2, np.nan), kernel_params(BacktestConfig()))
