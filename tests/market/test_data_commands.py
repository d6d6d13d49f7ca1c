"""CLI glue: argument checks, exit codes, summaries and the progress display."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from market_helpers import MINUTE, T0, csv_text, make_bars, sqlite_url, write_csv

from moonai_tui.config import Settings
from moonai_tui.errors import MoonAIError
from moonai_tui.market.data_commands import (
    _ProgressBar,
    describe_download,
    parse_time,
    run_data_download,
    run_data_import,
)
from moonai_tui.market.download import DownloadReport
from moonai_tui.store import open_store


def settings_for(tmp_path: Path) -> Settings:
    return Settings(database_url=sqlite_url(tmp_path / "data" / "moonai.db"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", T0),
        ("2024-03-01T00:01", T0 + 60_000),
        ("2024-03-01 00:00:30", T0 + 30_000),
        ("2024-03-01T02:00:00+02:00", T0),
        ("2024-03-01T00:00:00Z", T0),
    ],
)
def test_parse_time_accepts_iso_forms_as_utc(text: str, expected: int) -> None:
    assert parse_time(text, "since") == expected


def test_parse_time_naive_is_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert parse_time("2024-03-01", "since") == T0
    finally:
        monkeypatch.undo()
        time.tzset()


def test_parse_time_rejects_garbage_with_usage_exit_code() -> None:
    with pytest.raises(MoonAIError, match="since: '01/03/2024' is not an ISO date") as caught:
        parse_time("01/03/2024", "since")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("symbol", "timeframe", "since", "until", "expected"),
    [
        ("BTC/USDT:USDT", "1m", "yesterday", None, "since: 'yesterday' is not an ISO date"),
        ("BTC/USDT:USDT", "1m", "2024-03-01", "2024-13-01", "until: '2024-13-01'"),
        ("BTC/USDT:USDT", "1m", "2024-03-02", "2024-03-01", "must be after since"),
        ("BTCUSDT", "1m", "2024-03-01", None, "not a ccxt unified symbol"),
        ("BTC/USDT:USDT", "2m", "2024-03-01", None, "timeframe '2m' is not supported"),
    ],
)
async def test_download_bad_argument_prints_one_line_and_returns_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    symbol: str,
    timeframe: str,
    since: str,
    until: str | None,
    expected: str,
) -> None:
    code = await run_data_download(settings_for(tmp_path), symbol, timeframe, since, until)

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and expected in err
    assert err.count("\n") == 1
    assert not (tmp_path / "data").exists()  # failed before touching the database


async def test_import_command_stores_file_and_prints_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "btc.csv.gz", csv_text(make_bars(120)))
    settings = settings_for(tmp_path)

    code = await run_data_import(settings, path, "BTC/USDT", "1m")

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == (
        f"{path}: 120 1m bars for BTC/USDT 2024-03-01 00:00 → 2024-03-01 01:59, "
        "120 new or changed\n"
    )
    store = await open_store(settings.database_url)
    try:
        assert await store.candle_count("BTC/USDT", "1m") == 120
    finally:
        await store.close()


async def test_import_command_bad_file_returns_2_with_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "bad.csv", "a,b\n1,2\n")

    code = await run_data_import(settings_for(tmp_path), path, "BTC/USDT", "1m")

    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {path}: missing column")
    assert err.count("\n") == 1


async def test_import_command_unusable_database_returns_store_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "moonai.db"
    database.write_bytes(b"this is not sqlite" * 100)
    path = write_csv(tmp_path / "ok.csv", csv_text(make_bars(3)))

    code = await run_data_import(
        Settings(database_url=sqlite_url(database)), path, "BTC/USDT", "1m"
    )

    _out, err = capsys.readouterr()
    assert code == 1
    assert err == f"error: {database}: not a database (the file is corrupt or is not SQLite)\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_terminal_redraws_one_line_and_ends_it() -> None:
    stream = _Terminal()
    with _ProgressBar("BTC 1m", stream) as progress:
        for done in (0, 1, 2, 500, 501, 1_000):  # 1, 2 and 501 keep the percentage
            progress.update(done, 1_000)

    text = stream.getvalue()
    assert text.count("\r") == 3
    assert text.endswith("100% 1,000/1,000 bars\n")
    assert text.count("\n") == 1


def test_progress_off_terminal_prints_a_line_per_ten_percent() -> None:
    stream = io.StringIO()
    with _ProgressBar("BTC 1m", stream) as progress:
        for done in range(0, 1_001, 25):
            progress.update(done, 1_000)

    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert len(lines) == 11
    assert lines[0] == "BTC 1m: 0% (0/1,000 bars)"
    assert lines[-1] == "BTC 1m: 100% (1,000/1,000 bars)"


def _report(**changes: int) -> DownloadReport:
    fields = {
        "since_ms": T0,
        "until_ms": T0 + 60 * MINUTE,
        "latest_ms": T0 + 90 * MINUTE,
        "gaps": 2,
        "gaps_filled": 1,
        "gaps_left": 1,
        "requests": 2,
        "fetched": 50,
        "stored": 50,
        "first_ms": T0,
        "last_ms": T0 + 59 * MINUTE,
        **changes,
    }
    return DownloadReport(symbol="BTC/USDT", timeframe="1m", **fields)


def test_describe_download_mentions_gaps_the_exchange_cannot_fill() -> None:
    assert describe_download(_report(), 50) == (
        "BTC/USDT 1m 2024-03-01 00:00 → 2024-03-01 01:00: fetched 50 bars in 2 requests, "
        "stored 50, filled 1 of 2 gaps, 1 without data on the exchange (50 bars stored)"
    )


def test_describe_download_since_after_newest_bar_says_nothing_to_fetch() -> None:
    report = _report(since_ms=T0 + 120 * MINUTE, until_ms=T0 + 120 * MINUTE, gaps=0, fetched=0)
    assert describe_download(report, 0) == (
        "BTC/USDT 1m: nothing to fetch, the exchange's newest bar opened 2024-03-01 01:30, "
        "not after 2024-03-01 02:00"
    )
