"""Trades on tiny bar sets, every number worked out by hand in the comments.

Unless a test says otherwise: equity 10,000, risk 1 % per trade, stop 2 %, take-profit
4 %, taker fee 0.055 %, no slippage, no funding, fills at the next bar's open.
An entry at 100 then risks 100 USDT over a 2 USDT stop distance: qty = 50
(notional 5,000, under the 100 % position cap), entry fee 50 x 100 x 0.00055 = 2.75.
"""

from __future__ import annotations

import pytest
from bt_builders import NAN, NO_FUNDING, flat, run

from moonai_tui.backtest import BacktestConfig, DepthSlippage, FixedSlippage

QUIET = (100.0, 101.0, 99.0, 100.0)
"""A bar that touches neither 98 / 104 (a long's levels) nor 102 / 96 (a short's)."""
FEE = 0.00055


def _one(result_trades: object) -> dict[str, object]:
    import pandas as pd

    assert isinstance(result_trades, pd.DataFrame)
    assert len(result_trades) == 1, result_trades
    row: dict[str, object] = result_trades.iloc[0].to_dict()
    return row


def test_long_enters_and_exits_at_next_opens_with_fees_on_both_sides() -> None:
    rows = [QUIET, QUIET, QUIET, (101, 103, 100, 102), (103, 103.5, 102, 103)]
    result = run(rows, [NAN, 1, 1, 0, 0])
    trade = _one(result.trades)
    # decided at bar 1's close -> bought at bar 2's open 100; sold at bar 4's open 103
    assert (trade["entry_bar"], trade["exit_bar"], trade["side"]) == (2, 4, "long")
    assert (trade["qty"], trade["entry_price"], trade["exit_price"]) == (50, 100, 103)
    assert trade["entry_fee"] == pytest.approx(2.75)
    assert trade["exit_fee"] == pytest.approx(50 * 103 * FEE)  # 2.8325
    # pnl = 50 x 3 - 2.75 - 2.8325 = 144.4175
    assert trade["pnl"] == pytest.approx(144.4175)
    assert trade["exit_reason"] == "signal"
    assert result.equity.iloc[-1] == pytest.approx(10_144.4175)
    assert list(result.position) == [0, 0, 50, 50, 0]
    # marked at closes: bar 2: 10,000 - 2.75 + 50 x (100 - 100) ; bar 3: + 50 x 2
    assert result.equity.iloc[2] == pytest.approx(9_997.25)
    assert result.equity.iloc[3] == pytest.approx(10_097.25)


def test_short_profits_from_a_fall() -> None:
    rows = [QUIET, QUIET, QUIET, (99, 100, 98, 98), (97, 98, 96.5, 97)]
    trade = _one(run(rows, [NAN, -1, -1, 0, 0]).trades)
    # short 50 at 100 (stop 102, take 96: untouched), covered at 97
    assert (trade["side"], trade["qty"], trade["exit_price"]) == ("short", 50, 97)
    # pnl = 50 x 3 - 2.75 - 50 x 97 x 0.00055 (2.6675) = 144.5825
    assert trade["pnl"] == pytest.approx(144.5825)


def test_reversal_closes_the_long_then_sizes_the_short_on_the_new_equity() -> None:
    rows = [QUIET, QUIET, QUIET, (101, 103, 100, 102), (103, 103.5, 102.5, 103)]
    result = run(rows, [NAN, 1, 1, -1, -1], close_at_end=False)
    long, short = result.trades.iloc[0], result.trades.iloc[1]
    assert (long["side"], long["exit_price"], long["exit_bar"]) == ("long", 103, 4)
    assert long["pnl"] == pytest.approx(144.4175)
    # equity after the close 10,144.4175; short at 103, stop 105.06 (distance 2.06):
    # qty = 10,144.4175 x 0.01 / 2.06 = 49.244745145631...
    qty = 10_144.4175 * 0.01 / (103 * 0.02)
    assert (short["side"], short["entry_bar"], short["entry_price"]) == ("short", 4, 103)
    assert short["qty"] == pytest.approx(qty, rel=1e-12)
    assert short["entry_fee"] == pytest.approx(qty * 103 * FEE)
    assert short["exit_reason"] == "open"
    assert result.position.iloc[-1] == pytest.approx(-qty)


