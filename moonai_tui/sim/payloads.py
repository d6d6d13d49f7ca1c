"""ByBit v5 JSON shapes for public market data (bybit-v5-subset.md §5 and §6.5).

Numbers are strings, as on ByBit. Two fields are load-bearing for ccxt (§7):
linear tickers carry a non-empty ``openInterestValue`` (the contract marker)
and spot tickers carry ``usdIndexPrice`` (the spot marker on WS deltas).
"""

from __future__ import annotations

from typing import Any

from moonai_tui.sim.feed import TradeBatch
from moonai_tui.sim.instruments import PRICE_DECIMALS
from moonai_tui.sim.klines import KlineRows, Stats24h
from moonai_tui.sim.l2book import Level
from moonai_tui.sim.market import SymbolMarket
from moonai_tui.sim.units import fmt_units

OPEN_INTEREST_SHARE = 0.6
"""Open interest is modelled as this share of the 24h volume (the data has none)."""
FUNDING_INTERVAL_MS = 8 * 3_600_000
FUNDING_RATE = "0.0001"

INTERVAL_IDS: dict[str, int] = {
    "1": 60_000,
    "3": 180_000,
    "5": 300_000,
    "15": 900_000,
    "30": 1_800_000,
    "60": 3_600_000,
    "120": 7_200_000,
    "240": 14_400_000,
    "360": 21_600_000,
    "720": 43_200_000,
    "D": 86_400_000,
}
"""ByBit kline interval ids served, in ms."""


def envelope(
    result: dict[str, Any], now_ms: int, code: int = 0, message: str = "OK"
) -> dict[str, Any]:
    """The REST envelope every answer travels in (§2.1)."""
    return {"retCode": code, "retMsg": message, "result": result, "retExtInfo": {}, "time": now_ms}


def price_str(units: int) -> str:
    """An instrument price (units of 10**-PRICE_DECIMALS)."""
    return fmt_units(units, PRICE_DECIMALS)


def levels(rows: list[Level], size_decimals: int) -> list[list[str]]:
    """Book levels as ByBit's ``[[price, size], ...]``."""
    return [
        [fmt_units(price, PRICE_DECIMALS), fmt_units(size, size_decimals)] for price, size in rows
    ]


