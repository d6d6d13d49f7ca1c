"""Paper trading and the backtester make the same trades on the same real candles.

Design (exact by construction, no tolerance on times, prices or sizes):

* **Data**: the first 1,000 shipped real BTCUSDT 1m candles (Binance, March 2024).
* **Paper side**: the engine's own paper path, unmodified: ``TradingRuntime`` (strategy
  runner at bar close, auto approval) -> ``Trader`` (risk gate sizing and stops, order
  manager, journal in SQLite) -> ``PaperBroker`` (the shared ``FillModel``). It is fed
  the events the market feed publishes, derived from each bar on one replay clock (the
  bar's open time):

  1. a book at the bar's open (bid = ask = open, deep): the mark the gate sizes from;
  2. the previous bar's close (``CandleUpdated``): the strategy decides, the order is sent;
  3. two more books at the open: the first fills the order (the paper broker fills a
     market order on the first book received after it), the second fills the new entry
     of a reversal (the runtime sends it once the close has filled);
  4. the bar's trades: open, then the adverse extreme first (low for a long, high for a
     short, either when flat), passing exactly through the stop and the take-profit
     levels when the bar reaches them, then the other extreme, then the close.

  Step 4 is the backtester's documented conservative intrabar rule written as a price
  path: a stop inside the bar fills at the stop, before a take-profit in the same bar; a
  gap through the stop fills at the open.
* **Backtest side**: ``run_backtest`` with the same strategy and parameters, the same
  risk limits and instrument grid (``BacktestConfig.from_risk_limits``), no slippage
  (the book is at the open), no funding (the paper broker charges none), and the last
  position left open (the paper account keeps it).

Tight stops (0.3 % / 0.6 %) make the 1,000 bars exercise signal exits, reversals, stops
and take-profits. Fees are compared to 1e-9 relative (Decimal vs float64).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest

from moonai_tui.backtest import BacktestConfig, FixedSlippage, run_backtest
from moonai_tui.config import RiskSettings, Settings
from moonai_tui.domain import Bar, BookLevel, Fill, Instrument, OrderBook, Trade
from moonai_tui.engine.bus import EventBus, Subscription
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.events import CandleUpdated, OrderBookUpdated, TradesReceived
from moonai_tui.engine.trading_events import FillRecorded
from moonai_tui.engine.trading_runtime import PARAMS_FILE, TradingRuntime, risk_limits
from moonai_tui.store import Store, open_store
from moonai_tui.strategy import load_params, load_strategy
from moonai_tui.strategy.bars import demo_bars

SYMBOL = "BTC/USDT:USDT"
BTC = Instrument(
    SYMBOL, "BTCUSDT", "swap", "BTC", "USDT", "USDT", D("0.01"), D("0.001"), D("0.001"), D("5")
)
"""The data's own price grid (0.01), so neither side rounds a candle price."""
BARS = 1_000
DEEP = 1e9


@dataclass(frozen=True, slots=True)
class Round:
    """One round trip as both sides can state it."""

    side: str
    entry_ms: int
    exit_ms: int | None
    qty: D
    entry_price: D
    exit_price: D | None
    entry_fee: float
    exit_fee: float


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await open_store(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}") as opened:
        yield opened


def _settings() -> Settings:
    risk = RiskSettings(
        stop_loss_pct=D("0.003"),
        take_profit_pct=D("0.006"),
        max_daily_loss_pct=D("0.99"),
        max_drawdown_pct=D("0.99"),
    )
    return Settings(approval="auto", risk=risk, trade={"strategies_dir": Path("strategies")})


def _book(price: float, ts: int) -> OrderBookUpdated:
    return OrderBookUpdated(
        OrderBook(SYMBOL, ts, (BookLevel(price, DEEP),), (BookLevel(price, DEEP),))
    )


def _path(bar: Bar, side: str | None, stop: D | None, take: D | None) -> tuple[Trade, ...]:
    """The bar as trades: open, adverse extreme first through the levels, close."""
    levels = [float(x) for x in (stop, take) if x is not None]
    if side == "short":
        prices = [bar.open, *sorted(p for p in levels if bar.open < p <= bar.high), bar.high]
        prices += [*sorted((p for p in levels if bar.low <= p < bar.open), reverse=True), bar.low]
    else:
        prices = [bar.open, *sorted((p for p in levels if bar.low <= p < bar.open), reverse=True)]
        prices += [bar.low, *sorted(p for p in levels if bar.open < p <= bar.high), bar.high]
    prices.append(bar.close)
    return tuple(
        Trade(f"{bar.ts}-{n}", bar.ts, price, 1.0, "buy") for n, price in enumerate(prices)
    )


def _bars() -> list[Bar]:
    frame, _ = demo_bars("BTCUSDT", "1m")
    frame = frame.iloc[:BARS]
    stamps = pd.DatetimeIndex(frame.index).as_unit("ms").asi8
    return [
        Bar(int(t), float(r.open), float(r.high), float(r.low), float(r.close), float(r.volume))
        for t, r in zip(stamps, frame.itertuples(), strict=True)
    ]


