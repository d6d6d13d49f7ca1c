"""Rounding to an instrument's grid: prices to the tick size, quantities to the lot size.

Every money value that leaves the risk rules or the fill model sits on the exchange's
grid, so the paper broker, the backtester and the exchange agree to the last digit.
The direction of each rounding is chosen by the caller, always the one that is worse
for us (a buy fills a tick higher, a size rounds down), never "nearest" by accident.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal


def _check_step(step: Decimal) -> None:
    if step <= 0:
        raise ValueError(f"step must be positive, got {step}")


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    """Largest multiple of ``step`` that is <= ``value``: ``floor(value / step) * step``.

    Example: ``floor_to_step(Decimal("0.1239"), Decimal("0.001")) == Decimal("0.123")``.
    """
    _check_step(step)
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


def ceil_to_step(value: Decimal, step: Decimal) -> Decimal:
    """Smallest multiple of ``step`` that is >= ``value``: ``ceil(value / step) * step``."""
    _check_step(step)
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def nearest_step(value: Decimal, step: Decimal) -> Decimal:
    """Multiple of ``step`` nearest to ``value`` (ties to even)."""
    _check_step(step)
    return (value / step).to_integral_value(rounding=ROUND_HALF_EVEN) * step


def decimal_from_float(value: float) -> Decimal:
    """The shortest decimal that round-trips ``value`` (``Decimal(repr(x))``).

    ``Decimal(0.1)`` would carry the binary noise (0.1000000000000000055...);
    ``repr`` gives the number the data source actually wrote.
    """
    return Decimal(repr(value))


def price_from_float(value: float, tick: Decimal) -> Decimal:
    """A market-data price (float in :mod:`moonai_tui.domain`) snapped to the nearest tick.

    Market data is already on the tick grid; snapping to the nearest tick only removes
    float noise, so that a later directional rounding cannot jump a whole tick because
    of it (``0.30000000000000004`` must not ceil to ``0.31``).
    """
    return nearest_step(decimal_from_float(value), tick)


def is_on_step(value: Decimal, step: Decimal) -> bool:
    """True when ``value`` is an exact multiple of ``step``."""
    _check_step(step)
    return value % step == 0
