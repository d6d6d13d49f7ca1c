"""The engine: owns the exchange connection, the feeds and the store; implements EngineClient."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import TYPE_CHECKING

from moonai_tui.config import Settings
from moonai_tui.domain import Bar, Instrument
from moonai_tui.engine.bus import EventBus, Subscription
from moonai_tui.engine.client import CommandResult, EngineStatus
from moonai_tui.engine.clock import Clock, SystemClock
from moonai_tui.engine.events import (
    ConnectionChanged,
    EngineStarted,
    EngineStopped,
    NoticeRaised,
    SymbolChanged,
)
from moonai_tui.engine.feeds import Backoff, SymbolFeeds
from moonai_tui.engine.staleness import Freshness
from moonai_tui.errors import ConfigError, MoonAIError, SafetyError, TemporaryError
from moonai_tui.exchange.market_data import MarketDataClient

if TYPE_CHECKING:
    from moonai_tui.engine.trading_runtime import TradingRuntime
    from moonai_tui.ml.retrain import RetrainSchedule
    from moonai_tui.sim import RunningSimulator
    from moonai_tui.store import Store

log = logging.getLogger(__name__)

_DESCRIPTIONS = {
    "sim": "SIM replay of real Binance data",
    "bybit": "ByBit live public data",
    "bybit-testnet": "ByBit testnet",
}


class Engine:
    """The background trading engine. Start it, subscribe to its events, stop it.

    Startup order: simulator (market ``sim``), store (migrations), exchange
    markets, then feeds. A failure to reach the exchange is retried in the
    background with backoff and shown as a connection state, never a crash.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        sim_http_base: str | None = None,
        live_confirmed: bool = False,
    ) -> None:
        """Build an engine; nothing starts until ``start``.

        Args:
            settings: validated settings.
            clock: time source (tests inject one).
            sim_http_base: URL of an already running simulator (another process or a test's)
                to use for market ``sim`` instead of starting one in this process.
            live_confirmed: the operator confirmed ``trading: live`` (``--yes-live``).
        """
        self._settings = settings
        self._clock = clock or SystemClock()
        self._bus = EventBus()
        self._symbol = settings.symbol
        self._external_sim_http_base = sim_http_base
        self._sim_http_base: str | None = None
        self._live_confirmed = live_confirmed
        self._sim: RunningSimulator | None = None
        self._store: Store | None = None
        self._market: MarketDataClient | None = None
        self._feeds: SymbolFeeds | None = None
        self._known_symbols: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._switch_lock = asyncio.Lock()
        self._rng = random.Random()
        stale_after_ms = round(settings.feeds.stale_after_seconds * 1000)
        self._freshness = Freshness(self._clock, stale_after_ms, self._bus)
        self._trading: TradingRuntime | None = None
        self._recorder: Subscription | None = None
        self._recorder_task: asyncio.Task[None] | None = None
        self._retrain: RetrainSchedule | None = None
        self.ready = asyncio.Event()
        """Set once markets are loaded and feeds run."""

    # EngineClient -----------------------------------------------------------------

    def subscribe(self) -> Subscription:
        return self._bus.subscribe()

    def status(self) -> EngineStatus:
        settings = self._settings
        symbols = list(settings.symbols)
        if self._symbol not in symbols:
            symbols.insert(0, self._symbol)
        return EngineStatus(
            market=settings.market,
            trading=settings.trading,
            approval=settings.approval,
            symbol=self._symbol,
            timeframe=settings.timeframe,
            symbols=tuple(symbols),
            description=_DESCRIPTIONS[settings.market],
        )

    async def switch_symbol(self, symbol: str) -> None:
        async with self._switch_lock:
            if self._known_symbols and symbol not in self._known_symbols:
                self._bus.publish(
                    NoticeRaised("error", f"unknown symbol {symbol} on {self._settings.market}")
                )
                return
            if symbol == self._symbol and self._feeds is not None:
                return
            old = self._feeds
            self._feeds = None
            if old is not None:
                await old.stop()
                if self._market is not None:
                    await self._market.unwatch_symbol(
                        old.symbol, old.timeframe, self._settings.feeds.order_book_depth
                    )
            self._symbol = symbol
            self._bus.publish(SymbolChanged(symbol))
            if self.ready.is_set():
                self._start_feeds()

    # Lifecycle --------------------------------------------------------------------

    @property
    def bus(self) -> EventBus:
        return self._bus

    @property
    def store(self) -> Store | None:
        return self._store

    def confirm_live(self) -> None:
        """The operator confirmed ``trading: live`` in the console (as ``--yes-live`` does)."""
        self._live_confirmed = True

    async def start(self) -> None:
        """Start the simulator and open the store; connecting to markets goes on in the background.

        Raises:
            MoonAIError: when the store or the simulator cannot start (nothing to retry).
        """
        settings = self._settings
        sim_http_base = self._external_sim_http_base or settings.sim.url
        if settings.market == "sim" and sim_http_base is None:
            from moonai_tui.sim import start_simulator

            self._sim = await start_simulator(settings.sim)
            sim_http_base = self._sim.http_base
        from moonai_tui.store import open_store

        self._store = await open_store(settings.database_url)
        await self._refuse_live_when_latched()
        self._start_ml()
        self._sim_http_base = sim_http_base
        self._market = MarketDataClient.connect(settings.market, self._clock.now_ms, sim_http_base)
        self._recorder = self._bus.subscribe()
        self._recorder_task = asyncio.create_task(
            self._record_connection_events(self._recorder), name="recorder"
        )
        self._tasks.append(asyncio.create_task(self._connect(), name="connect"))

    def _start_ml(self) -> None:
        """Point ml strategies at this database and threshold; start scheduled retraining."""
        from moonai_tui.config import interval_seconds
        from moonai_tui.ml import context

        context.configure(self._settings.database_url, self._settings.ml.min_confidence)
        if interval_seconds(self._settings.ml.retrain_interval) is None:
            return  # off: the ML stack stays unloaded
        from moonai_tui.ml.retrain import RetrainSchedule

        self._retrain = RetrainSchedule(
            self._settings, lambda level, text: self._bus.publish(NoticeRaised(level, text))
        )
        self._retrain.start()

    async def _refuse_live_when_latched(self) -> None:
        """Real orders never start while the kill switch is latched: someone pulled it for a reason.

        Raises:
            SafetyError: live trading on ByBit (or its testnet) with the latch set.
        """
        settings = self._settings
        if settings.trading != "live" or settings.market == "sim":
            return
        assert self._store is not None
        latch = await self._store.journal.kill_switch()
        if not latch.latched:
            return
        await self.stop("kill switch latched")
        by = f" by {latch.changed_by}" if latch.changed_by else ""
        raise SafetyError(
            f"kill switch is latched{by} ({latch.reason or 'no reason given'}): refusing to start "
            f"live trading on {settings.market}; review it, then release it from a paper session "
            "(MOONAI_TRADING=paper, then `moonai-tui ctl reset-kill`)"
        )

    async def _connect(self) -> None:
        assert self._market is not None and self._store is not None
        feeds = self._settings.feeds
        backoff = Backoff(feeds.reconnect_initial_seconds, feeds.reconnect_max_seconds)
        attempt = 0
        while True:
            self._bus.publish(
                ConnectionChanged("rest", "*", "connecting", "load_markets", self._clock.now_ms())
            )
            try:
                instruments = await self._market.load_instruments()
                break
            except TemporaryError as exc:
                attempt += 1
                delay = backoff.delay(attempt, self._rng)
                self._bus.publish(
                    ConnectionChanged(
                        "rest",
                        "*",
                        "reconnecting",
                        f"{exc} (retry in {delay:.1f}s)",
                        self._clock.now_ms(),
                    )
                )
                await asyncio.sleep(delay)
            except MoonAIError as exc:
                self._bus.publish(
                    ConnectionChanged("rest", "*", "disconnected", str(exc), self._clock.now_ms())
                )
                self._bus.publish(NoticeRaised("error", f"cannot load markets: {exc}"))
                return
        self._bus.publish(ConnectionChanged("rest", "*", "connected", "", self._clock.now_ms()))
        await self._store.upsert_instruments(instruments)
        self._known_symbols = {instrument.symbol for instrument in instruments}
        if self._symbol not in self._known_symbols:
            message = ConfigError(f"symbol {self._symbol} is not listed on {self._settings.market}")
            self._bus.publish(NoticeRaised("error", str(message)))
            return
        await self._start_trading({i.symbol: i for i in instruments})
        status = self.status()
        self._bus.publish(
            EngineStarted(
                status.market, status.trading, status.symbol, status.timeframe, status.description
            )
        )
        self.ready.set()
        async with self._switch_lock:
            if self._feeds is None:
                self._start_feeds()

    async def _start_trading(self, instruments: dict[str, Instrument]) -> None:
        assert self._store is not None
        from moonai_tui.engine.trading_runtime import TradingRuntime

        live_exchange = None
        if self._settings.trading == "live":
            credentials = self._live_credentials()
            if credentials is None:
                return
            from moonai_tui.exchange.ccxt_factory import create_pro_exchange

            live_exchange = create_pro_exchange(
                self._settings.market,
                self._sim_http_base,
                credentials,
                timeout_ms=round(self._settings.trade.request_timeout_seconds * 1000),
            )
        self._trading = TradingRuntime(
            settings=self._settings,
            bus=self._bus,
            clock=self._clock,
            journal=self._store.journal,
            instruments=instruments,
            live_exchange=live_exchange,
        )
        self._trading.trader.entry_gate = self._freshness.block_reason
        await self._trading.start()

    def _live_credentials(self) -> tuple[str, str] | None:
        """API key and secret for live trading, or None (with a notice) when not allowed."""
        settings = self._settings
        if not self._live_confirmed:
            self._bus.publish(
                NoticeRaised(
                    "error",
                    "trading: live sends real orders and was not confirmed (the console's "
                    "dialog, or --yes-live headless): no orders",
                )
            )
            return None
        if settings.market == "sim":
            return settings.sim.api_key, settings.sim.api_secret.get_secret_value()
        key, secret = settings.bybit.api_key, settings.bybit.api_secret
        if key is None or secret is None:
            self._bus.publish(
                NoticeRaised(
                    "error",
                    "trading: live on ByBit needs MOONAI_BYBIT__API_KEY and "
                    f"MOONAI_BYBIT__API_SECRET in the environment or {settings.bybit.key_file}",
                )
            )
            return None
        return key.get_secret_value(), secret.get_secret_value()

    # Trading commands (EngineClient) ---------------------------------------------

    def _no_trading(self) -> CommandResult:
        return CommandResult(False, "trading is not running (engine starting, or trading: live)")

    async def approve(self, item_id: int, actor: str) -> CommandResult:
        if self._trading is None:
            return self._no_trading()
        return await self._trading.trader.decide(item_id, True, actor)

    async def reject(self, item_id: int, actor: str) -> CommandResult:
        if self._trading is None:
            return self._no_trading()
        return await self._trading.trader.decide(item_id, False, actor)

    async def kill(self, actor: str, reason: str) -> CommandResult:
        if self._trading is None:
            return self._no_trading()
        return await self._trading.trader.kill(actor, reason)

    async def reset_kill(self, actor: str) -> CommandResult:
        if self._trading is None:
            return self._no_trading()
        return await self._trading.trader.reset_kill(actor)

    async def cancel_order(self, client_order_id: str, actor: str) -> CommandResult:
        if self._trading is None:
            return self._no_trading()
        return await self._trading.trader.cancel_order(client_order_id, actor)

    async def flatten(self, symbol: str, actor: str) -> CommandResult:
        if self._trading is None:
            return self._no_trading()
        return await self._trading.trader.flatten(symbol, actor)

    async def start_strategy(self, name: str, actor: str) -> CommandResult:
        if self._trading is None:
            return self._no_trading()
        return await self._trading.start_strategy(name, actor)

    async def stop_strategy(self, name: str, actor: str) -> CommandResult:
        if self._trading is None:
            return self._no_trading()
        return await self._trading.stop_strategy(name, actor)

    def trading_summary(self) -> str:
        if self._trading is None:
            return f"trading {self._settings.trading}: not running"
        return self._trading.summary()

    def _start_feeds(self) -> None:
        assert self._market is not None
        settings = self._settings.feeds
        self._feeds = SymbolFeeds(
            market=self._market,
            bus=self._bus,
            clock=self._clock,
            symbol=self._symbol,
            timeframe=self._settings.timeframe,
            depth=settings.order_book_depth,
            history_bars=settings.history_bars,
            backoff=Backoff(settings.reconnect_initial_seconds, settings.reconnect_max_seconds),
            on_closed_candles=self._store_candles,
            freshness=self._freshness,
        )
        self._feeds.start()

    async def _store_candles(self, symbol: str, timeframe: str, bars: list[Bar]) -> None:
        if self._store is None:
            return
        try:
            await self._store.upsert_candles(symbol, timeframe, bars)
        except MoonAIError as exc:
            self._bus.publish(NoticeRaised("error", f"cannot store candles: {exc}"))

    async def _record_connection_events(self, subscription: Subscription) -> None:
        store = self._store
        assert store is not None
        async for event in subscription:
            if isinstance(event, ConnectionChanged):
                try:
                    await store.record_market_event(
                        event.at_ms, event.state, event.symbol, event.stream, event.detail
                    )
                except MoonAIError as exc:
                    log.error("cannot record market event: %s", exc)

    async def stop(self, reason: str = "stopped") -> None:
        """Stop feeds and tasks, close the exchange, store and simulator. Safe to call twice."""
        if self._feeds is not None:
            await self._feeds.stop()
            self._feeds = None
        if self._trading is not None:
            await self._trading.stop()
            self._trading = None
        if self._retrain is not None:
            await self._retrain.stop()
            self._retrain = None
        self._bus.publish(EngineStopped(reason))
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._recorder is not None and self._recorder_task is not None:
            # Closing the subscription lets the recorder drain what is pending, then end.
            self._recorder.close()
            await asyncio.gather(self._recorder_task, return_exceptions=True)
            self._recorder = self._recorder_task = None
        if self._market is not None:
            with contextlib.suppress(Exception):
                await self._market.close()
            self._market = None
        if self._store is not None:
            await self._store.close()
            self._store = None
        if self._sim is not None:
            await self._sim.stop()
            self._sim = None
