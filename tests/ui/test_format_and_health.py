"""Pure helpers: number and time formatting, stream health, bar merging, sparkline."""

from __future__ import annotations

import pytest

from moonai_tui.domain import Bar
from moonai_tui.ui.format import (
    fmt_age,
    fmt_clock,
    fmt_pct,
    fmt_price,
    fmt_size,
    price_decimals,
)
from moonai_tui.ui.health import StreamHealth, assess
from moonai_tui.ui.screens.main import merge_bar
from moonai_tui.ui.widgets.candle_chart import sparkline

from .fakes import T0_MS


@pytest.mark.parametrize(
    ("price", "decimals", "shown"),
    [
        (71_482.4, 1, "71,482.4"),
        (3_512.346, 2, "3,512.35"),
        (0.51234, 5, "0.51234"),
        (None, 2, "—"),
    ],
)
def test_prices_keep_about_six_significant_digits(
    price: float | None, decimals: int, shown: str
) -> None:
    assert price_decimals(price) == decimals
    assert fmt_price(price, decimals) == shown


@pytest.mark.parametrize(
    ("size", "shown"), [(18_204.2, "18,204"), (412.34, "412.3"), (0.0123, "0.012"), (0.0, "0.000")]
)
def test_sizes_lose_decimals_as_they_grow(size: float, shown: str) -> None:
    assert fmt_size(size) == shown


@pytest.mark.parametrize(
    ("age_ms", "shown"),
    [(200, "0.2s"), (9_949, "9.9s"), (12_000, "12s"), (185_000, "3m05s"), (7_800_000, "2h10m")],
)
def test_ages_read_naturally(age_ms: int, shown: str) -> None:
    assert fmt_age(age_ms) == shown


def test_clock_and_percent() -> None:
    assert fmt_clock(T0_MS) == "2024-03-11 14:02:31Z"
    assert fmt_clock(T0_MS, with_date=False) == "14:02:31Z"
    assert fmt_pct(1.8249) == "+1.82%" and fmt_pct(-0.5) == "-0.50%"


STALE_MS = 10_000


def test_stream_never_heard_is_waiting() -> None:
    assert assess(StreamHealth(), T0_MS, STALE_MS).verdict == "waiting"


def test_stream_with_data_is_fresh_until_the_threshold_then_stale() -> None:
    health = StreamHealth().with_state("connected", "", T0_MS).with_data(T0_MS + 1_000)
    assert assess(health, T0_MS + 11_000, STALE_MS).verdict == "fresh"
    late = assess(health, T0_MS + 11_001, STALE_MS)
    assert late.verdict == "stale" and late.age_ms == 10_001


def test_data_without_a_state_report_counts_as_live() -> None:
    health = StreamHealth().with_data(T0_MS)
    assert assess(health, T0_MS + 500, STALE_MS).verdict == "fresh"


def test_disconnect_and_reconnect_override_fresh_data() -> None:
    health = StreamHealth().with_data(T0_MS)
    down = health.with_state("disconnected", "eof", T0_MS)
    assert assess(down, T0_MS, STALE_MS).verdict == "down"
    assert assess(down.with_state("reconnecting", "", T0_MS), T0_MS, STALE_MS).verdict == (
        "pending"
    )


def bar(ts: int, close: float) -> Bar:
    return Bar(ts, close, close, close, close, 1.0)


def test_merge_bar_replaces_the_forming_bar_appends_new_and_ignores_old() -> None:
    bars = (bar(0, 1.0), bar(60, 2.0))
    assert merge_bar(bars, bar(60, 2.5)) == (bar(0, 1.0), bar(60, 2.5))
    assert merge_bar(bars, bar(120, 3.0)) == (*bars, bar(120, 3.0))
    assert merge_bar(bars, bar(0, 9.0)) == bars
    assert merge_bar((), bar(0, 1.0)) == (bar(0, 1.0),)


def test_sparkline_spans_lowest_to_highest() -> None:
    assert sparkline([1.0, 2.0, 3.0], 10).plain == "▁▅█"
    assert sparkline([5.0, 5.0], 10).plain == "▁▁"
    assert len(sparkline([float(n) for n in range(50)], 8).plain) == 8
