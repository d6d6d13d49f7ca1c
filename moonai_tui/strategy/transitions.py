"""From a target position series to order events: the one rule backtest and live share.

Orders happen only on a change of the target between consecutive bars
(edge-triggered). The state starts flat (0). For each bar:

* NaN: no opinion, the last value carries on (no event);
* the value equals the carried state: nothing;
* otherwise an event at that bar, by the new value:
  ``+1`` -> ``enter_long``, ``-1`` -> ``enter_short``, ``0`` -> ``exit``.
  An entry from the opposite side is a reversal (close first, then enter).

Stops are not this module's business: after a stop-loss the position is flat
but the target state is unchanged, so there is no re-entry until it changes.

:func:`order_events` applies the rule to a whole series (vectorised, for the
backtester); :func:`next_action` is one step of it (for the live runner). They
are the same rule: tests check one against the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

Action = Literal["enter_long", "enter_short", "exit"]
ACTIONS: dict[float, Action] = {1.0: "enter_long", -1.0: "enter_short", 0.0: "exit"}


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """An order decision taken at the close of bar ``index`` (filled later)."""

    index: int
    """Position of the bar in the series."""
    time: pd.Timestamp
    """Open time of that bar."""
    action: Action
    previous: float
    """The carried target before the change: -1.0, 0.0 or +1.0."""

    @property
    def target(self) -> float:
        """The target after the change."""
        return {"enter_long": 1.0, "enter_short": -1.0, "exit": 0.0}[self.action]

    @property
    def reversal(self) -> bool:
        """An entry that first closes a position on the other side."""
        return self.action != "exit" and self.previous == -self.target


def next_action(state: float, value: float) -> tuple[float, Action | None]:
    """One bar of the rule: the new carried state and the action (None = nothing).

    ``state`` is the carried target (-1.0, 0.0 or +1.0); ``value`` this bar's target.
    """
    if math.isnan(value) or value == state:
        return state, None
    return value, ACTIONS[value]


def carried_target(values: npt.ArrayLike, start: float = 0.0) -> npt.NDArray[np.float64]:
    """The target with NaNs replaced by the last value (``start`` before the first one)."""
    array = np.asarray(values, dtype=np.float64)
    padded = np.concatenate(([start], array))
    valid = ~np.isnan(padded)
    last = np.maximum.accumulate(np.where(valid, np.arange(padded.size), 0))
    carried: npt.NDArray[np.float64] = padded[last][1:]
    return carried


def target_edges(
    values: npt.ArrayLike, start: float = 0.0
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Where the carried target changes: (bar positions, new values, previous values)."""
    carried = carried_target(values, start)
    previous = np.concatenate(([start], carried[:-1]))
    where = np.flatnonzero(carried != previous)
    return where, carried[where], previous[where]


def order_events(target: pd.Series, start: float = 0.0) -> list[OrderEvent]:
    """The order events of a whole target series (index = bar open times).

    Raises:
        ValueError: a value other than -1, 0, +1 or NaN.
    """
    values = target.to_numpy(dtype=np.float64)
    bad = ~(np.isnan(values) | np.isin(values, (-1.0, 0.0, 1.0)))
    if bad.any():
        at = int(np.argmax(bad))
        raise ValueError(
            f"target at {target.index[at]} is {float(values[at])!r}; expected -1, 0, +1 or NaN"
        )
    where, new, previous = target_edges(values, start)
    index = target.index
    return [
        OrderEvent(int(i), pd.Timestamp(index[i]), ACTIONS[float(v)], float(p))
        for i, v, p in zip(where, new, previous, strict=True)
    ]
