"""What is already being closed: closes count from before they are sent, shrink with
their fills (which may come back before the submit does) and vanish when dead."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from moonai_tui.domain import Fill, OrderRecord, OrderRequest
from moonai_tui.engine.close_tracker import CloseTracker

SYMBOL = "BTC/USDT:USDT"


def close(client_id: str, qty: str, status: str = "open", reduce_only: bool = True) -> OrderRecord:
    request = OrderRequest(client_id, SYMBOL, "sell", "market", D(qty), reduce_only=reduce_only)
    return OrderRecord(request, "live", status, None, D(0), None, D(0), "", 1, 0, 0)  # type: ignore[arg-type]


def fill(client_id: str, qty: str) -> Fill:
    return Fill(
        f"t-{client_id}-{qty}",
        client_id,
        None,
        SYMBOL,
        "sell",
        D(qty),
        D("100"),
        D(0),
        "USDT",
        False,
        0,
    )


def sent(tracker: CloseTracker, record: OrderRecord) -> None:
    """The order of a submit that got its answer before any fill."""
    tracker.sending(record.request)
    tracker.sent(record)


def test_a_close_counts_until_its_fills_arrive_even_if_reported_filled() -> None:
    tracker = CloseTracker()
    for client_id, qty, status, reduce_only in [
        ("c-1", "0.3", "filled", True),  # the venue says filled; fills lag
        ("c-2", "0.1", "open", True),
        ("entry", "0.5", "filled", False),  # not a close
    ]:
        sent(tracker, close(client_id, qty, status=status, reduce_only=reduce_only))
    assert tracker.closing(SYMBOL) == D("0.4")
    tracker.filled(fill("c-1", "0.2"))
    assert tracker.closing(SYMBOL) == D("0.2")
    tracker.filled(fill("c-1", "0.1"))
    tracker.filled(fill("entry", "0.5"))
    assert tracker.closing(SYMBOL) == D("0.1")
    assert tracker.closing("ETH/USDT:USDT") == D(0)


def test_a_cancelled_or_rejected_close_closes_nothing_more() -> None:
    tracker = CloseTracker()
    sent(tracker, close("c-1", "0.3"))
    sent(tracker, close("c-2", "0.2"))
    sent(tracker, close("c-3", "0.1", status="rejected"))
    assert tracker.closing(SYMBOL) == D("0.5")
    tracker.changed(close("c-1", "0.3", status="cancelled"))
    tracker.changed(close("c-2", "0.2", status="filled"))  # its fills still count down
    assert tracker.closing(SYMBOL) == D("0.2")


def test_a_restored_close_counts_only_what_its_stored_fills_left() -> None:
    tracker = CloseTracker()
    partly = replace(close("c-1", "0.3"), status="partially_filled", filled_qty=D("0.1"))
    tracker.restored(partly)
    tracker.restored(replace(close("c-2", "0.2"), status="filled", filled_qty=D("0.2")))
    tracker.restored(close("entry", "0.5", reduce_only=False))
    assert tracker.closing(SYMBOL) == D("0.2")


def test_a_close_whose_fills_beat_its_timed_out_submit_is_not_left_in_flight() -> None:
    tracker = CloseTracker()
    tracker.sending(close("c-1", "0.3").request)
    assert tracker.closing(SYMBOL) == D("0.3")  # counted while the submit is out
    tracker.filled(fill("c-1", "0.1"))  # the stream is faster than the lost answer
    tracker.filled(fill("c-1", "0.2"))
    tracker.sent(close("c-1", "0.3", status="filled"))  # found by the query after the timeout
    assert tracker.closing(SYMBOL) == D(0)


def test_a_close_the_stream_cancelled_before_its_submit_returned_stays_released() -> None:
    tracker = CloseTracker()
    tracker.sending(close("c-1", "0.3").request)
    tracker.filled(fill("c-1", "0.1"))
    tracker.changed(close("c-1", "0.3", status="cancelled"))  # reduce-only rest cancelled
    tracker.sent(close("c-1", "0.3", status="partially_filled"))  # an older answer
    assert tracker.closing(SYMBOL) == D(0)


def test_a_submit_that_failed_without_an_outcome_releases_its_close() -> None:
    tracker = CloseTracker()
    tracker.sending(close("c-1", "0.3").request)
    tracker.sending(close("c-2", "0.2").request)
    tracker.abandoned("c-1")
    assert tracker.closing(SYMBOL) == D("0.2")