def test_stop_loss_inside_a_bar_fills_at_the_stop_and_does_not_reenter() -> None:
    rows = [QUIET, QUIET, QUIET, (100, 100.5, 97.5, 98.5), QUIET, QUIET]
    result = run(rows, [NAN, 1, 1, 1, 1, 1])
    trade = _one(result.trades)
    assert (trade["exit_reason"], trade["exit_bar"], trade["exit_price"]) == (
        "stop_loss",
        3,
        98,
    )
    # pnl = 50 x (98 - 100) - 2.75 - 50 x 98 x 0.00055 (2.695) = -105.445
    assert trade["pnl"] == pytest.approx(-105.445)
    assert list(result.position) == [0, 0, 50, 0, 0, 0]


def test_take_profit_inside_a_bar_fills_at_the_target() -> None:
    rows = [QUIET, QUIET, QUIET, (101, 104.5, 100.5, 104)]
    trade = _one(run(rows, [NAN, 1, 1, 1]).trades)
    # pnl = 50 x 4 - 2.75 - 50 x 104 x 0.00055 (2.86) = 194.39
    assert (trade["exit_reason"], trade["exit_price"]) == ("take_profit", 104)
    assert trade["pnl"] == pytest.approx(194.39)


def test_stop_and_target_in_one_bar_assume_the_stop_first() -> None:
    rows = [QUIET, QUIET, QUIET, (100, 105, 97, 104)]
    trade = _one(run(rows, [NAN, 1, 1, 1]).trades)
    assert (trade["exit_reason"], trade["exit_price"]) == ("stop_loss", 98)


def test_gap_through_the_stop_fills_at_the_open() -> None:
    rows = [QUIET, QUIET, QUIET, (97, 97.5, 96, 97)]
    trade = _one(run(rows, [NAN, 1, 1, 1]).trades)
    # pnl = 50 x (97 - 100) - 2.75 - 50 x 97 x 0.00055 (2.6675) = -155.4175
    assert (trade["exit_reason"], trade["exit_price"]) == ("stop_loss", 97)
    assert trade["pnl"] == pytest.approx(-155.4175)


def test_gap_through_the_target_fills_at_the_target_not_the_open() -> None:
    rows = [QUIET, QUIET, QUIET, (106, 107, 105, 106)]
    trade = _one(run(rows, [NAN, 1, 1, 1]).trades)
    assert (trade["exit_reason"], trade["exit_price"]) == ("take_profit", 104)


def test_short_stop_inside_a_bar_is_above_the_entry() -> None:
    rows = [QUIET, QUIET, QUIET, (100, 102.5, 99, 101)]
    trade = _one(run(rows, [NAN, -1, -1, -1]).trades)
    # stop 102; pnl = -50 x 2 - 2.75 - 50 x 102 x 0.00055 (2.805) = -105.555
    assert (trade["exit_reason"], trade["exit_price"]) == ("stop_loss", 102)
    assert trade["pnl"] == pytest.approx(-105.555)


def test_trailing_stop_follows_the_previous_high_not_the_same_bar() -> None:
    # stop 5 %, trail 3 %, no take-profit: qty = 100 / (100 x 0.05) = 20.
    # Bar 2 (entry bar) rises to 104 but its low 99 is above the trail from the entry
    # (97): no exit, although 104 x 0.97 = 100.88 would have been hit had the high
    # come first. Bar 3: trail 100.88, low 100.5 -> out at 100.88.
    rows = [QUIET, QUIET, (100, 104, 99, 103), (103, 103.5, 100.5, 101)]
    result = run(
        rows, [NAN, 1, 1, 1], stop_loss_pct=0.05, take_profit_pct=None, trailing_stop_pct=0.03
    )
    trade = _one(result.trades)
    assert (trade["exit_reason"], trade["exit_bar"], trade["qty"]) == ("trailing_stop", 3, 20)
    assert trade["exit_price"] == pytest.approx(100.88)
    # pnl = 20 x 0.88 - 20 x 100 x 0.00055 (1.1) - 20 x 100.88 x 0.00055 (1.10968) = 15.39032
    assert trade["pnl"] == pytest.approx(15.39032)


