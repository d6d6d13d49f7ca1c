"""Our backtester against vectorbt and backtesting.py on the same bars and strategy.

Data: 1M synthetic 1-minute bars (seeded geometric Brownian motion; each bar opens
at the previous close, high/low a little outside open/close). Strategy: SMA 10/30
crossover, long only (target 1 when fast > slow, else 0), all-in sizing, 0.055 %
fee per side, fills at the signal bar's close (vectorbt's default; our
``fill_timing="signal_close"``, backtesting.py's ``trade_on_close=True``) so the
three tools model the same trades. Then the same with a 2 % stop-loss and a 4 %
take-profit (bar high/low given to every tool).

Checks: trade count, entry/exit bars and final equity agree (tolerances printed);
prints bars/s and our ratio to each peer. Cold start: a fresh interpreter backtests
100k bars (imports and numba cache load included), ours and vectorbt's.
Targets: >= 2x vectorbt's throughput, our cold start < 1 s.

Run by hand: ``.venv/bin/python bench/backtest_vs_peers.py [--bars 1000000]``
(the peers are bench-only: ``.venv/bin/pip install vectorbt backtesting``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

os.environ.setdefault("TQDM_DISABLE", "1")  # backtesting.py's progress bar garbles the report

from moonai_tui.backtest import (
    BacktestConfig,
    events_from_target,
    kernel_params,
    run_backtest,
    simulate_arrays,
)
from moonai_tui.strategy import Strategy

FEE = 0.00055
CASH = 1e9
"""About 19k round trips at 0.11 % each shrink equity by ~e^-21 over 1M bars (that is
what SMA 10/30 on minute bars with taker fees does). backtesting.py trades whole
units (here 1e-10 of a share), so the account starts large enough that its last
trades are still ~1e8 units and unit rounding stays far below the tolerance."""
UNIT = 1e-10
SL, TP = 0.02, 0.04
EQUITY_RTOL = 1e-6
"""Relative tolerance on final equity; the measured differences are printed."""

TARGET_RATIO = 2.0
TARGET_COLD_S = 1.0

INTRABAR_RULES = """\
Intrabar rules compared (SL 2 % / TP 4 %, long only, fills at the signal close):
  rule                              ours               vectorbt           backtesting.py
  both SL and TP inside one bar     stop first         stop first         stop first
  bar opens beyond the stop         fill at the open   fill at the open   fill at the open
  bar opens beyond the take-profit  fill at the TP     fill at the open   fill at the open
  stops active from                 bar after entry    bar after entry    bar after entry
  levels relative to                entry fill price   entry close        set by the strategy
                                                                          (here: entry close)
  (with next_open fills, our default, stops are live on the entry bar from its open.)
Only the take-profit gap differs, and it needs a bar opening beyond the TP; here every
bar opens at the previous close, so no such bar exists (counted below). The gapped
variant after it shows the difference, and that it is the only one."""


class SmaCross(Strategy):
    """SMA 10/30 crossover, long only: 1 while the fast SMA is above the slow one."""

    name = "sma_cross_long"
    fast: int = 10
    slow: int = 30

    def warmup(self) -> int:
        return self.slow

    def target(self, bars: pd.DataFrame) -> pd.Series:
        close = bars["close"]
        fast = close.rolling(self.fast).mean()
        slow = close.rolling(self.slow).mean()
        return (fast > slow).astype(np.float64).where(slow.notna())


def synthetic_bars(n: int, seed: int = 7, gaps: float = 0.0) -> pd.DataFrame:
    """``n`` one-minute GBM bars from 2020-01-01 UTC; price starts at 100.

    Each bar opens at the previous close, except a ``gaps`` share of bars that open
    away from it (a jump of ~3 %, as after a news spike or a data outage).
    """
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.003, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    if gaps:
        jump = np.where(rng.random(n) < gaps, np.exp(rng.normal(0.0, 0.03, n)), 1.0)
        open_ = open_ * jump
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, 0.0015, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, 0.0015, n)))
    index = pd.date_range("2020-01-01", periods=n, freq="1min", tz="UTC")
    data = {"open": open_, "high": high, "low": low, "close": close, "volume": np.ones(n)}
    return pd.DataFrame(data, index=index)


@dataclass
class Outcome:
    """One tool's run: timing, closed trades (entry bar, exit bar), equity."""

    seconds: float
    trades: list[tuple[int, int]]
    final_equity: float
    equity: np.ndarray | None = None


