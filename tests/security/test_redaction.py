"""Registered keys are masked in every sink: logs and tracebacks, notices, exchange errors,
control replies and the CLI's crash output."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ccxt
import pytest

from moonai_tui import cli, logs
from moonai_tui.control.server import start_control_server
from moonai_tui.engine.client import EngineStatus
from moonai_tui.engine.events import ConnectionChanged, NoticeRaised
from moonai_tui.errors import ExchangeError
from moonai_tui.exchange.ccxt_execution import CcxtExecutionClient
from moonai_tui.exchange.ccxt_factory import exchange_config
from moonai_tui.exchange.execution import OrderRejected
from moonai_tui.exchange.market_data import MarketDataClient
from moonai_tui.redact import MASK, redact, register_secret

KEY = "rd-test-key-Hk3pW9"
SECRET = "rd-test-secret-Lq0Tz4"
# What ByBit (and the simulator) answer to a bad signature: the API key is quoted back.
ECHO = f'bybit {{"retCode":10004,"retMsg":"error sign! origin_string[1700000000000{KEY}5000]"}}'


@pytest.fixture(autouse=True)
def _registered() -> None:
    # Where the keys are registered in the program: handing them to ccxt.
    exchange_config("bybit", None, (KEY, SECRET))


def test_redact_masks_every_registered_value_and_nothing_else() -> None:
    register_secret("abc", None)  # too short to register: it would garble ordinary text
    text = f"key={KEY} secret={SECRET} abc"
    assert redact(text) == f"key={MASK} secret={MASK} abc"


def test_log_file_masks_messages_arguments_and_tracebacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "LOG_DIR", tmp_path)
    root = logging.getLogger()
    saved_level, saved = root.level, list(root.handlers)
    try:
        logs.configure_logging("DEBUG", to_stdout=False)
        log = logging.getLogger("moonai_tui.test")
        log.warning("private stream: %s", ECHO)
        log.info(f"inline {SECRET}")
        try:
            raise ccxt.AuthenticationError(ECHO)
        except ccxt.AuthenticationError:
            log.exception("fetch_balance failed")
        logging.getLogger("ccxt.base").warning("third-party %s", KEY)
        for handler in root.handlers:
            handler.flush()
        text = (tmp_path / "moonai.log").read_text()
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved
        root.setLevel(saved_level)
    assert "Traceback" in text and "AuthenticationError" in text and "third-party" in text
    assert KEY not in text and SECRET not in text
    assert text.count(MASK) == 4  # message, argument, exception line, third-party record


def test_notices_and_connection_details_are_masked_at_the_source() -> None:
    notice = NoticeRaised("error", f"cannot reconcile ({ECHO})")
    change = ConnectionChanged("rest", "*", "reconnecting", ECHO, 0)
    assert KEY not in notice.message and MASK in notice.message
    assert KEY not in change.detail and MASK in change.detail


class _Refusing:
    """A ccxt client whose every call fails with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        async def fail(*args: Any, **kwargs: Any) -> Any:
            raise self.error

        return fail


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ccxt.AuthenticationError(ECHO), ExchangeError),
        (ccxt.InvalidOrder(ECHO), OrderRejected),
        (ccxt.BadRequest(ECHO), OrderRejected),
        (ccxt.NetworkError(ECHO), ExchangeError),  # TemporaryError is an ExchangeError
    ],
)
async def test_exchange_errors_become_masked_messages(
    error: Exception, expected: type[Exception]
) -> None:
    client = CcxtExecutionClient(_Refusing(error))
    with pytest.raises(expected) as info:
        await client.fills_since(None)
    assert KEY not in str(info.value) and MASK in str(info.value)
    market = MarketDataClient(_Refusing(error), lambda: 0)
    with pytest.raises(ExchangeError) as caught:
        await market.load_instruments()
    assert KEY not in str(caught.value)


class _LeakyEngine:
    """An engine facade whose status and commands quote the key."""

    def status(self) -> EngineStatus:
        return EngineStatus("bybit", "live", "auto", "BTC/USDT:USDT", "1m", (), "ByBit")

    def trading_summary(self) -> str:
        return f"entries: HALTED: cannot reconcile ({ECHO})"

    async def kill(self, actor: str, reason: str) -> Any:
        raise RuntimeError(f"exchange said {ECHO}")


@pytest.fixture
def sock_path() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="mred", dir="/tmp"))  # short: AF_UNIX limit
    yield folder / "control.sock"
    shutil.rmtree(folder, ignore_errors=True)


async def test_control_replies_are_masked(sock_path: Path) -> None:
    server = await start_control_server(_LeakyEngine(), sock_path)  # type: ignore[arg-type]
    try:
        replies = []
        for command in ("status", "kill"):
            reader, writer = await asyncio.open_unix_connection(str(sock_path))
            writer.write(json.dumps({"command": command}).encode() + b"\n")
            replies.append(await reader.readline())
            writer.close()
            await writer.wait_closed()
    finally:
        await server.close()
    for raw in replies:
        assert KEY.encode() not in raw and MASK.encode() in raw
    assert json.loads(replies[1])["ok"] is False


def test_crash_traceback_is_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(args: Any) -> int:
        raise RuntimeError(f"unexpected answer {ECHO} with {SECRET}")

    monkeypatch.setattr(cli, "_run", crash)
    code = cli.main(["--no-ui"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" in err and "RuntimeError: unexpected answer" in err
    assert KEY not in err and SECRET not in err