def _drain(sub: Subscription, into: list[Fill]) -> None:
    while (event := sub.get_nowait()) is not None:
        if isinstance(event, FillRecorded):
            into.append(event.fill)


async def _paper_rounds(store: Store, bars: list[Bar]) -> list[Round]:
    clock = FixedClock(bars[0].ts)
    runtime = TradingRuntime(
        settings=_settings(),
        bus=EventBus(),
        clock=clock,
        journal=store.journal,
        instruments={SYMBOL: BTC},
    )
    sub = runtime._bus.subscribe()
    await runtime.trader.start()
    assert (await runtime.start_strategy("sma_cross", "parity")).ok
    paper = runtime.trader._paper
    assert paper is not None
    fills: list[Fill] = []
    previous: Bar | None = None
    for bar in bars:
        clock.advance(bar.ts - clock.now_ms())
        await runtime._handle(_book(bar.open, bar.ts))
        if previous is not None:
            await runtime._handle(CandleUpdated(SYMBOL, "1m", previous, True))
        await runtime._handle(_book(bar.open, bar.ts))
        await runtime._handle(_book(bar.open, bar.ts))
        (protection,) = paper.protections() or (None,)
        side = None if protection is None else protection.side
        stop = None if protection is None else protection.stop_loss
        take = None if protection is None else protection.take_profit
        await runtime._handle(TradesReceived(SYMBOL, _path(bar, side, stop, take)))
        _drain(sub, fills)
        previous = bar
    return _rounds(fills)


def _rounds(fills: list[Fill]) -> list[Round]:
    """Pair fills into round trips (each order fills in one leg on a deep book)."""
    out: list[Round] = []
    open_fill: Fill | None = None
    for fill in fills:
        if open_fill is None:
            open_fill = fill
            continue
        assert fill.side != open_fill.side and fill.qty == open_fill.qty, (open_fill, fill)
        out.append(_round(open_fill, fill))
        open_fill = None
    if open_fill is not None:
        out.append(_round(open_fill, None))
    return out


def _round(entry: Fill, exit_: Fill | None) -> Round:
    return Round(
        side="long" if entry.side == "buy" else "short",
        entry_ms=entry.ts_ms,
        exit_ms=None if exit_ is None else exit_.ts_ms,
        qty=entry.qty,
        entry_price=entry.price,
        exit_price=None if exit_ is None else exit_.price,
        entry_fee=float(entry.fee),
        exit_fee=0.0 if exit_ is None else float(exit_.fee),
    )


def _backtest_rounds(bars: list[Bar]) -> tuple[list[Round], pd.Series]:
    from moonai_tui.strategy.bars import bars_from_list

    settings = _settings()
    strategy = load_strategy(
        "sma_cross", settings.trade.strategies_dir, load_params(PARAMS_FILE, "sma_cross")
    )
    config = BacktestConfig.from_risk_limits(
        risk_limits(settings),
        BTC,
        funding_rate=0.0,
        slippage=FixedSlippage(0.0),
        close_at_end=False,
    )
    result = run_backtest(strategy, bars_from_list(bars), config)
    trades = result.trades
    rounds = []
    for row in trades.itertuples():
        still_open = row.exit_reason == "open"
        rounds.append(
            Round(
                side=str(row.side),
                entry_ms=int(pd.Timestamp(row.entry_time).value // 1_000_000),
                exit_ms=None if still_open else int(pd.Timestamp(row.exit_time).value // 1_000_000),
                qty=_grid(float(row.qty), "0.001"),
                entry_price=_grid(float(row.entry_price), "0.01"),
                exit_price=None if still_open else _grid(float(row.exit_price), "0.01"),
                entry_fee=float(row.entry_fee),
                exit_fee=float(row.exit_fee),
            )
        )
    return rounds, trades["exit_reason"]


def _grid(value: float, step: str) -> D:
    """A float on a decimal grid as that exact Decimal (it must be on the grid)."""
    exact = D(repr(value)).quantize(D(step))
    assert float(exact) == value, (value, step)
    return exact


async def test_paper_and_backtest_trade_identically_on_real_candles(store: Store) -> None:
    bars = _bars()
    backtest, reasons = _backtest_rounds(bars)
    paper = await _paper_rounds(store, bars)
    counts = reasons.value_counts().to_dict()
    # The comparison covers every kind of exit.
    assert counts.get("signal", 0) >= 10 and counts.get("stop_loss", 0) >= 3
    assert counts.get("take_profit", 0) >= 3
    assert len(paper) == len(backtest)
    for number, (ours, theirs) in enumerate(zip(paper, backtest, strict=True)):
        same = (ours.side, ours.entry_ms, ours.exit_ms, ours.qty, ours.entry_price, ours.exit_price)
        expected = (
            theirs.side,
            theirs.entry_ms,
            theirs.exit_ms,
            theirs.qty,
            theirs.entry_price,
            theirs.exit_price,
        )
        assert same == expected, f"trade {number}: paper {ours} vs backtest {theirs}"
        assert ours.entry_fee == pytest.approx(theirs.entry_fee, rel=1e-9, abs=1e-12)
        assert ours.exit_fee == pytest.approx(theirs.exit_fee, rel=1e-9, abs=1e-12)