def best_of(runs: int, func: Callable[[], Outcome]) -> Outcome:
    """The fastest of ``runs`` calls (after one warm-up call that compiles/loads)."""
    func()
    return min((func() for _ in range(runs)), key=lambda o: o.seconds)


def run_ours(bars: pd.DataFrame, config: BacktestConfig) -> Outcome:
    """The compiled loop on arrays: what vectorbt's ``from_signals`` is timed against."""
    events = events_from_target(SmaCross().target(bars).to_numpy())
    arrays = [np.ascontiguousarray(bars[c].to_numpy()) for c in ("open", "high", "low", "close")]
    params = kernel_params(config)
    start = time.perf_counter()
    out = simulate_arrays(*arrays, events, params)
    seconds = time.perf_counter() - start
    trades = [(int(r[0]), int(r[1])) for r in out.records if r[10] != 5]  # 5: still open
    return Outcome(seconds, trades, float(out.equity[-1]), out.equity)


def run_ours_full(bars: pd.DataFrame, config: BacktestConfig) -> Outcome:
    """``run_backtest`` end to end: strategy, events, loop, trades table, metrics."""
    start = time.perf_counter()
    result = run_backtest(SmaCross(), bars, config)
    seconds = time.perf_counter() - start
    closed = result.trades[result.trades["exit_reason"] != "open"]
    trades = list(zip(closed["entry_bar"], closed["exit_bar"], strict=True))
    return Outcome(seconds, trades, float(result.equity.iloc[-1]))


def run_vectorbt(bars: pd.DataFrame, stops: bool) -> Outcome:
    import vectorbt as vbt

    # Plain arrays: vectorbt's fastest path. With a tz-aware DatetimeIndex, pandas 3
    # makes it convert 1M timestamps to objects (+1.4 s per call), not its fault.
    events = events_from_target(SmaCross().target(bars).to_numpy())
    prices = {c: bars[c].to_numpy() for c in ("open", "high", "low", "close")}
    extra: dict[str, object] = {
        "open": prices["open"],
        "high": prices["high"],
        "low": prices["low"],
    }
    if stops:
        extra.update(sl_stop=SL, tp_stop=TP)
    start = time.perf_counter()
    pf = vbt.Portfolio.from_signals(
        prices["close"], events == 1.0, events == 0.0, fees=FEE, size=np.inf, init_cash=CASH,
        freq="1min", **extra,
    )  # fmt: skip
    records = pf.trades.values
    equity = np.asarray(pf.value())
    seconds = time.perf_counter() - start
    closed = records[records["status"] == 1]
    pairs = list(zip(closed["entry_idx"], closed["exit_idx"], strict=True))
    return Outcome(seconds, pairs, float(equity[-1]), equity)


def run_backtesting_py(bars: pd.DataFrame, stops: bool) -> Outcome:
    start = time.perf_counter()
    stats = _backtesting_py_stats(bars, stops)
    seconds = time.perf_counter() - start
    trades = stats["_trades"]
    pairs = list(zip(trades["EntryBar"], trades["ExitBar"], strict=True))
    return Outcome(seconds, pairs, float(stats["Equity Final [$]"]))


