"""Exact fixed-point helpers: prices and sizes travel as integers in units of 10**-decimals.

Integers keep the replayed values exact (a candle's high is the file's high, a
trade tape sums to the candle's volume to the last digit) and make the order
book's price keys hashable without float noise. Strings are made only at the
wire boundary.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

MAX_DECIMALS = 8


@lru_cache(maxsize=65_536)
def fmt_units(value: int, decimals: int) -> str:
    """Format ``value`` × 10**-decimals as a plain decimal string ("61837.63").

    Cached: book prices repeat in every message of a stream.
    """
    if decimals == 0:
        return str(value)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"


def infer_decimals(values: NDArray[np.float64], max_decimals: int = MAX_DECIMALS) -> int:
    """Fewest decimals (≤ ``max_decimals``) that represent every value exactly."""
    for decimals in range(max_decimals + 1):
        scaled = values * 10.0**decimals
        # Float noise on exact decimals stays far below 5e-5 of a unit for |scaled| < 1e11,
        # while a missing digit leaves at least 1e-4 (for up to MAX_DECIMALS decimals).
        if bool(np.all(np.abs(scaled - np.round(scaled)) < 5e-5)):
            return decimals
    return max_decimals


def to_units(values: NDArray[np.float64], decimals: int) -> NDArray[np.int64]:
    """Round float values to integer units of 10**-decimals."""
    return np.round(values * 10.0**decimals).astype(np.int64)


def rescale(value: int, from_decimals: int, to_decimals: int) -> int:
    """Re-express ``value`` in another number of decimals (rounding half away from zero)."""
    if to_decimals >= from_decimals:
        return int(value * 10 ** (to_decimals - from_decimals))
    factor = 10 ** (from_decimals - to_decimals)
    quotient, remainder = divmod(abs(value), factor)
    if 2 * remainder >= factor:
        quotient += 1
    return int(quotient if value >= 0 else -quotient)


def round_to_step(value: int, step: int) -> int:
    """Round a non-negative integer to the nearest multiple of ``step`` (half up)."""
    return ((value + step // 2) // step) * step
