"""A stop firing while a close is on its way: the paper account ends flat, never flipped."""

from __future__ import annotations

from decimal import Decimal as D

from trader_builders import SYMBOL, book, paper_trader, trade

from moonai_tui.domain import OrderRequest
from moonai_tui.engine.clock import FixedClock
from moonai_tui.store import Store


async def test_a_stop_during_a_pending_close_does_not_flip_the_position(store: Store) -> None:
    trader, _ = paper_trader(store, FixedClock(0))
    await trader.start()
    await trader.on_book(book(100.0))
    await trader.submit(OrderRequest("e-1", SYMBOL, "buy", "market", D("0.1"), stop_loss=D("98")))
    await trader.on_book(book(100.0))  # long 0.1 at 100.1
    assert (await trader.flatten(SYMBOL, "tui")).ok  # waits for the next book
    await trader.on_trades(SYMBOL, trade(97.0, 1))  # the stop fires first
    assert trader.positions() == []
    await trader.on_book(book(100.0))  # the close has nothing left to close
    assert trader.positions() == []
    fills = await store.journal.fills("paper")
    assert [(f.side, f.qty) for f in fills] == [("buy", D("0.1")), ("sell", D("0.1"))]
    (close,) = [o for o in await store.journal.orders("paper") if o.request.reduce_only]
    assert (close.status, close.filled_qty) == ("cancelled", 0)
    assert close.reason == "reduce-only: position already closed"
    # Nothing is left "being closed": a new position could be flattened again.
    assert not (await trader.flatten(SYMBOL, "tui")).ok  # flat, not "already being closed"


async def test_a_kill_while_a_stop_fires_ends_flat(store: Store) -> None:
    trader, _ = paper_trader(store, FixedClock(0))
    await trader.start()
    await trader.on_book(book(100.0))
    await trader.submit(OrderRequest("e-1", SYMBOL, "buy", "market", D("0.2"), stop_loss=D("98")))
    await trader.on_book(book(100.0))
    assert (await trader.kill("ctl", "test")).ok  # close of 0.2 on its way
    await trader.on_trades(SYMBOL, trade(97.0, 1))
    await trader.on_book(book(100.0))
    await trader.on_book(book(100.0))
    assert trader.positions() == []
    closes = [o for o in await store.journal.orders("paper") if o.request.reduce_only]
    assert [(o.status, o.filled_qty) for o in closes] == [("cancelled", 0)]