def _backtesting_py_stats(bars: pd.DataFrame, stops: bool) -> pd.Series:
    from backtesting import Strategy as BtStrategy
    from backtesting.lib import FractionalBacktest

    codes = events_from_target(SmaCross().target(bars).to_numpy())
    codes = np.nan_to_num(codes, nan=-9.0)  # no NaN: it would delay next() as "warm-up"

    class Sma(BtStrategy):  # type: ignore[misc]
        def init(self) -> None:
            self.event = self.I(lambda: codes, name="event", plot=False)

        def next(self) -> None:
            event = self.event[-1]
            if event == 1.0 and not self.position:
                price = self.data.Close[-1]
                levels = {"sl": price * (1 - SL), "tp": price * (1 + TP)} if stops else {}
                self.buy(size=1 - 1e-12, **levels)
            elif event == 0.0 and self.position:
                self.position.close()

    frame = bars.rename(columns=str.capitalize)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        test = FractionalBacktest(
            frame, Sma, cash=CASH, commission=FEE, trade_on_close=True, fractional_unit=UNIT
        )
        stats: pd.Series = test.run()
    return stats


def compare(name: str, ours: Outcome, peer: Outcome) -> bool:
    """Print whether ``peer`` agrees with ours; True when it does."""
    same_count = len(ours.trades) == len(peer.trades)
    same_times = ours.trades == [(int(a), int(b)) for a, b in peer.trades]
    rel = abs(peer.final_equity - ours.final_equity) / ours.final_equity
    ok = same_count and same_times and rel <= EQUITY_RTOL
    print(
        f"  {name:<15} trades {len(peer.trades):>6} (ours {len(ours.trades)})  "
        f"entry/exit bars {'identical' if same_times else 'DIFFER'}  "
        f"final equity {peer.final_equity:,.6f} (ours {ours.final_equity:,.6f}, "
        f"rel diff {rel:.1e} <= {EQUITY_RTOL:.0e}: {'yes' if rel <= EQUITY_RTOL else 'NO'})"
    )
    if ours.equity is not None and peer.equity is not None:
        curve = np.max(np.abs(peer.equity - ours.equity) / ours.equity)
        print(f"    whole equity curve, max relative difference: {curve:.1e}")
    if not same_times:
        first = next(
            (i for i, (a, b) in enumerate(zip(ours.trades, peer.trades, strict=False)) if a != b),
            min(len(ours.trades), len(peer.trades)),
        )
        print(f"    first difference at trade {first}")
    return ok


def throughput(n: int, label: str, outcome: Outcome, ours: Outcome | None = None) -> None:
    rate = n / outcome.seconds
    ratio = f"   ours is {outcome.seconds / ours.seconds:5.1f}x faster" if ours else ""
    print(f"  {label:<36} {outcome.seconds * 1e3:9.1f} ms  {rate / 1e6:8.2f} M bars/s{ratio}")


COLD_OURS = """
import time
t0 = time.perf_counter()
import numpy as np, pandas as pd
from moonai_tui.backtest import BacktestConfig, run_backtest
sys_path_bench = {bench!r}
import sys; sys.path.insert(0, sys_path_bench)
from backtest_vs_peers import SmaCross, synthetic_bars
bars = synthetic_bars({n})
result = run_backtest(SmaCross(), bars, BacktestConfig(
    market="spot", sizing="all_in", fill_timing="signal_close", taker_fee={fee},
    stop_loss_pct=None, take_profit_pct=None, close_at_end=False))
print(time.perf_counter() - t0, time.process_time(), len(result.trades))
"""

COLD_VBT = """
import time
t0 = time.perf_counter()
import numpy as np, pandas as pd
import vectorbt as vbt
sys_path_bench = {bench!r}
import sys; sys.path.insert(0, sys_path_bench)
from backtest_vs_peers import SmaCross, synthetic_bars
from moonai_tui.backtest.inputs import events_from_target
bars = synthetic_bars({n})
events = events_from_target(SmaCross().target(bars).to_numpy())
pf = vbt.Portfolio.from_signals(bars["close"].to_numpy(), events == 1.0, events == 0.0,
    fees={fee}, size=np.inf, init_cash=10000.0, freq="1min")
print(time.perf_counter() - t0, time.process_time(), pf.trades.count())
"""


