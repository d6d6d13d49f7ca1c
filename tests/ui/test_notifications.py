"""Notifications never cover the Risk pane (UI.md: risk and the kill switch stay in view)."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from moonai_tui.ui.widgets.risk_pane import RiskPane

from .conftest import AppFactory
from .pilot_tools import until


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_toasts_leave_the_risk_pane_visible(
    make_app: AppFactory, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        narrow = size[0] < 110
        await until(pilot, lambda: app.main_screen.narrow is narrow, "the layout")
        if narrow:
            app.main_screen.show_tab("risk")
        # Queried afresh: a layout switch builds new panes (for a moment there are none).
        await until(pilot, lambda: any(p.region.area for p in app.screen.query(RiskPane)), "Risk")
        for index in range(6):
            app.notify(f"notice {index}: something a person should read " * 2, timeout=60)
        await until(pilot, lambda: len(app.screen.query(Toast)) == 6, "six toasts")
        await pilot.pause()
        risk = app.screen.query_one(RiskPane).region
        # What is drawn on top at every cell of the Risk pane: never a toast.
        on_top = {
            type(app.screen.get_widget_at(x, y)[0]).__name__
            for y in range(risk.y, risk.bottom)
            for x in range(risk.x, risk.right)
        }
        assert "Toast" not in on_top and "RiskPane" in on_top, on_top
