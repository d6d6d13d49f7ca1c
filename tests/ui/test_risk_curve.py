"""The Risk pane's equity curve: recent samples as a sparkline, and the peak."""

from __future__ import annotations

from decimal import Decimal as D

from moonai_tui.ui.app import MoonAIApp
from moonai_tui.ui.widgets.risk_pane import RiskPane, sparkline

from .conftest import AppFactory
from .fakes import FakeEngineClient
from .pilot_tools import shown, until
from .trading_fakes import risk_changed


def risk_text(app: MoonAIApp) -> str:
    return shown(app, app.screen.query_one(RiskPane))


def test_sparkline_scales_from_lowest_to_highest() -> None:
    assert sparkline([D(v) for v in range(8)], 8) == "▁▂▃▄▅▆▇█"
    # 10 is the lowest, 20 the highest, 15 half way: 0.5 × 7 = 3.5, rounded to 4.
    assert sparkline([D(10), D(20), D(15)], 8) == "▁█▅"
    assert sparkline([D(5), D(5)], 8) == "▁▁"  # flat
    assert sparkline([D(v) for v in range(8)], 3) == "▁▅█"  # only the newest 3: 5, 6, 7
    assert sparkline([], 8) == ""


async def test_the_curve_and_peak_appear_once_there_are_two_samples(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        client.publish(risk_changed(equity_curve=(D("10000"),), peak_equity=D("10000")))
        await until(pilot, lambda: "10,412.55" in risk_text(app), "the status")
        assert "curve" not in risk_text(app)
        curve = (D("10000"), D("10098.45"), D("10048.45"))
        client.publish(risk_changed(equity_curve=curve, peak_equity=D("10098.45")))
        await until(pilot, lambda: "curve" in risk_text(app), "the curve")
        # 10,000 lowest, 10,098.45 highest, 10,048.45 at 49.2%: 3.44 → ▄.
        assert "curve    ▁█▄  peak 10,098.45" in risk_text(app)
