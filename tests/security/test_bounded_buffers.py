"""What grows per order or per event is bounded: the engine runs for weeks (bench/soak.py)."""

from __future__ import annotations

import gc
from decimal import Decimal as D

import pytest
from textual.widgets._footer import FooterKey
from ui.fakes import T0_MS, FakeEngineClient

from moonai_tui.config import Settings
from moonai_tui.domain import BookLevel, Instrument, OrderBook, OrderRequest
from moonai_tui.engine.clock import FixedClock
from moonai_tui.exchange import paper_broker
from moonai_tui.exchange.execution import DuplicateClientOrderId
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.execution import FillModel
from moonai_tui.ui.app import MoonAIApp

SYMBOL = "BTC/USDT:USDT"
BTC = Instrument(
    SYMBOL, "BTCUSDT", "swap", "BTC", "USDT", "USDT", D("0.1"), D("0.001"), D("0.001"), D("5")
)


def book(ts: int) -> OrderBook:
    return OrderBook(SYMBOL, ts, (BookLevel(99.9, 50.0),), (BookLevel(100.0, 50.0),))


async def test_paper_broker_keeps_a_bounded_record_and_matches_only_open_orders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paper_broker, "MAX_FINISHED_ORDERS", 5)
    paper = PaperBroker(FillModel(), {SYMBOL: BTC}, FixedClock(0).now_ms)
    for i in range(50):
        await paper.submit(OrderRequest(f"m-{i}", SYMBOL, "buy", "market", D("0.001")))
        assert len(paper.on_book(book(i))) == 1  # each fills on the next book
    # 50 filled orders, but only the newest 5 are remembered, and none is matched again.
    assert len(paper._orders) == 0
    assert list(paper._finished) == [f"m-{i}" for i in range(45, 50)]
    assert paper.on_book(book(99)) == []
    recent = await paper.fetch_order("m-49", SYMBOL)
    assert recent is not None and recent.status == "filled"
    assert await paper.fetch_order("m-0", SYMBOL) is None  # forgotten: the journal has it
    with pytest.raises(DuplicateClientOrderId):
        await paper.submit(OrderRequest("m-49", SYMBOL, "buy", "market", D("0.001")))
    assert len(await paper.fills_since(0)) == 50


async def test_paper_broker_fill_record_keeps_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paper_broker, "MAX_RECENT_FILLS", 10)
    paper = PaperBroker(FillModel(), {SYMBOL: BTC}, FixedClock(0).now_ms)
    for i in range(30):
        await paper.submit(OrderRequest(f"m-{i}", SYMBOL, "buy", "market", D("0.001")))
        paper.on_book(book(i))
    assert [f.client_order_id for f in await paper.fills_since(0)] == [
        f"m-{i}" for i in range(20, 30)
    ]


def footer_keys_alive() -> int:
    gc.collect()
    # type(), not isinstance(): gc can hand back dead weak proxies, whose isinstance raises.
    return sum(issubclass(type(o), FooterKey) for o in gc.get_objects())


async def test_opening_and_closing_screens_leaves_no_dead_footer_keys() -> None:
    # Each screen switch rebuilds the footer's keys; Textual kept the old ones alive
    # through data-bind watchers (about 11 widgets per help screen opened).
    app = MoonAIApp(FakeEngineClient(), Settings(), FixedClock(T0_MS))
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(2):
            await pilot.press("question_mark", "escape")
        await pilot.pause()
        settled = footer_keys_alive()
        for _ in range(10):
            await pilot.press("question_mark", "escape")
        await pilot.pause()
        assert footer_keys_alive() <= settled + 2, "footer keys pile up per screen switch"
