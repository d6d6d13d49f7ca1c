"""The shipped commands as a user runs them, as separate processes, from an empty folder."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from .processes import CLI, clean_env, run_python, start, start_sim, stop

pytestmark = pytest.mark.timeout(90)

# A plain ccxt user script; only the URLs point it at the simulator.
CCXT_SCRIPT = """
import asyncio, ccxt.pro as ccxtpro
async def main():
    ws = 'HTTP_BASE'.replace('http://', 'ws://')
    ex = ccxtpro.bybit({
        'enableRateLimit': False,
        'options': {'fetchMarkets': {'types': ['spot', 'linear']}},
        'urls': {'api': {
            'public': 'HTTP_BASE', 'private': 'HTTP_BASE',
            'ws': {'public': {'spot': ws + '/v5/public/spot',
                              'linear': ws + '/v5/public/linear'}}}},
    })
    await ex.load_markets()
    for symbol in ('BTC/USDT:USDT', 'BTC/USDT'):
        t = await ex.fetch_ticker(symbol)
        ob = await ex.fetch_order_book(symbol)
        bars = await ex.fetch_ohlcv(symbol, '1m', limit=5)
        book = await ex.watch_order_book(symbol)
        trades = await ex.watch_trades(symbol)
        assert t['last'] > 0 and ob['bids'] and len(bars) == 5 and book['asks'] and trades
        print(symbol, 'ok')
    await ex.close()
asyncio.run(main())
"""


def _env() -> dict[str, str]:
    # Ten 1m candles per second: a short run sees many closes.
    return clean_env(MOONAI_SIM__SPEED="600")


def test_headless_duration_prints_prices_stores_candles_exits_0(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "--no-ui", "--duration", "8"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert any(" engine started: market sim" in line for line in lines)
    assert any(" price BTC/USDT:USDT last " in line for line in lines)
    assert sum(" candle BTC/USDT:USDT 1m " in line for line in lines) >= 5
    assert lines[-1].endswith("engine stopped: duration elapsed")
    with sqlite3.connect(tmp_path / "moonai.db") as db:
        (count,) = db.execute("select count(*) from candles").fetchone()
        (journal,) = db.execute("pragma journal_mode").fetchone()
    assert count >= 100
    assert journal == "wal"


def test_headless_exits_0_on_sigint_and_sigterm(tmp_path: Path) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        process = start(["--no-ui"], tmp_path, _env())
        assert process.stdout is not None
        for line in process.stdout:
            if " candle " in line:  # running for real: markets loaded and streaming
                break
        out, err = stop(process, signum)
        assert process.returncode == 0, err
        assert "engine stopped: signal received" in out
        assert "Traceback" not in err


def test_sim_command_serves_an_unmodified_ccxt_script(tmp_path: Path) -> None:
    process, http_base = start_sim(tmp_path, _env())
    try:
        result = run_python(CCXT_SCRIPT.replace("HTTP_BASE", http_base))
        assert result.returncode == 0, result.stderr
        assert result.stdout.split("\n")[:2] == ["BTC/USDT:USDT ok", "BTC/USDT ok"]
    finally:
        stop(process)
    assert process.returncode == 0


BALANCE_SCRIPT = """
import asyncio, ccxt.pro as ccxtpro
from moonai_tui.exchange.ccxt_factory import exchange_config
async def main():
    for key, secret in (('k1', 's1'), ('k1', 'wrong')):
        ex = ccxtpro.bybit(exchange_config('sim', 'HTTP_BASE', (key, secret)))
        try:
            balance = await ex.fetch_balance()
            print('USDT', balance['USDT']['total'])
        except Exception as exc:
            print(type(exc).__name__)
        await ex.close()
asyncio.run(main())
"""


def test_sim_command_serves_the_account_it_was_given(tmp_path: Path) -> None:
    account = ("--api-key", "k1", "--api-secret", "s1", "--balance", "500")
    process, http_base = start_sim(tmp_path, _env(), *account)
    try:
        result = run_python(BALANCE_SCRIPT.replace("HTTP_BASE", http_base))
        assert result.returncode == 0, result.stderr
        assert result.stdout.split("\n")[:2] == ["USDT 500.0", "AuthenticationError"]
    finally:
        stop(process)
    assert process.returncode == 0
