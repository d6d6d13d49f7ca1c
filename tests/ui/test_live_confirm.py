"""Live trading asks first: typing LIVE confirms, Esc declines, nothing else does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import SecretStr
from textual.pilot import Pilot

from moonai_tui.config import BybitSettings, FeedSettings, Settings, UISettings
from moonai_tui.console import start_when_confirmed
from moonai_tui.engine.clock import FixedClock
from moonai_tui.ui.app import MoonAIApp
from moonai_tui.ui.screens.live_confirm import LiveConfirmScreen, live_summary, masked

from .fakes import T0_MS, FakeEngineClient, make_status
from .pilot_tools import shown, until

SnapCompare = Callable[..., bool]
KEY = "Xq7pLm2RtY9wZa4K"


def live_settings() -> Settings:
    return Settings(
        market="bybit-testnet",
        trading="live",
        approval="auto",
        bybit=BybitSettings(api_key=SecretStr(KEY), api_secret=SecretStr("s" * 32)),
        trade={"strategies": ["sma_cross"]},
        ui=UISettings(book_levels=8, trades_tape=12, chart_bars=60),
        feeds=FeedSettings(stale_after_seconds=10.0),
    )


def asking_app(answers: list[bool | None]) -> MoonAIApp:
    status = make_status(
        market="bybit-testnet", trading="live", approval="auto", description="ByBit testnet"
    )
    client = FakeEngineClient(engine_status=status)
    return MoonAIApp(client, live_settings(), FixedClock(T0_MS), live_check=answers.append)


async def test_typing_live_and_enter_confirms(monkeypatch: pytest.MonkeyPatch) -> None:
    answers: list[bool | None] = []
    app = asking_app(answers)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LiveConfirmScreen), "the dialog")
        box = shown(app, app.screen.query_one("#live-box"))
        assert "ByBit testnet" in box and "Xq7p…4K" in box and KEY not in box
        assert "WITHOUT asking" in box  # approval: auto is spelled out
        await pilot.press("y", "enter")  # a habitual "yes" is not a confirmation
        await pilot.press(*"live", "enter")  # nor is the word in lower case
        assert isinstance(app.screen, LiveConfirmScreen) and answers == []
        assert "not confirmed" in shown(app, app.screen.query_one("#live-error"))
        await pilot.press(*"LIVE", "enter")
        await until(pilot, lambda: answers == [True], "the confirmation")
        assert not isinstance(app.screen, LiveConfirmScreen)


async def test_escape_declines() -> None:
    answers: list[bool | None] = []
    app = asking_app(answers)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LiveConfirmScreen), "the dialog")
        await pilot.press(*"LIV", "escape")
        await until(pilot, lambda: answers == [False], "the refusal")
        assert not isinstance(app.screen, LiveConfirmScreen)


async def test_without_a_question_no_dialog_appears() -> None:
    app = MoonAIApp(FakeEngineClient(), live_settings(), FixedClock(T0_MS))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, LiveConfirmScreen)


def test_the_summary_names_a_missing_key_and_masks_short_ones() -> None:
    settings = Settings(market="bybit", trading="live")
    lines = live_summary(settings)
    assert "REAL MONEY" in lines[0] and "none set" in lines[1]
    assert lines[-1] == "No API key is set: the engine will refuse to trade live."
    assert masked("abcdefgh") == "********"
    assert masked(KEY) == "Xq7p…4K"


class FakeEngine:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def confirm_live(self) -> None:
        self.calls.append("confirm_live")

    async def start(self) -> None:
        self.calls.append("start")


@pytest.mark.parametrize(
    ("answer", "calls"),
    [(True, ["confirm_live", "start"]), (False, ["start"]), (None, ["start"])],
)
async def test_the_engine_trades_live_only_after_a_yes(
    answer: bool | None, calls: list[str]
) -> None:
    engine = FakeEngine()
    question: asyncio.Future[bool] | None = None
    if answer is not None:
        question = asyncio.get_running_loop().create_future()
        question.set_result(answer)
    await start_when_confirmed(engine, question)  # type: ignore[arg-type]
    assert engine.calls == calls


def test_live_confirmation_at_120x40(snap_compare: SnapCompare) -> None:
    app = asking_app([])

    async def typed(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(app.screen, LiveConfirmScreen), "the dialog")
        await pilot.press(*"LI")

    assert snap_compare(app, terminal_size=(120, 40), run_before=typed)
