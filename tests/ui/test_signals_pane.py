"""The Signals pane: time, market, side, confidence, outcome, and the reasons (for the ``ml``
strategy its top contributing features), never cut off by the rest of the line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from moonai_tui.engine.trading_events import SignalRaised
from moonai_tui.ml.models import create_model
from moonai_tui.ml.signals import explain
from moonai_tui.ui.app import MoonAIApp
from moonai_tui.ui.trading_view import SignalRow
from moonai_tui.ui.widgets.signals_pane import SignalsPane, short_reasons, signal_lines

from .conftest import AppFactory
from .fakes import SYMBOL, T0_MS, FakeEngineClient
from .pilot_tools import redrawn, shown, style_of, until
from .trading_fakes import approval_requested, approval_resolved, make_pending

WIDE = (120, 40)


def pane_text(app: MoonAIApp) -> str:
    return shown(app, app.screen.query_one(SignalsPane))


def ml_explanation() -> tuple[float, str]:
    """What the ``ml`` strategy's explain() says about one bar, from a real small model."""
    rng = np.random.default_rng(0)
    names = ["rsi_14", "ret_15", "vol_z"]
    x = rng.normal(size=(300, 3))
    model = create_model("logreg", {}, names)
    model.fit(x, np.where(x[:, 0] > 0.5, 2, np.where(x[:, 0] < -0.5, 0, 1)))
    return explain(model, pd.Series([1.5, 0.2, -0.3], index=names))


def ml_signal(side: str | None = "buy", ts_ms: int = T0_MS) -> SignalRaised:
    confidence, why = ml_explanation()
    # As the strategy runner and ModelSlot.explain put it together.
    reasons = f"long: {SYMBOL} 1m v3 {why}"
    return SignalRaised("ml", SYMBOL, side, confidence, reasons, ts_ms)  # type: ignore[arg-type]


def test_ml_reasons_keep_the_version_and_the_top_features() -> None:
    signal = ml_signal()
    features = signal.reasons.split("]: ", 1)[1]
    assert features.startswith("rsi_14=1.5 (+")
    assert features.count("=") == 3  # the top three features

    assert short_reasons(signal) == ("ml v3", features)


@pytest.mark.parametrize(
    ("side", "reasons", "expected"),
    [
        ("buy", "long: fast>slow", "fast>slow"),
        ("sell", "short", ""),
        (None, "exit: rsi 80", "exit: rsi 80"),
        ("sell", "reverse to short: fast<slow", "reverse to short: fast<slow"),
        ("buy", "fast>slow, vol ok", "fast>slow, vol ok"),
        (None, "exit: no model: none active for BTC/USDT:USDT 1m", "exit: no model: none active "
         "for BTC/USDT:USDT 1m"),
    ],
)  # fmt: skip
def test_other_reasons_lose_only_a_prefix_that_repeats_the_side(
    side: str | None, reasons: str, expected: str
) -> None:
    signal = SignalRaised("sma_cross", SYMBOL, side, 0.5, reasons, T0_MS)  # type: ignore[arg-type]
    assert short_reasons(signal) == ("sma_cross", expected)


def test_a_model_file_has_no_version_to_show() -> None:
    _, why = ml_explanation()
    signal = SignalRaised("ml", SYMBOL, "buy", 0.9, f"long: xgboost-1a2b.json {why}", T0_MS)
    assert short_reasons(signal)[0] == "ml"


def test_reasons_go_under_the_signal_only_when_the_line_is_too_narrow() -> None:
    row = SignalRow(
        SignalRaised("sma_cross", SYMBOL, "buy", 0.71, "long: fast>slow", T0_MS), 12, "approved"
    )
    head = "14:02:31 BTCUSDT LONG  conf 0.71 approved"
    whole = f"{head}  sma_cross: fast>slow"

    assert [line.plain for line in signal_lines(row, len(whole))] == [whole]
    assert [line.plain for line in signal_lines(row, len(whole) - 1)] == [
        head,
        "  sma_cross: fast>slow",
    ]


async def test_pane_shows_an_ml_signal_its_features_and_the_outcome(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        client.publish(
            ml_signal(ts_ms=T0_MS - 60_000),
            approval_requested(11, strategy="ml"),
            ml_signal(),
            approval_requested(12, strategy="ml"),
        )
        await until(pilot, lambda: "pending" in pane_text(app), "the links")
        client.publish(
            approval_resolved(make_pending(12, strategy="ml"), "approved"),
            approval_resolved(make_pending(11, strategy="ml"), "expired"),
        )
        await until(pilot, lambda: "expired" in pane_text(app), "the outcomes")
        await redrawn(pilot)
        lines = pane_text(app).splitlines()
        conf = f"conf {ml_signal().confidence:.2f}"  # the model's, e.g. 0.84

        assert f"│ 14:02:31 BTCUSDT LONG  {conf} approved " in lines[1]
        assert "│   ml v3: rsi_14=1.5 (+" in lines[2]
        assert f"│ 14:01:31 BTCUSDT LONG  {conf} expired " in lines[3]
        assert "│   ml v3: rsi_14=1.5 (+" in lines[4]
        # Approved in green; expired muted (grey: Textual draws dim text as a blend).
        approved = style_of(app, "approved").color
        expired = style_of(app, "expired").color
        assert approved is not None and expired is not None
        red, green, blue = approved.get_truecolor()
        assert green > max(red, blue) + 30, (red, green, blue)
        assert len(set(expired.get_truecolor())) == 1
