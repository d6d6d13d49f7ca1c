"""The simulated market: clock, per-symbol feeds and per-(category, symbol) books.

Spot and linear serve the same symbols from the same feed (one price history
per coin); each category has its own book on its own tick. Loading is
blocking file I/O and calibration (~0.5 s), so callers run ``build_market`` in
a thread. Parsed files and calibrations are cached per process, keyed by path
and modification time, because tests start many simulators.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from moonai_tui.config import SimSettings
from moonai_tui.errors import ConfigError
from moonai_tui.sim.book_model import SyntheticBook
from moonai_tui.sim.calibration import BookProfile, calibrate
from moonai_tui.sim.candles import DAY_MS, CandleSeries
from moonai_tui.sim.capture_data import (
    DepthCapture,
    TradesCapture,
    read_depth_capture,
    read_trades_capture,
)
from moonai_tui.sim.capture_feed import CaptureBook, CaptureFeed, capture_window
from moonai_tui.sim.clock import SimClock, WallClock
from moonai_tui.sim.feed import Feed
from moonai_tui.sim.instruments import (
    CATEGORIES,
    PRICE_DECIMALS,
    SPECS,
    SYMBOL_IDS,
    Category,
    InstrumentSpec,
)
from moonai_tui.sim.l2book import DepthDelta, L2Book
from moonai_tui.sim.model_feed import ModelFeed
from moonai_tui.sim.units import rescale
from moonai_tui.timeutil import parse_iso_utc_ms

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_CANDLES = {
    "BTCUSDT": DEMO_DIR / "binance_spot_BTCUSDT_1m_2024-03-01_2024-03-28.csv.gz",
    "ETHUSDT": DEMO_DIR / "binance_spot_ETHUSDT_1h_2024-03-01_2024-03-28.csv.gz",
}
DEMO_DEPTH = {
    s: DEMO_DIR / f"binance_spot_{s}_2024-08-08T2354_120s_depth.csv.gz" for s in SYMBOL_IDS
}
DEMO_TRADES = {
    s: DEMO_DIR / f"binance_spot_{s}_2024-08-08T2354_120s_trades.csv.gz" for s in SYMBOL_IDS
}


class BookSource(Protocol):
    """Something that keeps an ``L2Book`` current with the market clock."""

    @property
    def book(self) -> L2Book:
        """The current book."""
        ...

    @property
    def seq(self) -> int:
        """Updates applied so far (ByBit's ``seq``)."""
        ...

    @property
    def size_decimals(self) -> int:
        """Decimals of the book's size units."""
        ...

    def advance(self, now_ms: int, depths: tuple[int, ...]) -> tuple[dict[int, DepthDelta], bool]:
        """Bring the book to ``now_ms``: (delta per streamed depth, whether it was reset)."""
        ...


@dataclass(frozen=True, slots=True)
class PriceMap:
    """Feed price units → the instrument's price units, rounded to its tick."""

    from_decimals: int
    tick: int

    def one(self, value: int) -> int:
        """Map one price."""
        units = rescale(value, self.from_decimals, PRICE_DECIMALS)
        return (units + self.tick // 2) // self.tick * self.tick

    def many(self, values: NDArray[np.int64]) -> NDArray[np.int64]:
        """Map an array of prices."""
        shift = PRICE_DECIMALS - self.from_decimals
        units = (
            values * 10**shift if shift >= 0 else np.rint(values / 10.0**-shift).astype(np.int64)
        )
        return (units + self.tick // 2) // self.tick * self.tick


class ModelBook:
    """Adapter: the synthetic book driven by the model feed's price."""

    def __init__(
        self, feed: Feed, synthetic: SyntheticBook, prices: PriceMap, size_decimals: int
    ) -> None:
        self.book = synthetic.book
        self.size_decimals = size_decimals
        self._feed, self._synthetic, self._prices = feed, synthetic, prices

    @property
    def seq(self) -> int:
        """Updates applied so far."""
        return self._synthetic.seq

    def advance(self, now_ms: int, depths: tuple[int, ...]) -> tuple[dict[int, DepthDelta], bool]:
        """Re-centre and perturb the book at the feed's price at ``now_ms``."""
        price, was_buy = self._feed.price_at(now_ms)
        return self._synthetic.advance(self._prices.one(price), was_buy, now_ms, depths), False


@dataclass(frozen=True, slots=True)
class SymbolMarket:
    """One market: its spec, the shared feed, its own book and price mapping."""

    spec: InstrumentSpec
    feed: Feed
    book: BookSource
    prices: PriceMap


class SimMarket:
    """Everything the server needs to answer public requests."""

    def __init__(
        self, clock: SimClock, mode: str, markets: dict[tuple[Category, str], SymbolMarket]
    ) -> None:
        self.clock = clock
        self.mode = mode
        self.markets = markets

    def get(self, category: str, symbol: str) -> SymbolMarket | None:
        """The market, or None if the simulator does not serve it."""
        if category not in CATEGORIES:
            return None
        return self.markets.get((category, symbol))

    def symbols(self, category: str) -> list[str]:
        """ByBit ids served in ``category`` (empty for inverse/option)."""
        return [sym for (cat, sym) in self.markets if cat == category]


def _key(path: Path) -> tuple[str, int, int]:
    stat = path.stat() if path.is_file() else None
    return (str(path.resolve()), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)


@lru_cache(maxsize=8)
def _series(symbol: str, key: tuple[str, int, int]) -> CandleSeries:
    return CandleSeries.from_csv(symbol, Path(key[0]))


@lru_cache(maxsize=8)
def _depth(key: tuple[str, int, int]) -> DepthCapture:
    return read_depth_capture(Path(key[0]))


@lru_cache(maxsize=8)
def _trades(key: tuple[str, int, int]) -> TradesCapture:
    return read_trades_capture(Path(key[0]))


@lru_cache(maxsize=8)
def _profile(depth_key: tuple[str, int, int], trades_key: tuple[str, int, int]) -> BookProfile:
    return calibrate(_depth(depth_key), _trades(trades_key), depth_key[0])


def parse_start(text: str) -> int:
    """``sim.start`` (ISO date or date-time, UTC if no zone) as Unix ms.

    Raises:
        ConfigError: if the text is not ISO 8601.
    """
    try:
        return parse_iso_utc_ms(text)
    except ValueError:
        raise ConfigError(
            f"sim.start: {text!r} is not an ISO date/time (e.g. 2024-03-10T12:00)"
        ) from None


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def _rng(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(name.encode()) for name in names)])


def _median_volume_per_minute(series: CandleSeries) -> float:
    per_bar = float(np.median(series.volume)) / 10.0**series.volume_decimals
    return max(per_bar / (series.interval_ms / 60_000), 1e-9)


def build_market(settings: SimSettings, wall_clock: WallClock | None = None) -> SimMarket:
    """Load data, calibrate books and start the clock (blocking).

    Raises:
        DataError: a data or capture file is missing or invalid.
        ConfigError: ``sim.start`` is unparsable or outside the data.
    """
    depth_keys = {s: _key(DEMO_DEPTH[s]) for s in SYMBOL_IDS}
    trade_keys = {s: _key(DEMO_TRADES[s]) for s in SYMBOL_IDS}
    if settings.mode == "capture":
        if settings.capture_depth is not None:
            depth_keys["BTCUSDT"] = _key(settings.capture_depth)
        if settings.capture_trades is not None:
            trade_keys["BTCUSDT"] = _key(settings.capture_trades)
        return _build_capture(settings, depth_keys, trade_keys, wall_clock)

    # The shipped slice calibrates the model books whatever candles are replayed.
    profiles = {s: _profile(depth_keys[s], trade_keys[s]) for s in SYMBOL_IDS}
    btc_path = settings.data or DEMO_CANDLES["BTCUSDT"]
    series = {
        "BTCUSDT": _series("BTCUSDT", _key(btc_path)),
        "ETHUSDT": _series("ETHUSDT", _key(DEMO_CANDLES["ETHUSDT"])),
    }
    btc = series["BTCUSDT"]
    if settings.start is None:
        # One day in: the first day is history, so charts and 24h statistics have data
        # at once (nothing exists before the data starts).
        lead = min(DAY_MS, (btc.data_end_ms - btc.first_ms) // 2)
        start = btc.first_ms + lead // btc.interval_ms * btc.interval_ms
    else:
        start = parse_start(settings.start)
    if not btc.first_ms <= start < btc.data_end_ms:
        raise ConfigError(
            f"sim.start {settings.start} is outside the BTCUSDT data "
            f"({_iso(btc.first_ms)} → {_iso(btc.data_end_ms)} UTC)"
        )
    clock = SimClock(start, settings.speed, wall_clock)
    # Nothing exists before the data starts: no invented history before the first candle.
    floor = btc.first_ms
    markets: dict[tuple[Category, str], SymbolMarket] = {}
    for symbol in SYMBOL_IDS:
        feed = ModelFeed(symbol, series[symbol], settings.seed, floor)
        for category in CATEGORIES:
            spec = SPECS[(category, symbol)]
            prices = PriceMap(feed.price_decimals, spec.tick_units)
            synthetic = SyntheticBook(
                profiles[symbol],
                _median_volume_per_minute(series[symbol]),
                spec.tick_units,
                spec.qty_decimals,
                _rng(settings.seed, category, symbol, "book"),
            )
            book = ModelBook(feed, synthetic, prices, spec.qty_decimals)
            markets[(category, symbol)] = SymbolMarket(spec, feed, book, prices)
    return SimMarket(clock, "model", markets)


def _build_capture(
    settings: SimSettings,
    depth_keys: dict[str, tuple[str, int, int]],
    trade_keys: dict[str, tuple[str, int, int]],
    wall_clock: WallClock | None,
) -> SimMarket:
    depths = {s: _depth(depth_keys[s]) for s in SYMBOL_IDS}
    btc = depths["BTCUSDT"]
    start = btc.start_ms
    if settings.start is not None:
        start = parse_start(settings.start)
        if not btc.start_ms <= start <= btc.end_ms:
            raise ConfigError(
                f"sim.start {settings.start} is outside the BTCUSDT capture "
                f"({_iso(btc.start_ms)} → {_iso(btc.end_ms)} UTC)"
            )
    clock = SimClock(start, settings.speed, wall_clock)
    floor = capture_window(btc)[0]
    markets: dict[tuple[Category, str], SymbolMarket] = {}
    for symbol in SYMBOL_IDS:
        trades = _trades(trade_keys[symbol])
        feed = CaptureFeed(symbol, depths[symbol], trades, floor)
        for category in CATEGORIES:
            spec = SPECS[(category, symbol)]
            book = CaptureBook(depths[symbol], spec.tick_units, PRICE_DECIMALS)
            markets[(category, symbol)] = SymbolMarket(
                spec, feed, book, PriceMap(feed.price_decimals, spec.tick_units)
            )
    return SimMarket(clock, "capture", markets)
