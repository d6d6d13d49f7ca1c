"""Backtest metrics against hand-computed values, edge cases and a second implementation."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from moonai_tui.backtest.metrics import Metrics, compute_metrics
from moonai_tui.errors import MetricsError

DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def run(
    equity: list[float],
    step_ms: int = DAY_MS,
    pnl: list[float] | None = None,
    exposure: list[float] | None = None,
    initial: float = 100.0,
    notional: float = 0.0,
    fees: float = 0.0,
    stamps: list[int] | None = None,
) -> Metrics:
    return compute_metrics(
        equity=np.array(equity, dtype=np.float64),
        timestamps_ms=np.array(
            stamps if stamps is not None else [i * step_ms for i in range(len(equity))],
            dtype=np.int64,
        ),
        trade_pnl=np.array(pnl or [], dtype=np.float64),
        exposure=np.array(exposure if exposure is not None else [0.0] * len(equity)),
        traded_notional=notional,
        fees_paid=fees,
        initial_equity=initial,
    )


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-12, abs=1e-12)


def test_a_four_bar_monthly_run_matches_the_hand_computation() -> None:
    # Bars 30 days apart, initial equity 100, equity 110, 99, 108.9, 119.79:
    #   returns r = +10%, -10%, +10%, +10% (the first against the initial 100).
    #   mean(r) = 0.05; deviations .05, -.15, .05, .05 -> sum of squares 0.03,
    #   sample variance 0.03/3 = 0.01, std 0.1.
    #   P = 365/30 bars a year; elapsed = 3 * 30 + 30 = 120 days (first open to last close).
    #   volatility = 0.1 * sqrt(365/30); Sharpe = 0.05/0.1 * sqrt(365/30).
    #   Downside: min(r, 0)^2 = 0, .01, 0, 0 -> mean .0025 -> D = 0.05;
    #   Sortino = 0.05/0.05 * sqrt(365/30).
    #   total = 119.79/100 - 1 = 0.1979; CAGR = 1.1979 ** (365/120) - 1.
    #   Peaks 110, 110, 110, 119.79: drawdowns 0, 1 - 99/110 = 0.1, 1 - 108.9/110 = 0.01, 0
    #   -> max 0.1; Calmar = CAGR / 0.1. Underwater bars 1-2: 2 bars, from the close of
    #   bar 0 (the peak) to the close of bar 2 = 60 days.
    # Trades (net): +10, -4, +6, 0, -2 -> 2 wins of 5 = 0.4; profit factor 16/6;
    #   average = 10/5 = 2; expectancy = 0.4 * 8 - 0.4 * 3 = 2 (mean wins 8, losses 3).
    # Exposure 1, 1, 0, .5 -> 0.625. Turnover = 1000 / mean(110, 99, 108.9, 119.79)
    #   = 1000 / 109.4225.
    m = run(
        [110.0, 99.0, 108.9, 119.79],
        step_ms=30 * DAY_MS,
        pnl=[10.0, -4.0, 6.0, 0.0, -2.0],
        exposure=[1.0, 1.0, 0.0, 0.5],
        notional=1000.0,
        fees=3.5,
    )
    per_year = 365 / 30
    cagr = 1.1979 ** (365 / 120) - 1
    assert m.total_return == approx(0.1979)
    assert m.annualised_return == approx(cagr)
    assert m.volatility == approx(0.1 * math.sqrt(per_year))
    assert m.sharpe == approx(0.5 * math.sqrt(per_year))
    assert m.sortino == approx(1.0 * math.sqrt(per_year))
    assert m.max_drawdown == approx(0.1)
    assert m.calmar == approx(cagr / 0.1)
    assert m.max_drawdown_duration_bars == 2
    assert m.max_drawdown_duration_seconds == 60 * 86_400
    assert m.win_rate == approx(0.4)
    assert m.profit_factor == approx(16 / 6)
    assert m.average_trade == approx(2.0)
    assert m.expectancy == approx(2.0)
    assert m.exposure == approx(0.625)
    assert m.turnover == approx(1000 / 109.4225)
    assert m.fees_paid == 3.5
    assert m.trades == 5
    assert m.final_equity == 119.79


def test_hourly_bars_annualise_with_8760_periods() -> None:
    # Returns +1%, -1% (101 then 99.99): mean 0, so Sharpe 0; sample std of two values
    # a, b is |a - b|/sqrt(2) = 0.02/sqrt(2); volatility = that * sqrt(24 * 365).
    m = run([101.0, 99.99], step_ms=HOUR_MS)
    assert m.volatility == pytest.approx(0.02 / math.sqrt(2) * math.sqrt(8760), rel=1e-12)
    assert m.sharpe == pytest.approx(0.0, abs=1e-12)


def test_a_drawdown_still_open_at_the_end_counts_and_gaps_count_as_time() -> None:
    # Equity 100 -> 120 (peak, bar 0) then 90, 95, 100: underwater for bars 1-3, not
    # recovered. Bars are hourly but bar 2 opens 10 h after bar 1 (a data gap):
    # opens 0, 1, 11, 12 h; median spacing 1 h; the spell runs from the close of bar 0
    # (1 h) to the close of bar 3 (13 h) = 12 h, though it spans only 3 bars.
    m = run([120.0, 90.0, 95.0, 100.0], stamps=[0, HOUR_MS, 11 * HOUR_MS, 12 * HOUR_MS])
    assert m.max_drawdown == pytest.approx(0.25)
    assert m.max_drawdown_duration_bars == 3
    assert m.max_drawdown_duration_seconds == 12 * 3600


def test_a_drawdown_from_the_initial_equity_starts_at_the_first_open() -> None:
    # Initial 100, equity 95, 97, 101 (daily): underwater bars 0-1 measured from the
    # first open (day 0) to the close of bar 1 (day 2) = 2 days; then longer spell later:
    # 101 peak (bar 2), 100, 100, 100 (bars 3-5) -> 3 bars, close of bar 2 (day 3) to close
    # of bar 5 (day 6) = 3 days.
    m = run([95.0, 97.0, 101.0, 100.0, 100.0, 100.0])
    assert m.max_drawdown == pytest.approx(0.05)
    assert m.max_drawdown_duration_bars == 3
    assert m.max_drawdown_duration_seconds == 3 * 86_400
    short = run([95.0, 97.0, 101.0])
    assert short.max_drawdown_duration_bars == 2
    assert short.max_drawdown_duration_seconds == 2 * 86_400


def test_flat_equity_gives_zeros_not_nans() -> None:
    m = run([100.0] * 5, step_ms=HOUR_MS)
    for name in (
        "total_return",
        "annualised_return",
        "volatility",
        "sharpe",
        "sortino",
        "calmar",
        "max_drawdown",
        "max_drawdown_duration_seconds",
        "win_rate",
        "profit_factor",
        "expectancy",
        "average_trade",
        "exposure",
        "turnover",
    ):
        assert getattr(m, name) == 0.0, name
    assert m.max_drawdown_duration_bars == 0
    assert m.trades == 0


def test_a_single_bar_has_returns_but_no_annualised_figures() -> None:
    # 100 -> 90: total -10%, drawdown 10% for 1 bar; spacing unknown -> P = 0, elapsed 0.
    m = run([90.0])
    assert m.total_return == pytest.approx(-0.1)
    assert m.max_drawdown == pytest.approx(0.1)
    assert m.max_drawdown_duration_bars == 1
    assert m.max_drawdown_duration_seconds == 0.0
    assert (m.annualised_return, m.volatility, m.sharpe, m.sortino, m.calmar) == (0, 0, 0, 0, 0)


def test_only_winning_trades_and_no_losing_bars_give_inf_which_json_writes_as_null() -> None:
    m = run([101.0, 102.0, 103.0], pnl=[1.0, 2.0])
    assert m.profit_factor == math.inf
    assert m.sortino == math.inf
    assert m.calmar == math.inf
    assert m.win_rate == 1.0
    data = m.to_dict()
    assert data["profit_factor"] is None and data["sortino"] is None and data["calmar"] is None
    assert data["trades"] == 2 and isinstance(data["trades"], int)
    assert data["final_equity"] == 103.0
    assert set(data) == set(Metrics.__dataclass_fields__)
    json.dumps(data, allow_nan=False)


def test_only_losing_trades_give_a_profit_factor_of_zero() -> None:
    m = run([99.0, 98.0], pnl=[-1.0, -1.0])
    assert (m.profit_factor, m.win_rate, m.expectancy, m.average_trade) == (0.0, 0.0, -1.0, -1.0)


def test_a_blown_account_loses_everything_and_earns_nothing_after() -> None:
    # 100 -> 50 -> 0 -> 0: returns -50%, -100%, then 0 (no equity left to return on).
    m = run([50.0, 0.0, 0.0])
    assert m.total_return == -1.0
    assert m.annualised_return == -1.0
    assert m.max_drawdown == 1.0
    mean = (-0.5 - 1.0 + 0.0) / 3
    std = math.sqrt(((-0.5 - mean) ** 2 + (-1.0 - mean) ** 2 + mean**2) / 2)
    assert m.sharpe == pytest.approx(mean / std * math.sqrt(365), rel=1e-12)


def test_a_huge_return_over_minutes_annualises_to_inf_not_an_overflow_error() -> None:
    m = run([200.0, 400.0], step_ms=60_000)
    assert m.annualised_return == math.inf
    assert m.to_dict()["annualised_return"] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"equity": []}, "equity is empty"),
        ({"equity": [1.0, math.nan]}, r"equity\[1\] is nan"),
        ({"timestamps_ms": [0, 0, 1]}, "timestamps_ms must increase, got 0 then 0 at bar 1"),
        ({"timestamps_ms": [0.0, 1.0, 2.0]}, "timestamps_ms must be integers"),
        ({"timestamps_ms": [0, 1]}, r"timestamps_ms has shape \(2,\) for 3 bars"),
        ({"exposure": [1.0]}, "exposure has 1 values for 3 bars"),
        ({"exposure": [1.0, -1.0, 0.0]}, "exposure must be >= 0"),
        ({"trade_pnl": [math.inf]}, r"trade_pnl\[0\] is inf"),
        ({"initial_equity": 0.0}, "initial_equity must be > 0, got 0.0"),
        ({"traded_notional": -1.0}, "traded_notional must be >= 0"),
        ({"fees_paid": "1"}, "fees_paid must be a number, got '1'"),
    ],
)
def test_inconsistent_inputs_raise_a_metrics_error(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "equity": [100.0, 101.0, 102.0],
        "timestamps_ms": [0, 1, 2],
        "trade_pnl": [],
        "exposure": [0.0, 0.0, 0.0],
        "traded_notional": 0.0,
        "fees_paid": 0.0,
        "initial_equity": 100.0,
    }
    args.update(kwargs)
    for key in ("equity", "trade_pnl", "exposure"):
        args[key] = np.array(args[key], dtype=np.float64)
    if isinstance(args["timestamps_ms"], list):
        args["timestamps_ms"] = np.array(args["timestamps_ms"])
    with pytest.raises(MetricsError, match=message) as info:
        compute_metrics(**args)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)


def naive_sharpe(returns: list[float], per_year: float) -> float:
    mean = sum(returns) / len(returns)
    var = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    return mean / math.sqrt(var) * math.sqrt(per_year)


def naive_drawdown(initial: float, equity: list[float]) -> tuple[float, int]:
    peak, worst, run_len, longest = initial, 0.0, 0, 0
    for value in equity:
        if value >= peak:
            peak, run_len = value, 0
        else:
            run_len += 1
            worst = max(worst, (peak - value) / peak)
            longest = max(longest, run_len)
    return worst, longest


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_sharpe_and_drawdown_agree_with_a_plain_loop_on_random_equity(seed: int) -> None:
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0002, 0.01, 2_000)
    equity = 1_000.0 * np.cumprod(1.0 + returns)
    m = compute_metrics(
        equity=equity,
        timestamps_ms=np.arange(2_000, dtype=np.int64) * 15 * 60_000,
        trade_pnl=np.empty(0),
        exposure=np.ones(2_000),
        traded_notional=0.0,
        fees_paid=0.0,
        initial_equity=1_000.0,
    )
    per_year = 365 * 24 * 4
    assert m.sharpe == pytest.approx(naive_sharpe(returns.tolist(), per_year), rel=1e-9)
    worst, longest = naive_drawdown(1_000.0, equity.tolist())
    assert m.max_drawdown == pytest.approx(worst, rel=1e-12)
    assert m.max_drawdown_duration_bars == longest
    assert m.max_drawdown_duration_seconds == longest * 15 * 60
