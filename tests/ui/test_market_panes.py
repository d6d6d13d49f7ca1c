"""Price, order book, trades tape and candles react to engine events."""

from __future__ import annotations

from moonai_tui.domain import Bar
from moonai_tui.engine import events
from moonai_tui.ui.widgets.candle_chart import CandleChart
from moonai_tui.ui.widgets.order_book import OrderBookPane
from moonai_tui.ui.widgets.price_pane import PricePane
from moonai_tui.ui.widgets.trades_tape import TradesTape

from .conftest import AppFactory
from .fakes import SYMBOL, FakeEngineClient, make_bars, make_book, make_ticker, make_trades
from .pilot_tools import redrawn, shown, until

WIDE = (120, 40)


async def test_ticker_update_changes_price_pane(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        price = app.screen.query_one(PricePane)
        assert "71,482.4" not in shown(app, price)

        client.publish(events.TickerUpdated(make_ticker(71_482.4, change_24h_pct=1.82)))
        await until(pilot, lambda: "71,482.4" in shown(app, price), "the first price")
        text = shown(app, price)
        assert "▲ +1.82% 24h" in text
        assert "H 72,010.0" in text and "L 69,880.5" in text and "vol 18,204 BTC" in text

        client.publish(events.TickerUpdated(make_ticker(70_100.5, change_24h_pct=-0.57)))
        await until(pilot, lambda: "70,100.5" in shown(app, price), "the second price")
        assert "▼ -0.57% 24h" in shown(app, price)
        assert "71,482.4" not in shown(app, price)


async def test_order_book_shows_levels_spread_and_imbalance(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    bid_sizes = [1.5, 0.25, 2.0, 0.75, 1.0, 0.5, 3.0, 0.125, 9.0, 9.0]
    ask_sizes = [0.5, 1.25, 0.375, 2.5, 0.625, 1.0, 0.25, 4.0, 9.0, 9.0]
    book = make_book(71_482.4, levels=10, bid_sizes=bid_sizes, ask_sizes=ask_sizes)
    # Expected values from the numbers above, not from the code under test:
    # the imbalance uses the top 8 levels per side (settings.ui.book_levels).
    bid_total, ask_total = sum(bid_sizes[:8]), sum(ask_sizes[:8])
    imbalance = (bid_total - ask_total) / (bid_total + ask_total)
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        pane = app.screen.query_one(OrderBookPane)
        client.publish(events.OrderBookUpdated(book))
        await until(pilot, lambda: "spread" in shown(app, pane), "the ladder")
        text = shown(app, pane)
        lines = text.splitlines()

        assert f"imb {imbalance:+.2f}" in text
        assert "spread 0.1 " in text
        # Best ask 71,482.5 and best bid 71,482.4 sit either side of the spread line.
        spread_row = next(i for i, line in enumerate(lines) if "spread" in line)
        assert "71,482.5" in lines[spread_row - 1] and "0.500" in lines[spread_row - 1]
        assert "71,482.4" in lines[spread_row + 1] and "1.500" in lines[spread_row + 1]
        # Eight levels each side and no more: the ninth (size 9.000) is not shown.
        assert "71,483.2" in text and "71,481.7" in text
        assert "71,483.3" not in text and "71,481.6" not in text
        assert "9.000" not in text


async def test_trades_add_rows_newest_first_and_tape_stays_bounded(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()  # settings.ui.trades_tape == 12
    async with app.run_test(size=WIDE) as pilot:
        tape = app.screen.query_one(TradesTape)
        first = make_trades(3)
        client.publish(events.TradesReceived(SYMBOL, first))
        await until(pilot, lambda: len(tape.rows) == 3, "three trades")
        assert [trade.id for trade in tape.rows] == ["t2", "t1", "t0"]
        top = shown(app, tape).splitlines()[1]
        assert "14:02:33" in top and "0.003" in top

        client.publish(events.TradesReceived(SYMBOL, make_trades(20, start=3)))
        await until(pilot, lambda: tape.rows[0].id == "t22", "the newest trade on top")
        assert len(tape.rows) == 12
        assert tape.rows[-1].id == "t11"
        # Redraws are throttled: the newest trade is drawn within one interval.
        await until(
            pilot, lambda: "14:02:53" in shown(app, tape).splitlines()[1], "the newest trade drawn"
        )


async def test_trade_sides_are_coloured_buy_green_sell_red(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        tape = app.screen.query_one(TradesTape)
        client.publish(events.TradesReceived(SYMBOL, make_trades(2)))  # t0 buy, t1 sell
        await until(pilot, lambda: len(tape.rows) == 2, "two trades")
        region = tape.content_region
        sell_colour = app.screen.get_style_at(region.x + 12, region.y).color
        buy_colour = app.screen.get_style_at(region.x + 12, region.y + 1).color
        assert sell_colour is not None and buy_colour is not None
        sell_rgb, buy_rgb = sell_colour.get_truecolor(), buy_colour.get_truecolor()
        assert sell_rgb.red > sell_rgb.green
        assert buy_rgb.green > buy_rgb.red


async def test_events_for_another_symbol_are_ignored(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        price = app.screen.query_one(PricePane)
        book = app.screen.query_one(OrderBookPane)
        tape = app.screen.query_one(TradesTape)
        client.publish(events.TickerUpdated(make_ticker(71_000.1)))
        await until(pilot, lambda: "71,000.1" in shown(app, price), "the shown symbol's price")

        other = "ETH/USDT:USDT"
        client.publish(
            events.TickerUpdated(make_ticker(3_512.34, symbol=other)),
            events.OrderBookUpdated(make_book(3_512.3, symbol=other)),
            events.TradesReceived(other, make_trades(2)),
            events.TradesReceived(SYMBOL, make_trades(1, start=7)),  # delivered after the rest
        )
        await until(pilot, lambda: len(tape.rows) == 1, "the shown symbol's trade")
        assert "71,000.1" in shown(app, price) and "3,512.34" not in shown(app, price)
        assert book.book is None
        assert [trade.id for trade in tape.rows] == ["t7"]


async def test_candles_fill_the_chart_and_forming_bar_updates_in_place(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    history = make_bars(80)
    app = make_app()  # settings.ui.chart_bars == 60
    async with app.run_test(size=WIDE) as pilot:
        price = app.screen.query_one(PricePane)
        chart = app.screen.query_one(CandleChart)
        client.publish(events.CandleHistoryLoaded(SYMBOL, "1m", history))
        await until(pilot, lambda: len(price.bars) == 60, "60 bars of history")
        assert price.bars[-1] == history[-1]
        await redrawn(pilot)
        assert "waiting for candles" not in shown(app, chart)
        assert "┤" in shown(app, chart)  # plotext's price axis: a real chart, not a fallback

        last = history[-1]
        forming = Bar(
            last.ts + 60_000, last.close, last.close + 9, last.close - 1, last.close + 5, 3
        )
        client.publish(events.CandleUpdated(SYMBOL, "1m", forming, closed=False))
        await until(pilot, lambda: price.bars[-1] == forming, "the forming bar")
        grown = Bar(forming.ts, forming.open, forming.high + 4, forming.low, forming.close + 4, 7)
        client.publish(events.CandleUpdated(SYMBOL, "1m", grown, closed=True))
        await until(pilot, lambda: price.bars[-1] == grown, "the closed bar")
        assert len(price.bars) == 60
        assert price.bars[-2] == last

        client.publish(events.CandleUpdated(SYMBOL, "5m", history[0], closed=True))
        client.publish(events.TickerUpdated(make_ticker()))
        await until(pilot, lambda: price.ticker is not None, "a later event")
        assert price.bars[-1] == grown  # another timeframe is not this chart's


async def test_tiny_chart_falls_back_to_a_sparkline(
    make_app: AppFactory, client: FakeEngineClient
) -> None:
    app = make_app()
    async with app.run_test(size=(60, 16)) as pilot:
        chart = app.screen.query_one(CandleChart)
        client.publish(events.CandleHistoryLoaded(SYMBOL, "1m", make_bars(40)))
        await until(pilot, lambda: len(chart.bars) == 40, "the bars")
        await redrawn(pilot)
        text = shown(app, chart)
        assert chart.size.height < 6 or chart.size.width < 30
        assert "┤" not in text
        assert any(mark in text for mark in "▁▂▃▄▅▆▇█")
