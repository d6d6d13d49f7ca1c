"""``run_backtest``: a strategy on bars, through the compiled loop, to trades and metrics.

The strategy's ``target`` (and optional ``stops``) run once on the whole history;
their changes become orders by the contract's edge rule; the loop in
:mod:`moonai_tui.backtest.simulate` fills them with the live fee, slippage, stop
and sizing rules. ``progress`` (a fraction 0..1) is reported between these stages:
the loop itself runs millions of bars per second, so finer reports would cost more
than they tell.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from moonai_tui.backtest.config import BacktestConfig, DepthSlippage
from moonai_tui.backtest.inputs import (
    F64,
    bar_arrays,
    events_from_target,
    funding_per_bar,
)
from moonai_tui.backtest.metrics import Metrics, compute_metrics
from moonai_tui.backtest.simulate import (
    ENTRY_BAR,
    ENTRY_FEE,
    ENTRY_PRICE,
    EXIT_BAR,
    EXIT_FEE,
    EXIT_PRICE,
    EXIT_REASONS,
    FUNDING,
    PNL,
    QTY,
    REASON,
    SIDE,
    STILL_OPEN,
    STOP,
    TAKE,
    KernelOutput,
    KernelParams,
    simulate_arrays,
)
from moonai_tui.strategy.base import Strategy
from moonai_tui.strategy.loader import evaluate_stops, evaluate_target

Progress = Callable[[float], None]

TRADE_COLUMNS = (
    "entry_time",
    "exit_time",
    "side",
    "qty",
    "entry_price",
    "exit_price",
    "entry_fee",
    "exit_fee",
    "fees",
    "funding",
    "pnl",
    "return_pct",
    "exit_reason",
    "stop_loss",
    "take_profit",
    "entry_bar",
    "exit_bar",
)
"""Columns of :attr:`BacktestResult.trades`. Times are the open time of the bar in which
the fill happened (with ``signal_close`` the fill is at that bar's close);
``pnl`` is net of both fees and funding; ``return_pct`` is ``pnl / entry notional``;
``exit_reason`` is one of ``EXIT_REASONS`` (``open``: still open after the last bar,
valued at its close with no exit fee)."""


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """The outcome of one run.

    Attributes:
        trades: one row per trade, columns ``TRADE_COLUMNS``.
        equity: equity at each bar's close (index = bar open times).
        position: signed quantity held at each bar's close.
        metrics: :class:`~moonai_tui.backtest.metrics.Metrics` of the run.
        config: the settings used.
        skipped_entries: entries refused by the sizing or stop rules.
        funding_paid: total funding paid (negative = received).
    """

    trades: pd.DataFrame
    equity: pd.Series
    position: pd.Series
    metrics: Metrics
    config: BacktestConfig
    skipped_entries: int
    funding_paid: float


def kernel_params(config: BacktestConfig) -> KernelParams:
    """The loop's scalar settings for ``config`` (NaN = no stop / take-profit / trail)."""
    slip = config.slippage
    if isinstance(slip, DepthSlippage):
        fixed_bps, depth_per_bps = slip.half_spread_bps, slip.depth_per_bps
    else:
        fixed_bps, depth_per_bps = slip.bps, 0.0
    return KernelParams(
        initial_equity=config.initial_equity,
        fee_rate=config.taker_fee,
        fixed_bps=fixed_bps,
        depth_per_bps=depth_per_bps,
        fill_next_open=config.fill_timing == "next_open",
        default_stop=_or_nan(config.stop_loss_pct),
        default_take=_or_nan(config.take_profit_pct),
        trail_pct=_or_nan(config.trailing_stop_pct),
        risk_sizing=config.sizing == "risk",
        risk_per_trade=config.risk_per_trade,
        max_position_pct=config.max_position_pct_equity,
        max_leverage=config.max_leverage if config.market == "linear" else 1.0,
        all_in_fraction=config.all_in_fraction,
        allow_short=config.shorts,
        spot=config.market == "spot",
        close_at_end=config.close_at_end,
        tick=config.tick_size,
        lot=config.lot_size,
        min_qty=config.min_qty,
        min_notional=config.min_notional,
    )


def run_backtest(
    strategy: Strategy,
    bars: pd.DataFrame,
    config: BacktestConfig | None = None,
    progress: Progress | None = None,
) -> BacktestResult:
    """Backtest ``strategy`` on ``bars`` (STRATEGY_CONTRACT) with ``config``.

    Raises:
        DataError: invalid bars.
        StrategyError: ``target()`` / ``stops()`` raised or returned bad values.
        ConfigError: a funding series that does not cover the bars.
    """
    config = BacktestConfig() if config is None else config
    report = progress or _no_progress
    report(0.0)
    open_, high, low, close, times = bar_arrays(bars)
    target = evaluate_target(strategy, bars)
    stops = evaluate_stops(strategy, bars)
    report(0.5)
    out = simulate_arrays(
        open_,
        high,
        low,
        close,
        events_from_target(target.to_numpy()),
        kernel_params(config),
        stop_pct=_column(stops, "stop_loss_pct"),
        take_pct=_column(stops, "take_profit_pct"),
        funding=funding_per_bar(times, config),
    )
    report(0.9)
    result = result_from_output(out, pd.DatetimeIndex(bars.index), config, times)
    report(1.0)
    return result


def result_from_output(
    out: KernelOutput,
    index: pd.DatetimeIndex,
    config: BacktestConfig,
    times_ms: npt.NDArray[np.int64] | None = None,
) -> BacktestResult:
    """Wrap the loop's arrays into a :class:`BacktestResult` (trades table, metrics).

    ``times_ms``: ``index`` in Unix milliseconds, if already computed.
    """
    trades = trades_frame(out.records, index)
    closed = out.records[out.records[:, REASON] != STILL_OPEN]
    equity = out.equity
    metrics = compute_metrics(
        equity=equity,
        timestamps_ms=index.as_unit("ms").asi8 if times_ms is None else times_ms,
        trade_pnl=closed[:, PNL],
        exposure=(out.position != 0.0).astype(np.float64),
        traded_notional=out.traded_notional,
        fees_paid=out.fees_paid,
        initial_equity=config.initial_equity,
    )
    return BacktestResult(
        trades=trades,
        equity=pd.Series(equity, index=index, name="equity"),
        position=pd.Series(out.position, index=index, name="position"),
        metrics=metrics,
        config=config,
        skipped_entries=out.skipped_entries,
        funding_paid=out.funding_paid,
    )


def trades_frame(records: F64, index: pd.DatetimeIndex) -> pd.DataFrame:
    """The trade records as a DataFrame with ``TRADE_COLUMNS``."""
    entry_bar = records[:, ENTRY_BAR].astype(np.int64)
    exit_bar = records[:, EXIT_BAR].astype(np.int64)
    qty = records[:, QTY]
    fees = records[:, ENTRY_FEE] + records[:, EXIT_FEE]
    reasons = np.asarray(EXIT_REASONS, dtype=object)[records[:, REASON].astype(np.int64)]
    return pd.DataFrame(
        {
            "entry_time": index[entry_bar],
            "exit_time": index[exit_bar],
            "side": np.where(records[:, SIDE] > 0, "long", "short"),
            "qty": qty,
            "entry_price": records[:, ENTRY_PRICE],
            "exit_price": records[:, EXIT_PRICE],
            "entry_fee": records[:, ENTRY_FEE],
            "exit_fee": records[:, EXIT_FEE],
            "fees": fees,
            "funding": records[:, FUNDING],
            "pnl": records[:, PNL],
            "return_pct": records[:, PNL] / (qty * records[:, ENTRY_PRICE]),
            "exit_reason": reasons,
            "stop_loss": records[:, STOP],
            "take_profit": records[:, TAKE],
            "entry_bar": entry_bar,
            "exit_bar": exit_bar,
        },
        columns=list(TRADE_COLUMNS),
    )


def _column(stops: pd.DataFrame | None, name: str) -> F64 | None:
    if stops is None or name not in stops.columns:
        return None
    return np.ascontiguousarray(stops[name].to_numpy(dtype=np.float64))


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else value


def _no_progress(_: float) -> None:
    return None
