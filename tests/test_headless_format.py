"""Headless log lines: each event worth a person's attention becomes one readable line."""

from __future__ import annotations

from datetime import UTC, datetime

from moonai_tui.domain import Bar, BookLevel, OrderBook, Ticker
from moonai_tui.engine.events import (
    CandleUpdated,
    ConnectionChanged,
    NoticeRaised,
    OrderBookUpdated,
    TickerUpdated,
)
from moonai_tui.headless import format_event, format_price

TS = int(datetime(2024, 3, 11, 14, 2, tzinfo=UTC).timestamp() * 1000)


def test_closed_candle_line_has_time_and_ohlcv() -> None:
    bar = Bar(TS, 71000.5, 71500.0, 70900.25, 71482.4, 18.204)
    line = format_event(CandleUpdated("BTC/USDT:USDT", "1m", bar, closed=True))
    assert line == (
        "candle BTC/USDT:USDT 1m 2024-03-11 14:02 O 71,000.50 H 71,500.00 "
        "L 70,900.25 C 71,482.40 V 18.2040"
    )


def test_forming_candle_and_book_are_quiet() -> None:
    bar = Bar(TS, 1, 1, 1, 1, 1)
    assert format_event(CandleUpdated("X/Y", "1m", bar, closed=False)) is None
    book = OrderBook("X/Y", TS, (BookLevel(1, 1),), (BookLevel(2, 1),))
    assert format_event(OrderBookUpdated(book)) is None


def test_connection_and_notice_lines() -> None:
    event = ConnectionChanged("book", "BTC/USDT", "reconnecting", "timeout (retry in 1.0s)", TS)
    assert format_event(event) == "connection book BTC/USDT reconnecting: timeout (retry in 1.0s)"
    assert format_event(NoticeRaised("error", "boom")) == "error: boom"


def test_price_line() -> None:
    ticker = Ticker("BTC/USDT:USDT", TS, 71482.4, 71482.3, 71482.5, 1.82, 72010.0, 69880.5, 18204)
    assert format_price(TickerUpdated(ticker)) == (
        "price BTC/USDT:USDT last 71,482.40 bid 71,482.30 ask 71,482.50 24h +1.82% "
        "(market time 2024-03-11 14:02:00)"
    )
