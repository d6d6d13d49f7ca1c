"""The simulated unified trading account: coin balances, linear positions and margin.

One account, funded in USDT (ByBit's unified account). Linear perpetuals are
one-way mode (``positionIdx`` 0): a position is a signed size with an average
entry price. Margin follows ByBit's cross-margin bookkeeping in a simplified form:

* position IM = size × avg price / leverage; position MM = size × avg × ``MMR``;
* order IM = leaves × price / leverage for open orders that do not reduce;
* available = wallet balance + unrealised PnL − position IM − order IM − locked;
* realised PnL of a closing fill = (exit − entry) × closed size (× −1 for shorts);
  fees are paid from the wallet and counted in the position's ``curRealisedPnl``,
  as ByBit does.
* liquidation price: the isolated-margin formula
  ``entry × (1 − 1/leverage + MMR)`` for longs, ``entry × (1 + 1/leverage − MMR)``
  for shorts (ByBit's tier-1 maintenance rate). It is reported, not enforced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from moonai_tui.sim.orders import ZERO, Order, Side

SETTLE = "USDT"
MMR = Decimal("0.005")
"""Maintenance margin rate (ByBit's first risk tier for BTCUSDT and ETHUSDT)."""
FEES: dict[str, tuple[Decimal, Decimal]] = {
    "linear": (Decimal("0.00055"), Decimal("0.0002")),
    "spot": (Decimal("0.001"), Decimal("0.001")),
}
"""(taker, maker) fee rates of ByBit's base VIP level."""


def quantize(value: Decimal, step: Decimal, up: bool = False) -> Decimal:
    """``value`` on a multiple of ``step`` (down by default)."""
    return (value / step).to_integral_value(ROUND_UP if up else ROUND_DOWN) * step


@dataclass
class Position:
    """One linear position (one-way mode)."""

    symbol: str
    leverage: Decimal
    size: Decimal = ZERO
    """Signed: positive long, negative short."""
    avg_price: Decimal = ZERO
    cur_realised: Decimal = ZERO
    cum_realised: Decimal = ZERO
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    created_ms: int = 0
    updated_ms: int = 0
    seq: int = 0

    @property
    def side(self) -> str:
        """ByBit side: Buy (long), Sell (short) or "" when flat."""
        return "Buy" if self.size > 0 else "Sell" if self.size < 0 else ""

    @property
    def value(self) -> Decimal:
        """Position value at entry."""
        return abs(self.size) * self.avg_price

    @property
    def initial_margin(self) -> Decimal:
        """Position IM."""
        return self.value / self.leverage

    @property
    def maintenance_margin(self) -> Decimal:
        """Position MM."""
        return self.value * MMR

    def unrealised(self, mark: Decimal) -> Decimal:
        """Unrealised PnL at ``mark``."""
        return (mark - self.avg_price) * self.size

    def liq_price(self) -> Decimal | None:
        """Isolated-style liquidation price, None when flat."""
        if not self.size:
            return None
        factor = 1 / self.leverage - MMR
        return self.avg_price * (1 - factor if self.size > 0 else 1 + factor)


@dataclass
class Account:
    """Balances and positions of the demo account."""

    api_key: str
    wallet: dict[str, Decimal]
    default_leverage: Decimal
    positions: dict[str, Position] = field(default_factory=dict)

    def position(self, symbol: str) -> Position:
        """The symbol's position (a flat one is created on first use)."""
        pos = self.positions.get(symbol)
        if pos is None:
            pos = self.positions[symbol] = Position(symbol, self.default_leverage)
        return pos

    def balance(self, coin: str) -> Decimal:
        """Wallet balance of ``coin``."""
        return self.wallet.get(coin, ZERO)

    def credit(self, coin: str, amount: Decimal) -> None:
        """Add ``amount`` (negative to debit) to a coin's wallet balance."""
        self.wallet[coin] = self.balance(coin) + amount

    # -- linear -----------------------------------------------------------------------------
    def fill_linear(
        self, symbol: str, side: Side, qty: Decimal, price: Decimal, fee: Decimal, now_ms: int
    ) -> Decimal:
        """Apply a linear fill to the position and the wallet.

        Returns:
            The size closed by this fill (ByBit's ``closedSize``).
        """
        pos = self.position(symbol)
        signed = qty if side == "Buy" else -qty
        closed = ZERO
        if pos.size == 0:
            pos.cur_realised = ZERO  # a new position starts a new realised-PnL count
            pos.created_ms = now_ms
        if pos.size and (pos.size > 0) != (signed > 0):
            closed = min(abs(signed), abs(pos.size))
            direction = 1 if pos.size > 0 else -1
            pnl = (price - pos.avg_price) * closed * direction
            self._realise(pos, pnl)
            remaining = signed + closed * direction  # what is left after closing
            pos.size -= closed * direction
            if pos.size == 0:
                pos.avg_price = ZERO
                pos.take_profit = pos.stop_loss = None  # ByBit drops TP/SL with the position
            if remaining:
                pos.size, pos.avg_price = remaining, price
        else:
            total = pos.size + signed
            pos.avg_price = (pos.avg_price * abs(pos.size) + price * qty) / abs(total)
            pos.size = total
        self._realise(pos, -fee)
        pos.updated_ms = now_ms
        pos.seq += 1
        return closed

    def _realise(self, pos: Position, amount: Decimal) -> None:
        pos.cur_realised += amount
        pos.cum_realised += amount
        self.credit(SETTLE, amount)

    def reducible(self, symbol: str, side: Side) -> Decimal:
        """How much a ``side`` order can reduce the symbol's position (0 if it cannot)."""
        pos = self.positions.get(symbol)
        if pos is None or not pos.size:
            return ZERO
        return abs(pos.size) if (pos.size > 0) == (side == "Sell") else ZERO

    def order_margin(self, order: Order) -> Decimal:
        """Initial margin an open linear order holds (0 for reduce-only orders)."""
        if order.category != "linear" or order.reduce_only or order.price is None:
            return ZERO
        if order.trigger_price is not None and order.status == "Untriggered":
            return ZERO  # ByBit takes no margin for a conditional order until it triggers
        return order.leaves * order.price / self.position(order.symbol).leverage

    def locked(self, order: Order) -> tuple[str, Decimal]:
        """(coin, amount) a resting spot order locks (quote for buys, base for sells)."""
        if order.category != "spot" or order.price is None or order.status == "Untriggered":
            return SETTLE, ZERO
        if order.side == "Buy":
            return order.spec.quote, order.leaves * order.price
        return order.spec.base, order.leaves


@dataclass(frozen=True, slots=True)
class CoinState:
    """One coin's balance figures (wallet-balance ``coin`` item)."""

    coin: str
    wallet: Decimal
    equity: Decimal
    unrealised: Decimal
    position_im: Decimal
    position_mm: Decimal
    order_im: Decimal
    locked: Decimal
    usd_value: Decimal
    cum_realised: Decimal

    @property
    def available(self) -> Decimal:
        """What new orders can use."""
        return self.equity - self.position_im - self.order_im - self.locked


def coin_states(
    account: Account, orders: list[Order], marks: dict[str, Decimal], prices: dict[str, Decimal]
) -> list[CoinState]:
    """Every coin's balance figures.

    Args:
        account: the account.
        orders: its open orders.
        marks: mark (last) price of each linear symbol with a position.
        prices: USDT price of each non-USDT coin held.
    """
    upl = sum((p.unrealised(marks[s]) for s, p in account.positions.items() if p.size), start=ZERO)
    pos_im = sum((p.initial_margin for p in account.positions.values()), start=ZERO)
    pos_mm = sum((p.maintenance_margin for p in account.positions.values()), start=ZERO)
    order_im = sum((account.order_margin(o) for o in orders), start=ZERO)
    locked: dict[str, Decimal] = {}
    for order in orders:
        coin, amount = account.locked(order)
        locked[coin] = locked.get(coin, ZERO) + amount
    cum = sum((p.cum_realised for p in account.positions.values()), start=ZERO)
    states = []
    for coin in sorted(set(account.wallet) | {SETTLE}, key=lambda c: (c != SETTLE, c)):
        wallet = account.balance(coin)
        lock = locked.get(coin, ZERO)
        if coin == SETTLE:  # the settle coin carries the whole linear book
            equity = wallet + upl
            states.append(
                CoinState(coin, wallet, equity, upl, pos_im, pos_mm, order_im, lock, equity, cum)
            )
        elif wallet or lock:
            usd = wallet * prices.get(coin, ZERO)
            states.append(CoinState(coin, wallet, wallet, ZERO, ZERO, ZERO, ZERO, lock, usd, ZERO))
    return states
