"""Live trading on a real exchange never starts while the kill-switch latch is set."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from integration.processes import CLI, clean_env

from moonai_tui.config import Settings
from moonai_tui.engine.engine import Engine
from moonai_tui.errors import SafetyError
from moonai_tui.exchange import market_data
from moonai_tui.store import open_store

pytestmark = pytest.mark.timeout(60)


def db_url(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / 'moonai.db'}"


async def latch(folder: Path, reason: str = "runaway strategy") -> None:
    async with await open_store(db_url(folder)) as store:
        await store.journal.set_kill_switch(True, reason, "ctl", 1_700_000_000_000)


@pytest.fixture
def no_exchange(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach an exchange fails the test: the refusal must come first."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the engine contacted the exchange")

    monkeypatch.setattr(market_data.MarketDataClient, "connect", refuse)


@pytest.mark.parametrize("market", ["bybit", "bybit-testnet"])
async def test_latched_kill_switch_refuses_live_on_a_real_exchange(
    tmp_path: Path, market: str, no_exchange: None
) -> None:
    await latch(tmp_path)
    settings = Settings(
        market=market,
        trading="live",
        database_url=db_url(tmp_path),
        bybit={"api_key": "k" * 18, "api_secret": "s" * 36},
    )
    engine = Engine(settings, live_confirmed=True)
    with pytest.raises(SafetyError) as info:
        await engine.start()
    message = str(info.value)
    assert message.startswith("kill switch is latched by ctl (runaway strategy)")
    assert f"refusing to start live trading on {market}" in message
    assert "ctl reset-kill" in message and "\n" not in message
    assert engine.store is None  # closed again
    async with await open_store(db_url(tmp_path)) as store:
        assert (await store.journal.kill_switch()).latched  # left as it was


async def test_released_latch_lets_the_engine_go_on_to_the_exchange(
    tmp_path: Path, no_exchange: None
) -> None:
    await latch(tmp_path)
    async with await open_store(db_url(tmp_path)) as store:
        await store.journal.set_kill_switch(False, "", "ctl", 1_700_000_100_000)
    settings = Settings(market="bybit", trading="live", database_url=db_url(tmp_path))
    engine = Engine(settings, live_confirmed=True)
    with pytest.raises(AssertionError, match="contacted the exchange"):
        await engine.start()
    await engine.stop()


def test_cli_refusal_is_one_line_and_exit_1(tmp_path: Path) -> None:
    asyncio.run(latch(tmp_path, "fat finger"))
    env = clean_env(
        MOONAI_MARKET="bybit",
        MOONAI_TRADING="live",
        MOONAI_DATABASE_URL=db_url(tmp_path),
        MOONAI_BYBIT__API_KEY="k" * 18,
        MOONAI_BYBIT__API_SECRET="s" * 36,
    )
    result = subprocess.run(
        [*CLI, "--no-ui", "--yes-live"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("moonai-tui: error: kill switch is latched by ctl (fat finger)")
    assert not (tmp_path / ".moonai" / "control.sock").exists()
