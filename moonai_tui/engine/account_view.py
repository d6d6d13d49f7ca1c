"""The account as the risk gate and the Risk pane see it: equity, peak, day start, exposure.

The peak and the day's opening equity are what the drawdown and daily-loss
limits measure against, so a restart must not forget them: they are rebuilt
from the stored equity curve (:meth:`AccountView.restore`), which is sampled at
most once a minute and at each batch of fills.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from decimal import Decimal

from moonai_tui.domain import Position
from moonai_tui.engine.portfolio import unrealised_pnl
from moonai_tui.engine.trading_events import RiskStatus
from moonai_tui.risk import AccountSnapshot, PositionExposure
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store.equity import EquityHistory, EquitySample

DAY_MS = 86_400_000
EQUITY_SAMPLE_MS = 60_000
"""At most one equity sample a minute between fills (a week is 10,080 rows)."""
CURVE_POINTS = 120
"""Samples kept in memory for the Risk pane's curve."""


class AccountView:
    """Positions and marks in, equity and risk figures out (Decimal throughout).

    Equity = starting equity + realised PnL − fees + unrealised PnL at the marks.
    The peak and the UTC day's starting equity move as equity is read, but only
    while every open position has a mark: without one, its open PnL is missing
    and a peak taken then would be made up.
    """

    def __init__(self, starting_equity: Decimal, now_ms: Callable[[], int]) -> None:
        self.positions: dict[str, Position] = {}
        self.marks: dict[str, Decimal] = {}
        self._starting = starting_equity
        self._now_ms = now_ms
        self._peak = starting_equity
        self._stored_peak: Decimal | None = None
        self._day = -1
        self._day_start = starting_equity
        self._curve: deque[EquitySample] = deque(maxlen=CURVE_POINTS)
        self._last_sample_ms: int | None = None

    def _realised(self) -> Decimal:
        return sum((p.realised_pnl - p.fees for p in self.positions.values()), Decimal(0))

    def equity(self) -> Decimal:
        unrealised = Decimal(0)
        for symbol, position in self.positions.items():
            mark = self.marks.get(symbol)
            if mark is not None and position.qty:
                unrealised += unrealised_pnl(position, mark)
        return self._starting + self._realised() + unrealised

    def restore(self, history: EquityHistory) -> None:
        """Take the peak, today's opening equity and the recent curve from stored samples."""
        if history.peak is not None:
            self._stored_peak = history.peak
            self._peak = max(self._peak, history.peak)
        if history.day_open is not None:
            self._day = self._now_ms() // DAY_MS
            self._day_start = history.day_open.equity
        self._curve.extend(history.recent)
        if history.recent:
            self._last_sample_ms = history.recent[-1].ts_ms

    def set_wallet_equity(self, wallet: Decimal) -> None:
        """Live: equity starts from the exchange wallet, not from stored PnL.

        The peak restarts from the wallet unless a stored curve says it was higher;
        a day already opened by a stored sample keeps its opening equity.
        """
        self._starting = wallet - self._realised()
        equity = self.equity()
        self._peak = equity if self._stored_peak is None else max(self._stored_peak, equity)
        if self._day != self._now_ms() // DAY_MS:
            self._day, self._day_start = self._now_ms() // DAY_MS, equity

    def _all_marked(self) -> bool:
        return all(p.symbol in self.marks for p in self.positions.values() if p.qty)

    def _observe(self) -> Decimal:
        """Equity now; moves the day's opening equity and the peak (see the class doc)."""
        now = self._now_ms()
        equity = self.equity()
        if self._all_marked():
            if now // DAY_MS != self._day:
                self._day, self._day_start = now // DAY_MS, equity
            self._peak = max(self._peak, equity)
        return equity

    def sample(self, *, force: bool) -> EquitySample | None:
        """A point of the equity curve, when one is due (a minute since the last) or forced.

        None while an open position has no mark yet (its open PnL would be missing).
        """
        now = self._now_ms()
        due = self._last_sample_ms is None or now - self._last_sample_ms >= EQUITY_SAMPLE_MS
        if not (force or due) or not self._all_marked():
            return None
        sample = EquitySample(now, self._observe(), self._peak)
        self._curve.append(sample)
        self._last_sample_ms = now
        return sample

    def snapshot(self, blocked: bool) -> AccountSnapshot:
        """What the risk gate sees; ``blocked`` (latch or halt) denies every entry."""
        equity = self._observe()
        exposures = tuple(
            PositionExposure(
                p.symbol, p.qty, abs(p.qty) * self.marks.get(p.symbol, p.avg_price), p.stop_loss
            )
            for p in self.positions.values()
            if p.qty
        )
        return AccountSnapshot(
            equity=equity,
            peak_equity=self._peak,
            day_start_equity=self._day_start,
            positions=exposures,
            kill_switch=blocked,
        )

    def risk_status(self, limits: RiskLimits, blocked_reason: str) -> RiskStatus:
        """The Risk pane's figures; a breach of a loss limit is named as the halt reason."""
        account = self.snapshot(bool(blocked_reason))
        equity = account.equity
        exposure = account.gross_notional / equity if equity > 0 else Decimal(0)
        halted = blocked_reason
        if not halted and account.drawdown_pct >= limits.max_drawdown_pct:
            halted = f"max drawdown {account.drawdown_pct:.1%} reached"
        elif not halted and account.daily_loss_pct >= limits.max_daily_loss_pct:
            halted = f"daily loss {account.daily_loss_pct:.1%} reached"
        return RiskStatus(
            equity=equity,
            exposure_pct=exposure * 100,
            max_exposure_pct=limits.max_position_pct_equity * 100,
            leverage=account.leverage,
            max_leverage=limits.max_leverage,
            daily_pnl=equity - account.day_start_equity,
            drawdown_pct=account.drawdown_pct * 100,
            max_drawdown_pct=limits.max_drawdown_pct * 100,
            halted_reason=halted,
            peak_equity=account.peak_equity,
            equity_curve=tuple(sample.equity for sample in self._curve),
        )
