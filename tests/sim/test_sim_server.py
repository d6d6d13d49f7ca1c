"""Lifecycle: lazy import, clear errors, the ``moonai-tui sim`` loop, stop."""

from __future__ import annotations

import gzip
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from moonai_tui.config import SimSettings
from moonai_tui.errors import ConfigError, DataError
from moonai_tui.sim import start_simulator

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, moonai_tui.sim;"
        "heavy = [m for m in ('aiohttp', 'numpy', 'pandas', 'ccxt') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == ""


async def test_bad_data_file_is_a_one_line_data_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv.gz"
    with pytest.raises(DataError, match=r"nope\.csv\.gz: file not found"):
        await start_simulator(SimSettings(data=missing))
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="not a readable gzip file"):
        await start_simulator(SimSettings(data=broken))
    wrong = tmp_path / "wrong.csv.gz"
    with gzip.open(wrong, "wt") as fh:
        fh.write("time,price\n1,2\n")
    with pytest.raises(DataError, match="missing column"):
        await start_simulator(SimSettings(data=wrong))


async def test_custom_data_file_and_start_are_used(tmp_path: Path) -> None:
    path = tmp_path / "tiny.csv"
    rows = ["timestamp_ms,open,high,low,close,volume"]
    for i in range(120):  # two hours of flat-ish 1m candles from 2023-01-01
        ts = 1_672_531_200_000 + i * 60_000
        rows.append(f"{ts},{100 + i},{101 + i},{99 + i},{100.5 + i},{1 + i % 3}")
    path.write_text("\n".join(rows) + "\n")
    sim = await start_simulator(
        SimSettings(data=path, start="2023-01-01T01:00"), wall_clock=lambda: 0.0
    )
    try:
        assert sim.market.clock.now_ms() == 1_672_531_200_000 + 3_600_000
        async with aiohttp.ClientSession() as session:
            url = f"{sim.http_base}/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1&limit=2"
            async with session.get(url) as response:
                body = await response.json()
        assert [float(x) for x in body["result"]["list"][1][1:6]] == [159, 160, 158, 159.5, 3]
    finally:
        await sim.stop()


async def test_start_outside_the_data_or_not_iso_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="outside the BTCUSDT data"):
        await start_simulator(SimSettings(start="2025-01-01"))
    with pytest.raises(ConfigError, match="not an ISO date"):
        await start_simulator(SimSettings(start="yesterday"))


async def test_port_in_use_is_a_config_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"127.0.0.1:{port}: address already in use"):
            await start_simulator(SimSettings(port=port))


async def test_stop_is_idempotent_and_frees_the_port() -> None:
    sim = await start_simulator(SimSettings())
    port = int(sim.http_base.rsplit(":", 1)[1])
    await sim.stop()
    await sim.stop()
    again = await start_simulator(SimSettings(port=port))
    await again.stop()


def test_run_forever_prints_one_line_and_exits_zero_on_sigterm() -> None:
    code = (
        "from moonai_tui.config import SimSettings;"
        "from moonai_tui.sim import run_simulator_forever;"
        "raise SystemExit(run_simulator_forever(SimSettings()))"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    prefix, _, rest = line.partition(" serving ")
    assert prefix == "Moon AI ByBit v5 simulator"
    base = rest.split(" ")[0]
    assert base.startswith("http://127.0.0.1:")
    assert rest == f"{base} ({base.replace('http', 'ws')}/v5/public/linear, /v5/public/spot)"
    assert process.returncode == 0 and out == "" and "Traceback" not in err
