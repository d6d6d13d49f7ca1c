"""After live (simulator) sessions, the key and secret are nowhere the program wrote.

Two headless engines trade live against a separately started simulator with a
known key and secret: one with the right credentials (it trades), one with a
wrong secret, which makes the exchange answer ByBit's ``error sign!`` message
that quotes the API key back. Afterwards the log files, the database (raw bytes,
WAL and shared memory included), stdout, stderr and ``ctl status`` are scanned.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from integration.processes import CLI, REPO, clean_env, start, start_sim, stop

pytestmark = pytest.mark.timeout(120)

KEY = "sess-key-N4v8Rq2Lx"
SECRET = "sess-secret-Jp6Wd3Hc0Ty"
WRONG_SECRET = "sess-wrong-secret-Zk5Mb7"


@pytest.fixture(scope="module")
def sim_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("sim")
    env = clean_env(MOONAI_SIM__SPEED="1200", MOONAI_SIM__BOOK_UPDATES_PER_SECOND="40")
    process, url = start_sim(folder, env, "--api-key", KEY, "--api-secret", SECRET)
    try:
        yield url
    finally:
        stop(process)


def engine_env(url: str, secret: str) -> dict[str, str]:
    return clean_env(
        MOONAI_SIM__URL=url,
        MOONAI_SIM__API_KEY=KEY,
        MOONAI_SIM__API_SECRET=secret,
        MOONAI_TRADING="live",
        MOONAI_APPROVAL="auto",
        MOONAI_LOG_LEVEL="DEBUG",
        MOONAI_TRADE__STRATEGIES='["sma_cross"]',
        MOONAI_TRADE__STRATEGIES_DIR=str(REPO / "strategies"),
    )


def run_session(folder: Path, env: dict[str, str], until: str) -> str:
    """Run a live headless engine until a stdout line contains ``until``; all it printed,
    plus ``ctl status`` taken while it ran."""
    engine = start(["--no-ui", "--yes-live"], folder, env)
    seen: list[str] = []
    try:
        assert engine.stdout is not None
        for line in engine.stdout:
            seen.append(line)
            if until in line:
                break
        status = subprocess.run(
            [*CLI, "ctl", "status"], cwd=folder, env=env, capture_output=True, text=True, timeout=30
        )
        assert status.returncode == 0, status.stderr
    finally:
        out, err = stop(engine, signal.SIGTERM)
    assert engine.returncode == 0, err
    assert any(until in line for line in seen), "".join(seen) + err
    return "".join(seen) + out + err + status.stdout + status.stderr


def written_bytes(folder: Path) -> dict[str, bytes]:
    """Every file the engine left in its working folder (logs, database, WAL, SHM)."""
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert any(name.startswith("moonai.db") for name in files), files.keys()
    assert any(name.startswith(".moonai/moonai.log") for name in files), files.keys()
    return files


def assert_nowhere(texts: dict[str, bytes], *values: str) -> None:
    for name, data in texts.items():
        for value in values:
            assert value.encode() not in data, f"{value!r} found in {name}"
            # SQLite and logs may hold text as UTF-16 nowhere here, but a repr might escape it.
            assert value.encode("utf-16-le") not in data, f"{value!r} (UTF-16) found in {name}"


def test_a_trading_session_writes_neither_key_nor_secret(sim_url: str, tmp_path: Path) -> None:
    output = run_session(tmp_path, engine_env(sim_url, SECRET), until=" fill ")
    files = written_bytes(tmp_path)
    assert b"fill" in files[".moonai/moonai.log"] or " fill " in output  # it did trade
    assert_nowhere({**files, "output": output.encode()}, KEY, SECRET)


def test_an_exchange_error_quoting_the_key_is_masked_everywhere(
    sim_url: str, tmp_path: Path
) -> None:
    # A wrong secret: the exchange refuses with "error sign! origin_string[<time><KEY>...]".
    output = run_session(tmp_path, engine_env(sim_url, WRONG_SECRET), until="trading halted")
    assert "error sign!" in output and "***" in output, output
    files = written_bytes(tmp_path)
    assert_nowhere({**files, "output": output.encode()}, KEY, WRONG_SECRET, SECRET)
