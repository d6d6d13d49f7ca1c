"""Equity and its curve, exposure, leverage, daily PnL, drawdown and the kill switch."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive

from moonai_tui.domain import KillSwitchState
from moonai_tui.engine.trading_events import OrderDenied, RiskStatus
from moonai_tui.ui import colours
from moonai_tui.ui.format import fmt_decimal, fmt_money, fmt_time
from moonai_tui.ui.throttle import RefreshThrottle
from moonai_tui.ui.widgets.info_pane import InfoPane

REDRAW_INTERVAL = 0.2
"""Equity moves with the mark price; five redraws a second are plenty to read."""
SPARKS = "▁▂▃▄▅▆▇█"


class RiskPane(InfoPane):
    """Risk limits and their use; a breach and a latched kill switch are drawn as danger."""

    BORDER_TITLE = "Risk"
    EMPTY = (
        "risk limits appear here when trading starts: "
        "exposure, leverage, daily PnL, drawdown, kill switch"
    )

    risk: reactive[RiskStatus | None] = reactive(None, layout=False, repaint=False)
    """The risk manager's latest status."""
    kill_switch: reactive[KillSwitchState | None] = reactive(None, layout=False, repaint=False)
    """The kill switch, once the engine reports it."""
    refusal: reactive[OrderDenied | None] = reactive(None, layout=False, repaint=False)
    """The last order the risk gate refused."""
    gated: reactive[tuple[str, ...]] = reactive(tuple, layout=False, repaint=False)
    """Why entries are blocked on symbols whose market data went stale (one each)."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.redraw_throttle = RefreshThrottle(self, REDRAW_INTERVAL)

    def watch_risk(self) -> None:
        """Redraw (throttled)."""
        self.redraw_throttle.request()

    def watch_kill_switch(self) -> None:
        """Redraw at once: the kill switch is never throttled."""
        self.refresh()

    def watch_refusal(self) -> None:
        """Redraw at once."""
        self.refresh()

    def watch_gated(self) -> None:
        """Redraw at once: blocked entries are never throttled."""
        self.refresh()

    def body(self) -> RenderableType:
        """Status lines; the kill switch and the last refusal even before any status."""
        nothing = (self.risk, self.kill_switch, self.refusal) == (None, None, None)
        if nothing and not self.gated:
            return self.empty_text()
        width = max(self.content_size.width, 20)
        lines = [] if self.risk is None else status_lines(self.risk, width, bool(self.gated))
        lines.extend(gated_line(reason) for reason in self.gated)
        lines.append(kill_switch_line(self.kill_switch))
        if self.refusal is not None:
            lines.append(refusal_line(self.refusal))
        # Wrapped, not cut: a halt reason or a refusal must be read in full.
        return Text("\n").join(lines)


def is_breach(status: RiskStatus) -> bool:
    """Whether new entries are halted or the drawdown has reached its limit."""
    return bool(status.halted_reason) or status.drawdown_pct >= status.max_drawdown_pct


def status_lines(status: RiskStatus, width: int = 40, stale: bool = False) -> list[Text]:
    """Equity and daily PnL, its curve and peak, exposure, leverage, drawdown, entries.

    The curve line appears once there are two samples; it is cut to ``width``.
    ``stale``: entries are blocked on some symbol for stale market data.
    """
    pnl = status.daily_pnl
    equity = _label("equity   ").append(fmt_money(status.equity), style="bold")
    equity.append_text(_label("  day "))
    equity.append(fmt_money(pnl, signed=True), style=colours.BUY if pnl >= 0 else colours.SELL)

    at_cap = status.exposure_pct >= status.max_exposure_pct
    exposure = _label("exposure ").append(
        _of(status.exposure_pct, status.max_exposure_pct, "%"),
        style=colours.WARNING if at_cap else "",
    )
    leverage = _label("leverage ").append(_of(status.leverage, status.max_leverage, "x"))

    over = status.drawdown_pct >= status.max_drawdown_pct
    drawdown = _label("drawdown ")
    limit = _of(status.drawdown_pct, status.max_drawdown_pct, "%")
    drawdown.append(f" {limit} " if over else limit, style=colours.DANGER if over else "")

    entries = _label("entries  ")
    if status.halted_reason:
        entries.append(f" HALTED: {status.halted_reason} ", style=colours.DANGER)
    elif over:
        entries.append(" HALTED: max drawdown ", style=colours.DANGER)
    elif stale:
        entries.append(" BLOCKED: stale market data ", style=colours.DANGER)
    else:
        entries.append("open", style=colours.GOOD)
    lines = [equity]
    if len(status.equity_curve) >= 2:
        lines.append(curve_line(status.equity_curve, status.peak_equity, width))
    return [*lines, exposure, leverage, drawdown, entries]


def gated_line(reason: str) -> Text:
    """Entries blocked on one symbol until its market data is fresh again."""
    return _label("  ").append(f" {reason} ", style=colours.DANGER)


def sparkline(values: Sequence[Decimal], width: int) -> str:
    """The last ``width`` values as block heights, lowest ▁ to highest █ (flat: all ▁)."""
    points = list(values)[-width:] if width > 0 else []
    if not points:
        return ""
    low, high = min(points), max(points)
    if high == low:
        return SPARKS[0] * len(points)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((value - low) / (high - low) * top)] for value in points)


def curve_line(curve: Sequence[Decimal], peak: Decimal | None, width: int) -> Text:
    """``curve    ▁▂▄▆█▇▅  peak 10,098.45``: recent equity samples and the peak."""
    text = _label("curve    ")
    tail = "" if peak is None else f"  peak {fmt_money(peak)}"
    text.append(sparkline(curve, max(8, width - len(text) - len(tail))), style=colours.GOOD)
    if tail:
        text.append_text(_label("  peak ")).append(fmt_money(peak))
    return text


def _of(value: Decimal, limit: Decimal, unit: str) -> str:
    """``9.6% / 10%``."""
    return f"{fmt_decimal(value, 1)}{unit} / {fmt_decimal(limit, 1)}{unit}"


def kill_switch_line(state: KillSwitchState | None) -> Text:
    """``kill switch: armed (k)``, or the latch in red with how to reset it."""
    text = _label("kill switch: ")
    if state is None or not state.latched:
        return text.append("armed (k)")
    text.append(" LATCHED ", style=colours.DANGER)
    if state.reason:
        text.append(f" {state.reason}")
    if state.changed_by:
        text.append(f" by {state.changed_by}", style=colours.MUTED)
    return text.append(" · reset: ctl reset-kill", style=colours.WARNING)


def refusal_line(denied: OrderDenied) -> Text:
    """``last refusal 14:02:31 BTC/USDT:USDT: exposure cap 10% reached``."""
    text = _label("last refusal ").append(fmt_time(denied.ts_ms), style=colours.MUTED)
    return text.append(f" {denied.symbol}: ").append(denied.reason, style=colours.WARNING)


def _label(text: str) -> Text:
    return Text(text, style=colours.MUTED)