def ticker(
    market: SymbolMarket,
    stats: Stats24h,
    best: tuple[tuple[int, int] | None, tuple[int, int] | None],
    now_ms: int,
) -> dict[str, Any]:
    """A ticker item (REST list item and WS ``data``) for ``market``."""
    to_price = market.prices.one
    feed = market.feed
    last = to_price(stats.last)
    prev = to_price(stats.prev_24h)
    bid, ask = best
    size_decimals = market.book.size_decimals
    change = (last - prev) / prev if prev else 0.0
    item: dict[str, Any] = {
        "symbol": market.spec.symbol_id,
        "lastPrice": price_str(last),
        "prevPrice24h": price_str(prev),
        "price24hPcnt": f"{change:.6f}",
        "highPrice24h": price_str(max(to_price(stats.high), last)),
        "lowPrice24h": price_str(min(to_price(stats.low), last)),
        "turnover24h": f"{stats.turnover:.4f}",
        "volume24h": fmt_units(stats.volume, feed.volume_decimals),
        "bid1Price": price_str(bid[0]) if bid else "",
        "bid1Size": fmt_units(bid[1], size_decimals) if bid else "",
        "ask1Price": price_str(ask[0]) if ask else "",
        "ask1Size": fmt_units(ask[1], size_decimals) if ask else "",
    }
    if market.spec.category == "spot":
        item["usdIndexPrice"] = price_str(last)
        return item
    volume = stats.volume / 10.0**feed.volume_decimals
    open_interest = round(volume * OPEN_INTEREST_SHARE, market.spec.qty_decimals)
    next_funding = (now_ms // FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS
    item.update(
        {
            "indexPrice": price_str(last),
            "markPrice": price_str(last),
            "prevPrice1h": price_str(to_price(stats.prev_1h)),
            "openInterest": f"{open_interest:.{market.spec.qty_decimals}f}",
            "openInterestValue": f"{open_interest * last / 10**PRICE_DECIMALS:.2f}",
            "fundingRate": FUNDING_RATE,
            "nextFundingTime": str(next_funding),
            "predictedDeliveryPrice": "",
            "basisRate": "",
            "basis": "",
            "deliveryFeeRate": "",
            "deliveryTime": "0",
        }
    )
    return item


def kline_rows(rows: KlineRows, price_decimals: int, volume_decimals: int) -> list[list[str]]:
    """REST kline rows ``[start, open, high, low, close, volume, turnover]``, newest first."""
    out = [
        [
            str(start),
            fmt_units(o, price_decimals),
            fmt_units(h, price_decimals),
            fmt_units(lo, price_decimals),
            fmt_units(c, price_decimals),
            fmt_units(v, volume_decimals),
            f"{t:.4f}",
        ]
        for start, o, h, lo, c, v, t in zip(
            rows.start.tolist(),
            rows.open.tolist(),
            rows.high.tolist(),
            rows.low.tolist(),
            rows.close.tolist(),
            rows.volume.tolist(),
            rows.turnover.tolist(),
            strict=True,
        )
    ]
    out.reverse()
    return out


def kline_items(
    rows: KlineRows,
    interval_id: str,
    interval_ms: int,
    now_ms: int,
    price_decimals: int,
    volume_decimals: int,
) -> list[dict[str, Any]]:
    """WS kline ``data`` items, oldest first; a bin is confirmed once now is past its end."""
    items = []
    for row in reversed(kline_rows(rows, price_decimals, volume_decimals)):
        start = int(row[0])
        items.append(
            {
                "start": start,
                "end": start + interval_ms - 1,
                "interval": interval_id,
                "open": row[1],
                "close": row[4],
                "high": row[2],
                "low": row[3],
                "volume": row[5],
                "turnover": row[6],
                "confirm": now_ms >= start + interval_ms,
                "timestamp": now_ms,
            }
        )
    return items


def trade_prices(market: SymbolMarket, trades: TradeBatch) -> list[int]:
    """Trade prices in the instrument's units on its tick."""
    return [int(p) for p in market.prices.many(trades.price).tolist()]


def rest_trades(market: SymbolMarket, trades: TradeBatch) -> list[dict[str, Any]]:
    """/v5/market/recent-trade items, newest first."""
    decimals = market.feed.volume_decimals
    items = [
        {
            "execId": str(key),
            "symbol": market.spec.symbol_id,
            "price": price_str(price),
            "size": fmt_units(size, decimals),
            "side": "Buy" if buy else "Sell",
            "time": str(ts),
            "isBlockTrade": False,
        }
        for ts, price, size, buy, key in zip(
            trades.ts.tolist(),
            trade_prices(market, trades),
            trades.size.tolist(),
            trades.buy.tolist(),
            trades.key.tolist(),
            strict=True,
        )
    ]
    items.reverse()
    return items


def ws_trades(
    market: SymbolMarket, trades: TradeBatch, last_price: int | None, last_tick: str
) -> tuple[list[dict[str, Any]], int | None, str]:
    """publicTrade ``data`` items, oldest first, with ByBit's tick direction ``L``.

    Returns:
        (items, price of the last trade, its tick direction) to carry into the next batch.
    """
    decimals = market.feed.volume_decimals
    contract = market.spec.category != "spot"
    items = []
    for ts, price, size, buy, key in zip(
        trades.ts.tolist(), trade_prices(market, trades), trades.size.tolist(),
        trades.buy.tolist(), trades.key.tolist(), strict=True,
    ):  # fmt: skip
        if last_price is None or price == last_price:
            last_tick = (
                "ZeroPlusTick" if last_tick in ("PlusTick", "ZeroPlusTick") else "ZeroMinusTick"
            )
        else:
            last_tick = "PlusTick" if price > last_price else "MinusTick"
        last_price = price
        item: dict[str, Any] = {
            "T": ts,
            "s": market.spec.symbol_id,
            "S": "Buy" if buy else "Sell",
            "v": fmt_units(size, decimals),
            "p": price_str(price),
            "L": last_tick,
            "i": str(key),
        }
        if contract:
            item["BT"] = False
        items.append(item)
    return items, last_price, last_tick
