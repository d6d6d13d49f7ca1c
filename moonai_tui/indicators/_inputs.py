"""Input checks shared by the indicators: periods and float64 series."""

from __future__ import annotations

import operator
from typing import SupportsIndex

import numpy as np
import numpy.typing as npt

from moonai_tui.errors import IndicatorError

FloatArray = npt.NDArray[np.float64]


def period(func: str, name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``, or an IndicatorError naming the function and value."""
    if type(value) is int and value >= minimum:
        # The common case, first: the protocol check below walks typing's machinery
        # (microseconds per call, on every live bar close).
        return value
    if isinstance(value, bool) or not isinstance(value, SupportsIndex):
        raise IndicatorError(f"{func}: {name} must be an integer >= {minimum}, got {value!r}")
    number = operator.index(value)
    if number < minimum:
        raise IndicatorError(f"{func}: {name} must be an integer >= {minimum}, got {number}")
    return int(number)


def series(func: str, name: str, values: npt.ArrayLike) -> FloatArray:
    """A 1-D, C-contiguous, writeable float64 copy-or-view of a numpy array or pandas Series.

    Writeable and contiguous so the compiled kernels see one array type (pandas 3 hands out
    read-only views, which numba would otherwise compile a second time).
    """
    to_numpy = getattr(values, "to_numpy", None)
    try:
        if callable(to_numpy):
            array = np.asarray(to_numpy(dtype=np.float64, na_value=np.nan))
        else:
            array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise IndicatorError(
            f"{func}: {name} must be numbers, got {type(values).__name__} ({exc})"
        ) from None
    if array.ndim != 1:
        raise IndicatorError(f"{func}: {name} must be 1-D, got shape {array.shape}")
    if not (array.flags.c_contiguous and array.flags.writeable):
        array = array.copy()
    return array


def same_length(func: str, **arrays: FloatArray) -> None:
    """Raise unless every array has the same length (bars of one series)."""
    lengths = {name: array.size for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}={size}" for name, size in lengths.items())
        raise IndicatorError(f"{func}: inputs must have the same length, got {shown}")
