"""SIGKILL mid-trade: the restarted engine reconciles every fill and position with the exchange."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from .processes import REPO, clean_env, run_python, start, start_sim, stop

pytestmark = pytest.mark.timeout(150)

SYMBOL = "BTC/USDT:USDT"

ACCOUNT_SCRIPT = """
import asyncio
from moonai_tui.exchange.ccxt_factory import create_pro_exchange
async def main():
    ex = create_pro_exchange('sim', 'HTTP_BASE', ('moonai-demo-key', 'moonai-demo-secret'))
    trades = await ex.fetch_my_trades('BTC/USDT:USDT', None, 1000)
    positions = await ex.fetch_positions(['BTC/USDT:USDT'])
    await ex.close()
    qty = sum((p['contracts'] or 0) * (-1 if p['side'] == 'short' else 1) for p in positions)
    print(len(trades), qty)
asyncio.run(main())
"""


def env(sim_url: str, strategies: str = '["sma_cross"]') -> dict[str, str]:
    return clean_env(
        MOONAI_SIM__URL=sim_url,
        MOONAI_TRADING="live",
        MOONAI_APPROVAL="auto",
        MOONAI_TRADE__STRATEGIES=strategies,
        MOONAI_TRADE__STRATEGIES_DIR=str(REPO / "strategies"),
    )


def test_sigkill_mid_trade_then_restart_loses_nothing(tmp_path: Path) -> None:
    sim, sim_url = start_sim(tmp_path, clean_env(MOONAI_SIM__SPEED="1200"))
    try:
        engine = start(["--no-ui", "--yes-live"], tmp_path, env(sim_url))
        assert engine.stdout is not None
        fills_seen = 0
        for line in engine.stdout:
            fills_seen += " fill " in line
            if fills_seen >= 2:
                break
        engine.kill()  # SIGKILL: no shutdown, no flush, the socket file stays behind
        engine.communicate(timeout=30)

        again = start(["--no-ui", "--yes-live", "--duration", "4"], tmp_path, env(sim_url, "[]"))
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0, err
        assert "positions differ" not in out
        account = run_python(ACCOUNT_SCRIPT.replace("HTTP_BASE", sim_url))
        assert account.returncode == 0, account.stderr
        venue_trades, venue_qty = account.stdout.split()
    finally:
        stop(sim)

    import sqlite3

    with sqlite3.connect(tmp_path / "moonai.db") as db:
        (fills,) = db.execute("select count(*) from fills where mode = 'live'").fetchone()
        rows = db.execute("select qty from positions where mode = 'live'").fetchall()
        (unsettled,) = db.execute(
            "select count(*) from orders where status in ('pending', 'submitted', 'unknown')"
        ).fetchone()
    assert fills == int(venue_trades) and fills >= 2
    assert sum((Decimal(str(q)) for (q,) in rows), Decimal(0)) == Decimal(venue_qty)
    assert unsettled == 0
