"""The lower panes: a grid when there is room, tabs when there is not."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from moonai_tui.domain import KillSwitchState, OrderRecord
from moonai_tui.engine.approvals import PendingApproval
from moonai_tui.engine.trading_events import OrderDenied, RiskStatus
from moonai_tui.ui.keys import TABS
from moonai_tui.ui.trading_view import PositionRow, SignalRow
from moonai_tui.ui.widgets.info_pane import InfoPane
from moonai_tui.ui.widgets.orders_pane import OrdersPane
from moonai_tui.ui.widgets.pending_pane import PendingPane
from moonai_tui.ui.widgets.positions_pane import PositionsPane
from moonai_tui.ui.widgets.risk_pane import RiskPane
from moonai_tui.ui.widgets.signals_pane import SignalsPane


class Desk(Widget):
    """Signals, Pending approval, Positions, Orders and Risk.

    Wide: Signals | Pending over (Positions / Orders) | Risk. Narrow: one
    TabbedContent whose tabs are titled with their number key. Switching
    recomposes the panes, so everything they show must come from this
    widget's attributes (bound with ``data_bind``), never from state kept in
    a pane.
    """

    narrow: reactive[bool] = reactive(False, recompose=True)
    """Tabs instead of the grid."""
    active_tab: reactive[str] = reactive(TABS[0][0], layout=False)
    """The tab shown in the narrow layout (kept across layout switches)."""
    approval: reactive[str] = reactive("manual", layout=False)
    """The engine's approval mode, for the Pending pane."""
    now_ms: reactive[int] = reactive(0, layout=False)
    """The UI clock, for the Pending pane's countdowns."""
    signals: reactive[tuple[SignalRow, ...]] = reactive(tuple, layout=False, repaint=False)
    """For the Signals pane, newest first."""
    pending: reactive[tuple[PendingApproval, ...]] = reactive(tuple, layout=False, repaint=False)
    """For the Pending pane, oldest first."""
    positions: reactive[tuple[PositionRow, ...]] = reactive(tuple, layout=False, repaint=False)
    """For the Positions pane."""
    orders: reactive[tuple[OrderRecord, ...]] = reactive(tuple, layout=False, repaint=False)
    """For the Orders pane, newest first."""
    risk: reactive[RiskStatus | None] = reactive(None, layout=False, repaint=False)
    """For the Risk pane."""
    kill_switch: reactive[KillSwitchState | None] = reactive(None, layout=False, repaint=False)
    """For the Risk pane."""
    refusal: reactive[OrderDenied | None] = reactive(None, layout=False, repaint=False)
    """The last order the risk gate refused, for the Risk pane."""
    gated: reactive[tuple[str, ...]] = reactive(tuple, layout=False, repaint=False)
    """Why entries are blocked on symbols with stale market data, for the Risk pane."""

    def compose(self) -> ComposeResult:
        """The grid or the tabs, according to :attr:`narrow`."""
        panes = self._panes()
        if self.narrow:
            with TabbedContent(initial=f"tab-{self.active_tab}", id="desk-tabs"):
                for number, (tab_id, title) in enumerate(TABS, start=1):
                    with TabPane(f"{number} {title}", id=f"tab-{tab_id}"):
                        yield panes[tab_id]
            return
        with Horizontal(id="desk-top"):
            yield panes["signals"]
            yield panes["pending"]
        with Horizontal(id="desk-bottom"):
            with Vertical(id="desk-book"):
                yield panes["positions"]
                yield panes["orders"]
            yield panes["risk"]

    def _panes(self) -> dict[str, InfoPane]:
        return {
            "signals": SignalsPane(id="signals").data_bind(Desk.signals),
            "pending": PendingPane(id="pending").data_bind(
                Desk.approval, Desk.pending, Desk.now_ms
            ),
            "positions": PositionsPane(id="positions").data_bind(Desk.positions),
            "orders": OrdersPane(id="orders").data_bind(Desk.orders),
            "risk": RiskPane(id="risk").data_bind(
                Desk.risk, Desk.kill_switch, Desk.refusal, Desk.gated
            ),
        }

    def watch_active_tab(self, tab_id: str) -> None:
        """Follow :attr:`active_tab` in the tabs."""
        if self.narrow:
            for tabs in self.query(TabbedContent):
                tabs.active = f"tab-{tab_id}"

    @on(TabbedContent.TabActivated)
    def _remember_tab(self, event: TabbedContent.TabActivated) -> None:
        # The tab may also change from the tab bar itself (arrow keys).
        pane_id = event.pane.id or ""
        self.set_reactive(Desk.active_tab, pane_id.removeprefix("tab-"))