COLD_IMPORTS = """
import time
t0 = time.perf_counter()
import numpy, pandas, numba
print(time.perf_counter() - t0, time.process_time())
"""


def cold_start(template: str, n: int) -> tuple[float, float, float]:
    """Seconds: inside the fresh process (imports included), its CPU time (interpreter
    start included; unlike wall time it does not grow when other jobs share the
    cores), and the wall time seen from outside."""
    code = textwrap.dedent(template.format(bench=os.path.dirname(__file__), n=n, fee=FEE))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"cold-start process failed:\n{done.stderr[-2000:]}")
    inside, cpu = (float(x) for x in done.stdout.split()[:2])
    return inside, cpu, wall


def tp_gaps(bars: pd.DataFrame) -> int:
    """Bars opening more than 0.1 % away from the previous close (where a TP could gap)."""
    close = bars["close"].to_numpy()
    open_ = bars["open"].to_numpy()
    return int((np.abs(open_[1:] / close[:-1] - 1) > 1e-3).sum())


def gapped_variant(n: int) -> bool:
    """SL/TP on bars with gaps: every exit price that differs between us and a peer
    must be a take-profit gap (ours at the TP, theirs at the better open)."""
    bars = synthetic_bars(n, seed=11, gaps=0.01)
    config = BacktestConfig(
        initial_equity=CASH, market="spot", sizing="all_in", fill_timing="signal_close",
        taker_fee=FEE, stop_loss_pct=SL, take_profit_pct=TP, close_at_end=False,
    )  # fmt: skip
    events = events_from_target(SmaCross().target(bars).to_numpy())
    arrays = [np.ascontiguousarray(bars[c].to_numpy()) for c in ("open", "high", "low", "close")]
    records = simulate_arrays(*arrays, events, kernel_params(config)).records
    ours = records[records[:, 10] != 5]  # 5: still open
    pairs = [(int(a), int(b)) for a, b in ours[:, :2]]
    open_ = arrays[0]
    print(f"\n== gapped variant, SL 2 % / TP 4 %: {n:,} bars, 1 % open away from the close ==")
    ok = True
    for name, peer in (("vectorbt", _vbt_exits), ("backtesting.py", _btpy_exits)):
        their_pairs, exits = peer(bars)
        if their_pairs != pairs:
            print(f"  {name}: {len(their_pairs)} trades vs ours {len(pairs)}, bars DIFFER")
            ok = False
            continue
        differ = ~np.isclose(exits, ours[:, 5], rtol=1e-9, atol=0)
        exit_bar = ours[differ, 1].astype(int)
        tp_gap = (ours[differ, 10] == 2) & (open_[exit_bar] > ours[differ, 12])
        theirs_at_open = np.isclose(exits[differ], open_[exit_bar], rtol=1e-9, atol=0)
        explained = int((tp_gap & theirs_at_open).sum())
        ok &= explained == int(differ.sum())
        print(
            f"  {name:<15} {len(ours)} trades, identical entry/exit bars; exit prices differ "
            f"on {int(differ.sum())}, of which {explained} are take-profit gaps (ours at the "
            f"TP, {name} at the open)"
        )
    return ok


def _vbt_exits(bars: pd.DataFrame) -> tuple[list[tuple[int, int]], np.ndarray]:
    import vectorbt as vbt

    events = events_from_target(SmaCross().target(bars).to_numpy())
    prices = {c: bars[c].to_numpy() for c in ("open", "high", "low", "close")}
    pf = vbt.Portfolio.from_signals(
        prices["close"], events == 1.0, events == 0.0, fees=FEE, size=np.inf, init_cash=CASH,
        open=prices["open"], high=prices["high"], low=prices["low"], sl_stop=SL, tp_stop=TP,
    )  # fmt: skip
    records = pf.trades.values
    closed = records[records["status"] == 1]
    pairs = [(int(a), int(b)) for a, b in zip(closed["entry_idx"], closed["exit_idx"], strict=True)]
    return pairs, np.asarray(closed["exit_price"], dtype=np.float64)


