"""Fixtures for the UI tests: settings, a fixed clock, a fake client, an app factory."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from moonai_tui.config import FeedSettings, Settings, UISettings
from moonai_tui.engine.clock import FixedClock
from moonai_tui.ui.app import MoonAIApp

from .fakes import T0_MS, FakeEngineClient

AppFactory = Callable[..., MoonAIApp]


@pytest.fixture(autouse=True)
def _no_moonai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings read MOONAI_ variables; a developer's shell must not change a test.
    for name in list(os.environ):
        if name.startswith("MOONAI_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings() -> Settings:
    """Defaults, except a small tape and a 10 s stale threshold stated explicitly."""
    return Settings(
        ui=UISettings(book_levels=8, trades_tape=12, chart_bars=60),
        feeds=FeedSettings(stale_after_seconds=10.0),
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0_MS)


@pytest.fixture
def client() -> FakeEngineClient:
    return FakeEngineClient()


@pytest.fixture
def make_app(client: FakeEngineClient, settings: Settings, clock: FixedClock) -> AppFactory:
    """Build the app on the fake client, the test settings and the fixed clock."""

    def factory(**overrides: object) -> MoonAIApp:
        return MoonAIApp(
            overrides.get("client", client),  # type: ignore[arg-type]
            overrides.get("settings", settings),  # type: ignore[arg-type]
            overrides.get("clock", clock),  # type: ignore[arg-type]
        )

    return factory
