"""The account as the risk gate and the Risk pane see it: equity, peak, day start, exposure."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from moonai_tui.domain import Position
from moonai_tui.engine.portfolio import unrealised_pnl
from moonai_tui.engine.trading_events import RiskStatus
from moonai_tui.risk import AccountSnapshot, PositionExposure
from moonai_tui.risk.limits import RiskLimits

DAY_MS = 86_400_000


class AccountView:
    """Positions and marks in, equity and risk figures out (Decimal throughout).

    Equity = starting equity + realised PnL − fees + unrealised PnL at the marks.
    The peak and the UTC day's starting equity move as equity is read.
    """

    def __init__(self, starting_equity: Decimal, now_ms: Callable[[], int]) -> None:
        self.positions: dict[str, Position] = {}
        self.marks: dict[str, Decimal] = {}
        self._starting = starting_equity
        self._now_ms = now_ms
        self._peak = starting_equity
        self._day = -1
        self._day_start = starting_equity

    def _realised(self) -> Decimal:
        return sum((p.realised_pnl - p.fees for p in self.positions.values()), Decimal(0))

    def equity(self) -> Decimal:
        unrealised = Decimal(0)
        for symbol, position in self.positions.items():
            mark = self.marks.get(symbol)
            if mark is not None and position.qty:
                unrealised += unrealised_pnl(position, mark)
        return self._starting + self._realised() + unrealised

    def set_wallet_equity(self, wallet: Decimal) -> None:
        """Live: equity starts from the exchange wallet, not from stored PnL."""
        self._starting = wallet - self._realised()
        self._peak = self._day_start = self.equity()

    def snapshot(self, blocked: bool) -> AccountSnapshot:
        """What the risk gate sees; ``blocked`` (latch or halt) denies every entry."""
        now = self._now_ms()
        equity = self.equity()
        if now // DAY_MS != self._day:
            self._day, self._day_start = now // DAY_MS, equity
        self._peak = max(self._peak, equity)
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
        )
