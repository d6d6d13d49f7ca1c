"""What the gate is asked (an ``OrderIntent``) and what it knows (an ``AccountSnapshot``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from moonai_tui.domain import Side
from moonai_tui.execution.intrabar import PositionSide


@dataclass(frozen=True, slots=True)
class PositionExposure:
    """One open position as risk sees it.

    Attributes:
        symbol: the instrument.
        qty: signed quantity, negative = short (as ``domain.Position.qty``).
        notional: ``|qty| x mark price`` in quote currency, >= 0.
        stop_loss: the exchange-side stop attached to the position itself (ByBit's
            position ``stopLoss``), if any.
    """

    symbol: str
    qty: Decimal
    notional: Decimal
    stop_loss: Decimal | None = None

    @property
    def side(self) -> PositionSide:
        """long for ``qty > 0``, short otherwise."""
        return "long" if self.qty > 0 else "short"


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """The account at the moment of the decision.

    Attributes:
        equity: current equity (wallet balance + unrealised PnL), quote currency.
        peak_equity: highest equity seen (for drawdown).
        day_start_equity: equity at the start of the trading day (UTC) (for daily loss).
        positions: open positions; flat ones should be left out.
        kill_switch: True while the kill switch is latched.
        data_stale: True when the market data the decision used is too old to trust.
    """

    equity: Decimal
    peak_equity: Decimal
    day_start_equity: Decimal
    positions: tuple[PositionExposure, ...] = ()
    kill_switch: bool = False
    data_stale: bool = False

    @property
    def gross_notional(self) -> Decimal:
        """``sum(|notional|)`` over open positions."""
        return sum((abs(p.notional) for p in self.positions), Decimal(0))

    @property
    def leverage(self) -> Decimal:
        """Effective leverage ``gross_notional / equity`` (0 when equity <= 0 and flat)."""
        if self.equity <= 0:
            return Decimal(0) if self.gross_notional == 0 else Decimal("Infinity")
        return self.gross_notional / self.equity

    @property
    def drawdown_pct(self) -> Decimal:
        """``max(0, (peak - equity) / peak)``; 0 when there is no positive peak."""
        if self.peak_equity <= 0:
            return Decimal(0)
        return max(Decimal(0), (self.peak_equity - self.equity) / self.peak_equity)

    @property
    def daily_loss_pct(self) -> Decimal:
        """``max(0, (day_start - equity) / day_start)``; a gain counts as 0."""
        if self.day_start_equity <= 0:
            return Decimal(0)
        return max(Decimal(0), (self.day_start_equity - self.equity) / self.day_start_equity)

    def position(self, symbol: str) -> PositionExposure | None:
        """The open position in ``symbol``, if any."""
        for pos in self.positions:
            if pos.symbol == symbol and pos.qty != 0:
                return pos
        return None

    @property
    def open_position_count(self) -> int:
        """Number of symbols with a non-zero position."""
        return len({p.symbol for p in self.positions if p.qty != 0})


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """An order someone wants placed, before sizing.

    Attributes:
        symbol: the instrument.
        side: buy or sell.
        entry_price: reference price for sizing (the last price, or the limit price).
        reduce_only: True for an exit or a reduction of an existing position.
        qty: for entries an optional upper bound on the size (e.g. a manual ticket);
            for reductions the quantity to close, None meaning the whole position.
        stop_loss: explicit stop (a strategy's per-trade override), else from limits.
        take_profit: explicit take-profit, else from limits.
        atr: the current ATR, needed when limits use an ATR stop.
    """

    symbol: str
    side: Side
    entry_price: Decimal
    reduce_only: bool = False
    qty: Decimal | None = None
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    atr: Decimal | None = None
