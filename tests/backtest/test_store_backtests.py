"""The backtest run repository: save, list, load, and the equity downsampling rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moonai_tui.store import open_store
from moonai_tui.store.backtests import (
    EQUITY_POINTS,
    NewBacktestRun,
    StoredTrade,
    downsample_equity,
)

MINUTE = 60_000


def _trade(seq: int, pnl: float) -> StoredTrade:
    return StoredTrade(
        seq=seq,
        side="long" if seq % 2 else "short",
        entry_ms=seq * MINUTE,
        exit_ms=(seq + 1) * MINUTE,
        qty=0.5,
        entry_price=100.0,
        exit_price=100.0 + pnl * 2,
        fees=0.11,
        funding=0.0,
        pnl=pnl,
        return_pct=pnl / 50.0,
        exit_reason="signal",
    )


def _run(strategy: str, points: int = 5, kind: str = "backtest") -> NewBacktestRun:
    times = [i * MINUTE for i in range(points)]
    return NewBacktestRun(
        kind=kind,
        strategy=strategy,
        params={"fast": 5, "allow_short": True},
        symbol="BTCUSDT",
        timeframe="1m",
        from_ms=times[0],
        until_ms=times[-1] + MINUTE,
        bars=points,
        source="file x.csv",
        config={"taker_fee": 0.00055, "slippage": {"model": "fixed", "bps": 0.0}},
        metrics={"total_return": 0.01, "sharpe": 1.5, "profit_factor": None, "trades": 2},
        equity_ms=times,
        equity=[10_000.0 + i for i in range(points)],
        detail={"note": "x"},
        trades=[_trade(1, 3.0), _trade(2, -1.0)],
    )


async def test_a_run_round_trips_with_trades_and_curve(tmp_path: Path) -> None:
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
        run_id = await store.backtests.save(_run("sma_cross"), now_ms=1_700_000_000_000)
        record = await store.backtests.load(run_id)
        assert await store.backtests.load(run_id + 1) is None
    assert record is not None
    summary = record.summary
    assert (summary.id, summary.kind, summary.strategy) == (run_id, "backtest", "sma_cross")
    assert summary.params == {"fast": 5, "allow_short": True}
    assert (summary.from_ms, summary.until_ms, summary.bars) == (0, 5 * MINUTE, 5)
    assert summary.metrics["profit_factor"] is None and summary.metrics["sharpe"] == 1.5
    assert summary.created_ms == 1_700_000_000_000
    assert record.config["slippage"] == {"model": "fixed", "bps": 0.0}
    assert record.equity_ms == [0, MINUTE, 2 * MINUTE, 3 * MINUTE, 4 * MINUTE]
    assert record.equity == [10_000.0, 10_001.0, 10_002.0, 10_003.0, 10_004.0]
    assert record.detail == {"note": "x"}
    assert record.trades == [_trade(1, 3.0), _trade(2, -1.0)]


async def test_runs_are_listed_newest_first_and_filtered(tmp_path: Path) -> None:
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
        first = await store.backtests.save(_run("sma_cross"), now_ms=1)
        second = await store.backtests.save(_run("breakout", kind="optimize"), now_ms=2)
        third = await store.backtests.save(_run("sma_cross", kind="walkforward"), now_ms=3)
        everything = await store.backtests.recent()
        newest = await store.backtests.recent(limit=1)
        sma = await store.backtests.recent(strategy="sma_cross")
        optimised = await store.backtests.recent(kind="optimize")
    assert [r.id for r in everything] == [third, second, first]
    assert [r.id for r in newest] == [third]
    assert [r.id for r in sma] == [third, first]
    assert [(r.id, r.strategy) for r in optimised] == [(second, "breakout")]


async def test_bad_runs_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
        with pytest.raises(ValueError, match="kind"):
            await store.backtests.save(_run("x", kind="live"), now_ms=1)
        with pytest.raises(ValueError, match="same length"):
            await store.backtests.save(
                NewBacktestRun(
                    kind="backtest",
                    strategy="x",
                    params={},
                    symbol="S",
                    timeframe="1m",
                    from_ms=0,
                    until_ms=MINUTE,
                    bars=1,
                    source="s",
                    config={},
                    metrics={},
                    equity_ms=[0, MINUTE],
                    equity=[1.0],
                ),
                now_ms=1,
            )
        assert await store.backtests.recent() == []


def test_a_short_curve_is_stored_whole() -> None:
    times = np.arange(10, dtype=np.int64)
    values = np.linspace(1.0, 2.0, 10)
    kept_t, kept_e = downsample_equity(times, values, max_points=10)
    assert kept_t.tolist() == times.tolist() and kept_e.tolist() == values.tolist()


def test_a_long_curve_keeps_each_buckets_low_and_high_plus_both_ends() -> None:
    # 12 points, at most 6 kept -> (6 - 2) // 2 = 2 buckets of 6 points: [0, 6) and [6, 12).
    values = np.array([5, 9, 1, 4, 4, 4, 3, 3, 8, 0, 3, 2], dtype=np.float64)
    times = np.arange(12, dtype=np.int64) * 10
    kept_t, kept_e = downsample_equity(times, values, max_points=6)
    # bucket 1: low 1 at index 2, high 9 at 1; bucket 2: low 0 at 9, high 8 at 8; ends 0, 11.
    assert kept_t.tolist() == [0, 10, 20, 80, 90, 110]
    assert kept_e.tolist() == [5, 9, 1, 8, 0, 2]


async def test_a_huge_curve_is_downsampled_on_save(tmp_path: Path) -> None:
    points = 3 * EQUITY_POINTS + 7
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as store:
        run = _run("big", points=points)
        run_id = await store.backtests.save(run, now_ms=1)
        record = await store.backtests.load(run_id)
    assert record is not None
    assert 2 < len(record.equity) <= EQUITY_POINTS
    assert record.equity_ms[0] == 0 and record.equity_ms[-1] == (points - 1) * MINUTE
    assert record.equity[-1] == 10_000.0 + points - 1
    assert record.summary.bars == points