def test_signal_close_fills_at_the_deciding_bars_close() -> None:
    rows = [QUIET, (100, 101, 99, 100), QUIET, (101, 103, 100, 102), (103, 103.5, 102, 103)]
    trade = _one(run(rows, [NAN, 1, 1, 0, 0], fill_timing="signal_close").trades)
    # bought at bar 1's close 100, sold at bar 3's close 102
    assert (trade["entry_bar"], trade["exit_bar"]) == (1, 3)
    assert (trade["entry_price"], trade["exit_price"]) == (100, 102)
    # pnl = 50 x 2 - 2.75 - 50 x 102 x 0.00055 (2.805) = 94.445
    assert trade["pnl"] == pytest.approx(94.445)


def test_close_at_end_sells_at_the_last_close_with_a_fee() -> None:
    rows = [QUIET, QUIET, QUIET, (100, 101, 99, 101)]
    result = run(rows, [NAN, 1, 1, 1])
    trade = _one(result.trades)
    # pnl = 50 x 1 - 2.75 - 50 x 101 x 0.00055 (2.7775) = 44.4725
    assert (trade["exit_reason"], trade["exit_price"]) == ("end_of_data", 101)
    assert result.equity.iloc[-1] == pytest.approx(10_044.4725)
    assert result.position.iloc[-1] == 0


def test_funding_is_charged_at_the_08_and_16_utc_bar_opens() -> None:
    import pandas as pd
    from bt_builders import FixedTarget, make_bars

    from moonai_tui.backtest import run_backtest

    # hourly bars 05:00..17:00, flat at 100; long 50 from 06:00 to the end.
    # funding 0.01 % at 08:00 and 16:00: 2 x 50 x 100 x 0.0001 = 1.0
    bars = make_bars([flat(100)] * 13, start=pd.Timestamp("2024-03-01 05:00", tz="UTC"), freq="1h")
    target = [1.0] * 13
    config = BacktestConfig(funding_rate=0.0001)
    result = run_backtest(FixedTarget(target), bars, config)
    trade = _one(result.trades)
    assert trade["funding"] == pytest.approx(1.0)
    # pnl = -2.75 x 2 (fees at 100 in and out) - 1.0 = -6.5
    assert trade["pnl"] == pytest.approx(-6.5)
    assert result.funding_paid == pytest.approx(1.0)
    # the 08:00 charge lands in bar 3's equity, not before
    assert result.equity.iloc[2] == pytest.approx(10_000 - 2.75)
    assert result.equity.iloc[3] == pytest.approx(10_000 - 2.75 - 0.5)

    # a short receives; a rate series gives each time its own rate
    rates = pd.Series(
        [0.0002, -0.0001],
        index=pd.DatetimeIndex(["2024-03-01 08:00", "2024-03-01 16:00"], tz="UTC"),
    )
    short = run_backtest(FixedTarget([-1.0] * 13), bars, config.with_changes(funding_rates=rates))
    # short 50: pays -50 x 100 x 0.0002 = -1.0 at 08:00, then -50 x 100 x -0.0001 = +0.5
    assert short.funding_paid == pytest.approx(-0.5)


def test_spot_never_shorts_a_short_target_only_closes() -> None:
    rows = [QUIET, QUIET, QUIET, QUIET, QUIET]
    result = run(rows, [NAN, 1, -1, -1, -1], market="spot")
    assert (result.position >= 0).all()
    trade = _one(result.trades)
    assert (trade["side"], trade["exit_reason"], trade["exit_bar"]) == ("long", "signal", 3)


def test_all_in_sizing_spends_the_equity_including_the_fee() -> None:
    rows = [QUIET, QUIET, QUIET]
    result = run(rows, [NAN, 1, 1], NO_FUNDING.with_changes(sizing="all_in"), close_at_end=False)
    trade = _one(result.trades)
    # qty = 10,000 / (100 x 1.00055); qty x 100 + fee = 10,000 exactly
    assert trade["qty"] == pytest.approx(10_000 / 100.055, rel=1e-12)
    assert trade["qty"] * 100 + trade["entry_fee"] == pytest.approx(10_000, rel=1e-12)


