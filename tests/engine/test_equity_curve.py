"""The equity curve: sampled at a bounded rate, stored, and rebuilt with peak and day start.

Numbers by hand: paper balance 10,000; a buy of 10 at the ask 100.1 pays the
taker fee 10 × 100.1 × 0.00055 = 0.55055; equity = 10,000 − 0.55055 +
10 × (mid − 100.1).
"""

from __future__ import annotations

from decimal import Decimal as D

from trader_builders import SYMBOL, book, drain, paper_trader

from moonai_tui.domain import OrderRequest, Position
from moonai_tui.engine.account_view import AccountView
from moonai_tui.engine.bus import EventBus
from moonai_tui.engine.clock import FixedClock
from moonai_tui.engine.trading_events import RiskStatus, RiskStatusChanged
from moonai_tui.store import Store

DAY = 86_400_000
T0 = 3 * DAY + 10 * 3_600_000  # 10:00 UTC on day 3


def test_samples_come_at_most_once_a_minute_unless_forced() -> None:
    clock = FixedClock(T0)
    account = AccountView(D("10000"), clock.now_ms)
    first = account.sample(force=False)
    assert first is not None and (first.ts_ms, first.equity, first.peak) == (
        T0,
        D("10000"),
        D("10000"),
    )
    clock.advance(59_999)
    assert account.sample(force=False) is None
    clock.advance(1)
    assert account.sample(force=False) is not None
    clock.advance(1)
    assert account.sample(force=True) is not None  # a fill is always a point


def test_no_sample_and_no_peak_while_an_open_position_has_no_mark() -> None:
    clock = FixedClock(T0)
    account = AccountView(D("10000"), clock.now_ms)
    # Realised +500 but an open position without a mark: its open PnL is unknown.
    account.positions[SYMBOL] = Position(SYMBOL, D("1"), D("100"), D("500"), D(0), 0)
    assert account.sample(force=True) is None
    assert account.snapshot(False).peak_equity == D("10000")
    account.marks[SYMBOL] = D("90")  # open PnL −10: equity 10,490
    sample = account.sample(force=True)
    assert sample is not None and (sample.equity, sample.peak) == (D("10490"), D("10490"))


def last_risk(events: list[object]) -> RiskStatus:
    return [e.status for e in events if isinstance(e, RiskStatusChanged)][-1]


async def test_peak_day_start_and_curve_are_rebuilt_after_a_restart(store: Store) -> None:
    clock = FixedClock(T0)
    first, _ = paper_trader(store, clock)
    await first.start()
    await first.on_book(book(100.0))  # first point: 10,000
    entry = OrderRequest("e-1", SYMBOL, "buy", "market", D("10"), stop_loss=D("90"))
    await first.submit(entry)
    clock.advance(1_000)
    await first.on_book(book(100.0))  # fill at 100.1, mid 100: 10,000 − 0.55055 − 1
    clock.advance(60_000)
    await first.on_book(book(110.0))  # mid 110: + 99, the peak
    clock.advance(60_000)
    await first.on_book(book(105.0))  # mid 105: + 49

    clock.advance(60_000)
    bus = EventBus()
    sub = bus.subscribe()
    second, _ = paper_trader(store, clock, bus)
    await second.start()
    await second.on_book(book(105.0))
    status = last_risk(drain(sub))
    peak, equity = D("10098.44945"), D("10048.44945")
    assert status.peak_equity == peak
    assert status.equity == equity
    # Drawdown against the restored peak (a fresh start would have said 0%).
    assert round(status.drawdown_pct, 9) == round((peak - equity) / peak * 100, 9)
    # The day opened at the first point of the day, 10,000 (a fresh start: 0 PnL).
    assert status.daily_pnl == D("48.44945")
    assert status.equity_curve == (D("10000"), D("9998.44945"), peak, equity, equity)


async def test_live_wallet_equity_keeps_a_higher_stored_peak(store: Store) -> None:
    from moonai_tui.store.equity import EquityHistory, EquitySample

    clock = FixedClock(T0)
    account = AccountView(D("10000"), clock.now_ms)  # the paper balance: not live money
    stored = EquitySample(T0 - 120_000, D("480"), D("520"))
    account.restore(EquityHistory(D("520"), stored, (stored,)))
    account.set_wallet_equity(D("500"))
    snapshot = account.snapshot(False)
    assert (snapshot.equity, snapshot.peak_equity, snapshot.day_start_equity) == (
        D("500"),
        D("520"),
        D("480"),
    )
