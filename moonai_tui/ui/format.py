"""Pure text formatting for prices, sizes, percentages, ages and times.

Market data is float (see :mod:`moonai_tui.domain`) and the UI does not know
each market's tick size yet, so prices get a precision derived from their
magnitude: about six significant digits, which is what a trader reads on a
ladder (71,482.4 · 3,512.34 · 0.512340).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

DASH = "—"
"""Shown wherever a value is not known yet."""


def price_decimals(reference: float | None) -> int:
    """Decimals that show about six significant digits of ``reference``.

    Args:
        reference: A typical price of the market, e.g. the last trade.

    Returns:
        Between 1 and 8 decimals; 2 when nothing is known.
    """
    if reference is None or not math.isfinite(reference) or reference <= 0:
        return 2
    integer_digits = max(1, math.floor(math.log10(reference)) + 1)
    return min(8, max(1, 6 - integer_digits))


def fmt_price(value: float | None, decimals: int) -> str:
    """A price with thousands separators, or a dash when unknown."""
    if value is None:
        return DASH
    return f"{value:,.{decimals}f}"


def fmt_size(value: float | None) -> str:
    """An amount of the base currency; fewer decimals as it grows."""
    if value is None:
        return DASH
    magnitude = abs(value)
    if magnitude >= 1_000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:,.1f}"
    if magnitude >= 0.001 or magnitude == 0:
        return f"{value:,.3f}"
    return f"{value:.6f}"


def fmt_pct(value: float | None) -> str:
    """A signed percentage such as ``+1.82%``."""
    if value is None:
        return DASH
    return f"{value:+.2f}%"


def fmt_signed(value: float | None, decimals: int = 2) -> str:
    """A signed number such as ``+0.23``."""
    if value is None:
        return DASH
    return f"{value:+.{decimals}f}"


def fmt_age(age_ms: int | None) -> str:
    """A data age: ``0.2s`` under ten seconds, then ``12s``, ``3m05s``, ``2h10m``."""
    if age_ms is None:
        return DASH
    seconds = max(0, age_ms) / 1000
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def utc(ts_ms: int) -> datetime:
    """A Unix-millisecond timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC)


def fmt_time(ts_ms: int) -> str:
    """``HH:MM:SS`` in UTC."""
    return utc(ts_ms).strftime("%H:%M:%S")


def fmt_clock(ts_ms: int, *, with_date: bool = True) -> str:
    """The header clock: ``2024-03-11 14:02:31Z`` (or just ``14:02:31Z``)."""
    pattern = "%Y-%m-%d %H:%M:%SZ" if with_date else "%H:%M:%SZ"
    return utc(ts_ms).strftime(pattern)


def base_currency(symbol: str) -> str:
    """``BTC`` for ``BTC/USDT:USDT`` or ``BTC/USDT``."""
    return symbol.split("/", 1)[0]


def short_symbol(symbol: str) -> str:
    """``BTCUSDT`` for ``BTC/USDT:USDT``: the exchange's own name, for narrow columns."""
    return symbol.split(":", 1)[0].replace("/", "")


def fmt_decimal(value: Decimal | None, decimals: int | None = None) -> str:
    """An exact amount (price, size, percentage) as the exchange gave it.

    Trailing zeros are dropped (``70,053`` not ``70,053.000``) and digits
    beyond ``decimals`` are rounded away; by default about six significant
    digits are kept, as :func:`price_decimals` decides.
    """
    if value is None:
        return DASH
    limit = price_decimals(float(abs(value))) if decimals is None else decimals
    if value.is_finite():
        value = value.normalize()
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > limit:
            value = value.quantize(Decimal(1).scaleb(-limit)).normalize()
    return f"{value:,f}"


def fmt_money(value: Decimal | None, *, signed: bool = False) -> str:
    """An amount of the quote currency with two decimals (``10,412.55``, ``+3.91``)."""
    if value is None:
        return DASH
    return f"{value:+,.2f}" if signed else f"{value:,.2f}"


def fmt_countdown(ms: int) -> str:
    """Time left as ``m:ss`` (never negative); ``0:42``, ``12:05``."""
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def side_word(side: str | None) -> str:
    """``LONG`` for a buy, ``SHORT`` for a sell, ``FLAT`` for no side."""
    if side is None:
        return "FLAT"
    return "LONG" if side == "buy" else "SHORT"