def test_fixed_slippage_moves_both_fills_against_us() -> None:
    rows = [QUIET, QUIET, QUIET, QUIET, (103, 103.5, 102, 103)]
    trade = _one(run(rows, [NAN, 1, 1, 0, 0], slippage=FixedSlippage(10)).trades)
    # buy at 100 x 1.001 = 100.1 (stop 98.098, so qty = 100 / 2.002);
    # sell at bar 4's open 103 x 0.999 = 102.897
    assert trade["entry_price"] == pytest.approx(100.1)
    assert trade["qty"] == pytest.approx(100 / 2.002)
    assert trade["exit_price"] == pytest.approx(102.897)


def test_depth_slippage_grows_with_size_and_keeps_the_risk_within_the_limit() -> None:
    # depth 1,000 USDT per bp, half spread 1 bp; a buy of notional N at 100 pays
    # 1 + N / 2,000 bp: about 3.5 bp for the ~5,000 USDT entry.
    slippage = DepthSlippage(depth_per_bps=1_000, half_spread_bps=1)
    trade = _one(run([QUIET] * 3, [NAN, 1, 1], slippage=slippage, close_at_end=False).trades)
    qty, entry, stop = trade["qty"], trade["entry_price"], trade["stop_loss"]
    assert isinstance(qty, float) and isinstance(entry, float) and isinstance(stop, float)
    assert entry == pytest.approx(100 * (1 + (1 + qty * 100 / 2_000) / 10_000), rel=1e-12)
    assert 100.03 < entry < 100.04
    assert stop == pytest.approx(entry * 0.98)
    # money at risk qty x (entry - stop) never above 1 % of 10,000, and close to it
    assert 99.99 < qty * (entry - stop) <= 100


def test_stop_override_is_read_at_the_decision_bar() -> None:
    import pandas as pd
    from bt_builders import FixedTarget, make_bars

    from moonai_tui.backtest import run_backtest

    bars = make_bars([QUIET, QUIET, QUIET, (100, 100.5, 97, 98)])
    # decided at bar 1 with a 5 % stop: stop 95, qty = 100 / 5 = 20; the low of 97
    # would have hit the default 2 % stop (98). Bar 2's 1 % is not the decision bar's.
    stops = pd.DataFrame({"stop_loss_pct": [NAN, 0.05, 0.01, NAN]}, index=bars.index)
    result = run_backtest(FixedTarget([NAN, 1, 1, 1], stops), bars, NO_FUNDING)
    trade = _one(result.trades)
    assert (trade["qty"], trade["stop_loss"], trade["exit_reason"]) == (20, 95, "end_of_data")


def test_result_carries_the_runs_metrics_and_reports_progress() -> None:
    from bt_builders import FixedTarget, make_bars

    from moonai_tui.backtest import run_backtest

    rows = [QUIET, QUIET, QUIET, (101, 103, 100, 102), (103, 103.5, 102, 103)]
    seen: list[float] = []
    result = run_backtest(
        FixedTarget([NAN, 1, 1, 0, 0]), make_bars(rows), NO_FUNDING, progress=seen.append
    )
    metrics = result.metrics
    # the long of the first test: in at 100 (bar 2), out at 103 (bar 4), pnl 144.4175
    assert metrics.trades == 1
    assert metrics.final_equity == pytest.approx(10_144.4175)
    assert metrics.total_return == pytest.approx(0.01444175)
    assert metrics.fees_paid == pytest.approx(2.75 + 2.8325)
    assert metrics.exposure == pytest.approx(2 / 5)  # holding at the close of bars 2 and 3
    # turnover = traded notional (5,000 + 5,150) / mean equity
    mean_equity = (10_000 + 10_000 + 9_997.25 + 10_097.25 + 10_144.4175) / 5
    assert metrics.turnover == pytest.approx(10_150 / mean_equity)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_no_orders_give_an_empty_trade_table_and_flat_equity() -> None:
    from moonai_tui.backtest import TRADE_COLUMNS

    result = run([QUIET] * 3, [NAN, 0, 0])
    assert list(result.trades.columns) == list(TRADE_COLUMNS)
    assert result.trades.empty
    assert (result.metrics.trades, result.metrics.final_equity) == (0, 10_000)
    assert list(result.equity) == [10_000] * 3
