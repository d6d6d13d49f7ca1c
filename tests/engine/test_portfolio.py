"""Positions from fills, against PnL worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from moonai_tui.domain import Fill, Side
from moonai_tui.engine.portfolio import apply_fill, flat, rebuild, unrealised_pnl

SYMBOL = "BTC/USDT:USDT"


def fill(side: Side, qty: str, price: str, fee: str = "0", ts: int = 0, tid: str = "t") -> Fill:
    return Fill(tid, None, None, SYMBOL, side, D(qty), D(price), D(fee), "USDT", False, ts)


def test_adding_averages_the_entry() -> None:
    # 0.01 @ 60,000 then 0.03 @ 64,000: (600 + 1,920) / 0.04 = 63,000
    position = apply_fill(flat(SYMBOL), fill("buy", "0.01", "60000", "0.33"))
    position = apply_fill(position, fill("buy", "0.03", "64000", "1.056"))
    assert position.qty == D("0.04")
    assert position.avg_price == D("63000")
    assert position.fees == D("1.386")
    assert position.realised_pnl == 0


def test_reducing_realises_at_the_average_and_keeps_it() -> None:
    # long 0.04 @ 63,000; sell 0.01 @ 65,000 -> +0.01 × 2,000 = +20
    position = rebuild(SYMBOL, [fill("buy", "0.01", "60000"), fill("buy", "0.03", "64000")])
    position = apply_fill(position, fill("sell", "0.01", "65000"))
    assert position.qty == D("0.03") and position.avg_price == D("63000")
    assert position.realised_pnl == D("20")
    # unrealised at 62,000: 0.03 × (62,000 − 63,000) = −30
    assert unrealised_pnl(position, D("62000")) == D("-30")


def test_short_pnl_mirrors() -> None:
    # short 0.5 @ 3,000; buy back 0.5 @ 2,900 -> +0.5 × 100 = +50, flat
    position = rebuild(SYMBOL, [fill("sell", "0.5", "3000"), fill("buy", "0.5", "2900")])
    assert position.qty == 0 and position.avg_price == 0
    assert position.realised_pnl == D("50")


def test_crossing_zero_closes_then_opens_at_the_fill_price() -> None:
    # long 0.02 @ 50,000; sell 0.05 @ 49,000: realise 0.02 × −1,000 = −20, short 0.03 @ 49,000
    position = rebuild(SYMBOL, [fill("buy", "0.02", "50000"), fill("sell", "0.05", "49000")])
    assert position.qty == D("-0.03")
    assert position.avg_price == D("49000")
    assert position.realised_pnl == D("-20")
    # short 0.03 @ 49,000 marked at 48,000: −0.03 × (48,000 − 49,000) = +30
    assert unrealised_pnl(position, D("48000")) == D("30")


def test_wrong_symbol_is_refused() -> None:
    other = Fill("t", None, None, "ETH/USDT:USDT", "buy", D(1), D(1), D(0), "USDT", False, 0)
    with pytest.raises(ValueError, match="ETH/USDT:USDT"):
        apply_fill(flat(SYMBOL), other)
