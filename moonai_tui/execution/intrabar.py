"""Which protective exit a bar triggers, and at what price: the conservative rule.

A bar gives four prices and no path. When a bar's range contains both the stop-loss
and the take-profit we cannot know which traded first, so we assume the worse one,
the stop (the rule most backtesters call "pessimistic"). When the bar *opens* beyond
a level, the open is the first price of the bar and decides for certain:

Long position (stop below, take-profit above):

1. ``open <= stop``: stop-loss, filled at ``open`` (a gap through a stop fills at the
   first traded price, which is worse than the stop, never at the stop itself).
2. ``open >= take_profit``: take-profit, filled at ``take_profit`` (the gap's extra gain
   is not credited; conservative, and the same price a resting TP limit would get).
3. ``low <= stop``: stop-loss at ``stop`` (also when ``high >= take_profit``: stop first).
4. ``high >= take_profit``: take-profit at ``take_profit``.
5. otherwise no exit.

Short position: the mirror image (``open >= stop``, ``open <= take_profit``,
``high >= stop``, ``low <= take_profit``).

Touching a level triggers it: ByBit's stop-loss and take-profit are trigger orders
that fire when the trigger price is reached, not crossed.

This module decides only the trigger and the base price; slippage, tick rounding and
fees are added by :class:`moonai_tui.execution.fill_model.FillModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

PositionSide = Literal["long", "short"]
ExitKind = Literal["stop_loss", "take_profit"]


@dataclass(frozen=True, slots=True)
class ExitTrigger:
    """A protective exit that a bar triggered.

    Attributes:
        kind: stop_loss or take_profit.
        price: the base fill price before slippage (the level, or the open on a gap).
        gapped: True when the bar opened beyond the stop and the fill is at the open.
    """

    kind: ExitKind
    price: Decimal
    gapped: bool = False


def resolve_exit_trigger(
    position_side: PositionSide,
    *,
    open_: Decimal,
    high: Decimal,
    low: Decimal,
    stop_loss: Decimal | None,
    take_profit: Decimal | None,
) -> ExitTrigger | None:
    """Apply the conservative intrabar rule (module docstring) to one bar.

    Args:
        position_side: the side of the open position being protected.
        open_: the bar's open price.
        high: the bar's high.
        low: the bar's low.
        stop_loss: the stop trigger price, or None when the position has none.
        take_profit: the take-profit trigger price, or None.

    Returns:
        The exit that fires first under the rule, or None when the bar triggers neither.
    """
    if position_side == "long":
        if stop_loss is not None and open_ <= stop_loss:
            return ExitTrigger("stop_loss", open_, gapped=open_ < stop_loss)
        if take_profit is not None and open_ >= take_profit:
            return ExitTrigger("take_profit", take_profit)
        if stop_loss is not None and low <= stop_loss:
            return ExitTrigger("stop_loss", stop_loss)
        if take_profit is not None and high >= take_profit:
            return ExitTrigger("take_profit", take_profit)
        return None
    if stop_loss is not None and open_ >= stop_loss:
        return ExitTrigger("stop_loss", open_, gapped=open_ > stop_loss)
    if take_profit is not None and open_ <= take_profit:
        return ExitTrigger("take_profit", take_profit)
    if stop_loss is not None and high >= stop_loss:
        return ExitTrigger("stop_loss", stop_loss)
    if take_profit is not None and low <= take_profit:
        return ExitTrigger("take_profit", take_profit)
    return None
