"""The stored equity curve: peak ever, the sample that opened a day, the newest points."""

from __future__ import annotations

from decimal import Decimal as D

from moonai_tui.store import Store
from moonai_tui.store.equity import EquitySample

DAY = 86_400_000


async def test_history_finds_the_peak_the_day_open_and_the_newest(store: Store) -> None:
    journal = store.journal
    samples = [
        EquitySample(DAY - 120_000, D("10200.5"), D("10300.25")),
        EquitySample(DAY - 60_000, D("10100"), D("10300.25")),  # the last one before day 2
        EquitySample(DAY + 60_000, D("10150"), D("10300.25")),
        EquitySample(DAY + 120_000, D("10080.125"), D("10300.25")),
    ]
    for sample in samples:
        await journal.record_equity("paper", sample)
    await journal.record_equity("live", EquitySample(DAY, D("999999"), D("999999")))

    history = await journal.equity_history("paper", DAY, recent=3)
    assert history.peak == D("10300.25")
    assert history.day_open == samples[1]
    assert history.recent == tuple(samples[1:])  # oldest first, the 3 newest

    # Nothing before the day: the day's own first sample opens it.
    later = await journal.equity_history("paper", DAY - 120_000, recent=1)
    assert later.day_open == samples[0] and later.recent == (samples[3],)
    assert (await journal.equity_history("live", 0, recent=5)).day_open == EquitySample(
        DAY, D("999999"), D("999999")
    )


async def test_an_empty_curve_has_no_peak_and_a_same_millisecond_sample_replaces(
    store: Store,
) -> None:
    empty = await store.journal.equity_history("paper", 0, recent=10)
    assert (empty.peak, empty.day_open, empty.recent) == (None, None, ())
    await store.journal.record_equity("paper", EquitySample(5, D("1"), D("1")))
    await store.journal.record_equity("paper", EquitySample(5, D("2"), D("2")))
    assert (await store.journal.equity_history("paper", 0, recent=10)).recent == (
        EquitySample(5, D("2"), D("2")),
    )