def _btpy_exits(bars: pd.DataFrame) -> tuple[list[tuple[int, int]], np.ndarray]:
    trades = _backtesting_py_stats(bars, stops=True)["_trades"]
    pairs = [(int(a), int(b)) for a, b in zip(trades["EntryBar"], trades["ExitBar"], strict=True)]
    return pairs, trades["ExitPrice"].to_numpy(dtype=np.float64)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--cold-bars", type=int, default=100_000)
    parser.add_argument("--gap-bars", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs, best kept")
    args = parser.parse_args()
    n = args.bars
    bars = synthetic_bars(n)
    base = BacktestConfig(
        initial_equity=CASH,
        market="spot",
        sizing="all_in",
        fill_timing="signal_close",
        taker_fee=FEE,
        stop_loss_pct=None,
        take_profit_pct=None,
        close_at_end=False,
    )
    all_ok = True
    for label, stops in (("SMA 10/30, no stops", False), ("SMA 10/30 + SL 2 % / TP 4 %", True)):
        config = base.with_changes(stop_loss_pct=SL, take_profit_pct=TP) if stops else base
        print(f"\n== {label}: {n:,} one-minute bars ==")
        ours = best_of(args.runs, lambda c=config: run_ours(bars, c))  # type: ignore[misc]
        full = best_of(2, lambda c=config: run_ours_full(bars, c))  # type: ignore[misc]
        vbt = best_of(args.runs, lambda s=stops: run_vectorbt(bars, s))  # type: ignore[misc]
        print("  (timing backtesting.py: one run, it takes a while)")
        btpy = run_backtesting_py(bars, stops)
        print("agreement:")
        all_ok &= ours.trades == full.trades and ours.final_equity == full.final_equity
        all_ok &= compare("vectorbt", ours, vbt)
        all_ok &= compare("backtesting.py", ours, btpy)
        print("speed (best run; vectorbt timed for from_signals + trade records + equity curve):")
        throughput(n, "ours, compiled loop on arrays", ours)
        throughput(n, "ours, run_backtest end to end", full)
        throughput(n, "vectorbt Portfolio.from_signals", vbt, ours)
        throughput(n, "backtesting.py Backtest.run", btpy, ours)
        ratio = vbt.seconds / ours.seconds
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(f"  target >= {TARGET_RATIO:g}x vectorbt: {ratio:.1f}x ({verdict})")
        if stops:
            print(INTRABAR_RULES)
            print(f"  bars opening > 0.1 % away from the previous close: {tp_gaps(bars)}")

    all_ok &= gapped_variant(args.gap_bars)

    print(f"\n== cold start: fresh interpreter, {args.cold_bars:,} bars, first backtest ==")
    print(f"  load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    cold = (("imports", COLD_IMPORTS), ("ours", COLD_OURS), ("vectorbt", COLD_VBT))
    for name, template in cold:
        runs = [cold_start(template, args.cold_bars) for _ in range(1 if name == "vectorbt" else 3)]
        inside, cpu, wall = min(runs)
        note = ""
        if name == "ours":
            met = "met" if inside < TARGET_COLD_S else "NOT met"
            note = f"  target < {TARGET_COLD_S:g} s: {met} (best of {len(runs)})"
        elif name == "imports":
            note = "  (numpy + pandas + numba alone: the floor under both)"
        print(f"  {name:<9} {inside:6.2f} s wall in the process (imports included), "
              f"{cpu:5.2f} s CPU, {wall:6.2f} s wall with interpreter start.{note}")  # fmt: skip
    print("\nall tools agree" if all_ok else "\nDISAGREEMENT: see above")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
