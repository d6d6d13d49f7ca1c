"""The approval queue: approve, reject, expire, each exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from moonai_tui.domain import OrderRequest
from moonai_tui.engine.approvals import ApprovalQueue


def request(client_id: str) -> OrderRequest:
    return OrderRequest(
        client_id,
        "BTC/USDT:USDT",
        "buy",
        "market",
        Decimal("0.014"),
        stop_loss=Decimal("70053"),
        take_profit=Decimal("74341"),
    )


def test_approve_and_reject_remove_the_item_once() -> None:
    queue = ApprovalQueue(expire_after_ms=60_000)
    first = queue.add(request("a"), 0.71, "fast>slow, vol ok", now_ms=0)
    second = queue.add(request("b"), 0.64, "breakout", now_ms=10)
    assert [item.id for item in queue.pending()] == [first.id, second.id]
    approved = queue.decide(first.id, True, "tui", now_ms=20)
    assert (approved.decision, approved.actor, approved.item.request.client_order_id) == (
        "approved",
        "tui",
        "a",
    )
    rejected = queue.decide(second.id, False, "ctl", now_ms=30)
    assert rejected.decision == "rejected"
    assert queue.pending() == ()
    with pytest.raises(KeyError, match="no pending approval #1"):
        queue.decide(first.id, True, "tui", now_ms=40)


def test_items_expire_at_their_deadline_and_cannot_be_approved_after() -> None:
    queue = ApprovalQueue(expire_after_ms=42_000)
    item = queue.add(request("a"), 0.7, "", now_ms=1_000)
    assert item.expires_ms == 43_000
    assert queue.expire(now_ms=42_999) == []
    with pytest.raises(KeyError):
        queue.decide(item.id, True, "tui", now_ms=43_000)  # expired at its deadline
    assert queue.pending() == ()


def test_clear_rejects_everything_for_the_kill_switch() -> None:
    queue = ApprovalQueue(expire_after_ms=10)
    for name in "abc":
        queue.add(request(name), 0.6, "", now_ms=0)
    decided = queue.clear("kill-switch", now_ms=5)
    assert [(d.decision, d.actor) for d in decided] == [("rejected", "kill-switch")] * 3
    assert queue.pending() == ()


def entry(
    client_id: str, side: str, strategy: str = "sma", symbol: str = "BTC/USDT:USDT"
) -> OrderRequest:
    return OrderRequest(client_id, symbol, side, "market", Decimal("0.014"), strategy=strategy)  # type: ignore[arg-type]


def test_a_newer_opposite_or_flat_signal_expires_the_stale_entry_only() -> None:
    queue = ApprovalQueue(expire_after_ms=60_000)
    long_entry = queue.add(entry("a", "buy"), 0.7, "", now_ms=0)
    other_strategy = queue.add(entry("b", "buy", strategy="rsi"), 0.7, "", now_ms=0)
    other_symbol = queue.add(entry("c", "buy", symbol="ETH/USDT:USDT"), 0.7, "", now_ms=0)
    assert queue.supersede("sma", "BTC/USDT:USDT", "buy", now_ms=5) == []  # same side waits
    (gone,) = queue.supersede("sma", "BTC/USDT:USDT", "sell", now_ms=10)
    assert (gone.item, gone.decision, gone.actor, gone.at_ms) == (
        long_entry,
        "expired",
        "system",
        10,
    )
    assert gone.reason == "superseded by a newer sell signal"
    assert queue.pending() == (other_strategy, other_symbol)
    (flat,) = queue.supersede("rsi", "BTC/USDT:USDT", None, now_ms=20)
    assert flat.item == other_strategy and flat.reason == "superseded by a newer flat signal"
    with pytest.raises(KeyError):
        queue.decide(long_entry.id, True, "tui", now_ms=30)  # too late to approve the stale one
