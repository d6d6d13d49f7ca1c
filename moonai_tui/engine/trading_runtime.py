"""Runs trading inside the engine: the trader, its feed hookup and the strategies.

It reads market events from the bus (the same ones the UI sees), hands books and
trades to the paper broker through the trader, and runs each strategy at bar
close. A strategy that raises is stopped on its own; the engine keeps running.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from moonai_tui.config import Settings
from moonai_tui.domain import Bar, Instrument, OrderBook, Trade, TradingMode
from moonai_tui.engine.bus import EventBus, Subscription
from moonai_tui.engine.client import CommandResult
from moonai_tui.engine.clock import Clock
from moonai_tui.engine.events import (
    CandleHistoryLoaded,
    CandleUpdated,
    NoticeRaised,
    OrderBookUpdated,
    TradesReceived,
)
from moonai_tui.engine.feeds import Backoff
from moonai_tui.engine.live_streams import LiveStreams, reconcile_account
from moonai_tui.engine.strategy_runner import StrategyRunner
from moonai_tui.engine.trader import Trader
from moonai_tui.errors import MoonAIError, StrategyError, StrategyTimeout
from moonai_tui.exchange.ccxt_execution import CcxtExecutionClient
from moonai_tui.exchange.execution import ExecutionClient
from moonai_tui.exchange.paper_broker import PaperBroker
from moonai_tui.execution import FillModel
from moonai_tui.redact import redact
from moonai_tui.risk.limits import RiskLimits
from moonai_tui.store.journal import TradingJournal
from moonai_tui.strategy import Signal, load_params, load_strategy

log = logging.getLogger(__name__)

PARAMS_FILE = Path("config/strategy_params.yaml")
MAX_HISTORY_BARS = 5_000
"""Closed bars kept per symbol to seed strategies started later (bounded: the engine
runs for weeks; each strategy keeps its own, usually shorter, window)."""


def risk_limits(settings: Settings) -> RiskLimits:
    risk = settings.risk
    return RiskLimits(
        risk_per_trade=risk.risk_per_trade,
        stop_loss_pct=risk.stop_loss_pct,
        take_profit_pct=risk.take_profit_pct,
        max_position_pct_equity=risk.max_position_pct_equity,
        max_leverage=risk.max_leverage,
        max_open_positions=risk.max_open_positions,
        max_daily_loss_pct=risk.max_daily_loss_pct,
        max_drawdown_pct=risk.max_drawdown_pct,
    )


class TradingRuntime:
    """The paper-trading half of the engine."""

    def __init__(
        self,
        *,
        settings: Settings,
        bus: EventBus,
        clock: Clock,
        journal: TradingJournal,
        instruments: Mapping[str, Instrument],
        live_exchange: Any = None,
    ) -> None:
        """Paper trading, or live trading through ``live_exchange`` (a keyed ccxt client)."""
        self._settings = settings
        self._bus = bus
        self._clock = clock
        self._journal = journal
        self._exchange = live_exchange
        self._live_client = None if live_exchange is None else CcxtExecutionClient(live_exchange)
        paper = (
            None
            if live_exchange is not None
            else PaperBroker(FillModel(), instruments, clock.now_ms)
        )
        venue: ExecutionClient
        if paper is not None:
            venue = paper
        else:
            assert self._live_client is not None
            venue = self._live_client
        self._mode: TradingMode = "paper" if paper is not None else "live"
        self.trader = Trader(
            bus=bus,
            clock=clock,
            journal=journal,
            venue=venue,
            paper=paper,
            mode=self._mode,
            instruments=instruments,
            limits=risk_limits(settings),
            manual_approval=settings.approval == "manual",
            approval_timeout_ms=round(settings.trade.approval_timeout_seconds * 1000),
            starting_equity=settings.trade.paper_balance,
        )
        self._streams: LiveStreams | None = None
        self._strategies: dict[str, StrategyRunner] = {}
        self._history: dict[str, deque[Bar]] = {}
        self._reentries: dict[tuple[str, str], Signal] = {}
        """(strategy, symbol) -> an entry waiting for the opposite position to close."""
        self._subscription: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.trader.start()
        if self._exchange is not None and self._live_client is not None:
            await self._start_live(self._exchange, self._live_client)
        # Unbounded: a dropped closed bar would be a silently missed decision; a stuck
        # trading loop is already a failure the strategy time budget guards against.
        self._subscription = self._bus.subscribe(max_pending=None)
        self._task = asyncio.create_task(self._run(self._subscription), name="trading")
        for name in self._settings.trade.strategies:
            result = await self.start_strategy(name, "config")
            if not result.ok:
                self._bus.publish(NoticeRaised("error", result.message))

    async def _start_live(self, exchange: Any, client: CcxtExecutionClient) -> None:
        """Equity from the wallet, reconcile with the exchange, then follow its streams."""
        import ccxt

        async def reconcile() -> None:
            await reconcile_account(
                client, exchange, self._journal, self.trader, "live", self._bus, self._clock
            )
            # Only now are positions known: a latched kill switch closes what is open.
            await self.trader.reconciled()

        try:
            balance = await exchange.fetch_balance()
            wallet = Decimal(str((balance.get("USDT") or {}).get("total") or 0))
            self.trader.set_wallet_equity(wallet)
            await reconcile()
        except (ccxt.BaseError, MoonAIError) as exc:
            reason = redact(f"cannot reconcile with the exchange ({exc}); trading halted")
            self.trader.halt(reason)
            self._bus.publish(NoticeRaised("error", reason))
        feeds = self._settings.feeds
        self._streams = LiveStreams(
            exchange,
            self.trader,
            self._bus,
            Backoff(feeds.reconnect_initial_seconds, feeds.reconnect_max_seconds),
            reconcile=reconcile,
        )
        self._streams.start()

    async def stop(self) -> None:
        if self._streams is not None:
            await self._streams.stop()
        if self._exchange is not None:
            await self._exchange.close()
        if self._subscription is not None:
            self._subscription.close()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def start_strategy(self, name: str, actor: str) -> CommandResult:
        if name in self._strategies:
            return CommandResult(False, f"strategy {name} is already running")
        folder = self._settings.trade.strategies_dir
        try:
            runner = StrategyRunner(
                name,
                load_strategy(name, folder, load_params(PARAMS_FILE, name)),
                self._settings.trade.strategy_time_budget_seconds,
            )
            for symbol, history in self._history.items():
                runner.seed(symbol, list(history))
        except StrategyError as exc:
            return CommandResult(False, f"cannot start {name}: {exc}")
        self._strategies[name] = runner
        await self._journal.record_audit(self._clock.now_ms(), actor, "start", name)
        self._bus.publish(NoticeRaised("info", f"strategy {name} started by {actor}"))
        return CommandResult(True, f"strategy {name} started")

    async def stop_strategy(self, name: str, actor: str) -> CommandResult:
        if self._strategies.pop(name, None) is None:
            return CommandResult(False, f"strategy {name} is not running")
        self._drop_reentries(name)
        await self._journal.record_audit(self._clock.now_ms(), actor, "stop", name)
        self._bus.publish(NoticeRaised("info", f"strategy {name} stopped by {actor}"))
        return CommandResult(True, f"strategy {name} stopped")

    @property
    def strategies(self) -> tuple[str, ...]:
        return tuple(self._strategies)

    async def _run(self, subscription: Subscription) -> None:
        async for event in subscription:
            try:
                await self._handle(event)
            except Exception:  # one bad event must not end trading; it is logged loudly
                log.exception("trading: failed to handle %s", type(event).__name__)
                self._bus.publish(NoticeRaised("error", f"trading error on {type(event).__name__}"))

    async def _handle(self, event: object) -> None:
        match event:
            case OrderBookUpdated():
                await self.trader.on_book(event.book)
                await self._run_hooks(event.book.symbol, event.book, None)
                await self._complete_reentries(event.book.symbol)
            case TradesReceived():
                await self.trader.on_trades(event.symbol, event.trades)
                for trade in event.trades:
                    await self._run_hooks(event.symbol, None, trade)
                await self._complete_reentries(event.symbol)
            case CandleHistoryLoaded() if event.timeframe == self._settings.timeframe:
                history = self._history.setdefault(event.symbol, deque(maxlen=MAX_HISTORY_BARS))
                history.clear()
                history.extend(event.bars)
                for name, runner in list(self._strategies.items()):
                    try:
                        runner.seed(event.symbol, event.bars)
                    except StrategyError as exc:
                        self._strategy_failed(name, exc)
            case CandleUpdated(closed=True) if event.timeframe == self._settings.timeframe:
                history = self._history.setdefault(event.symbol, deque(maxlen=MAX_HISTORY_BARS))
                if not history or event.bar.ts > history[-1].ts:
                    history.append(event.bar)
                await self._run_strategies(event.symbol, event.bar)

    async def _run_strategies(self, symbol: str, bar: Bar) -> None:
        for name, runner in list(self._strategies.items()):
            try:
                decision = runner.on_bar_close(symbol, bar)
            except Exception as exc:  # a user's strategy failed: stop it alone
                self._strategy_failed(name, exc)
                continue
            if decision is not None:
                await self._act(name, symbol, decision.signal)

    async def _run_hooks(self, symbol: str, book: OrderBook | None, trade: Trade | None) -> None:
        """Per-event hooks of book/tick strategies; their signals act directly."""
        for name, runner in list(self._strategies.items()):
            try:
                if book is not None and runner.wants_books:
                    signal = runner.on_book(book)
                elif trade is not None and runner.wants_trades:
                    signal = runner.on_trade(trade)
                else:
                    continue
            except Exception as exc:  # a user's strategy failed: stop it alone
                self._strategy_failed(name, exc)
                continue
            if signal is not None:
                await self._act(name, symbol, signal)

    async def _act(self, name: str, symbol: str, signal: Signal) -> None:
        """Raise ``signal``: side None closes; an entry against the open position closes
        it (the trader's rule) and is sent again once the position is flat."""
        self._reentries.pop((name, symbol), None)
        qty = self._position_qty(symbol)
        await self.trader.on_signal(
            name,
            symbol,
            signal.side,
            signal.confidence,
            signal.reasons,
            stop_loss_pct=signal.stop_loss_pct,
            take_profit_pct=signal.take_profit_pct,
        )
        if signal.side is None:
            if qty:
                await self.trader.flatten(symbol, name)
        elif qty and (qty > 0) != (signal.side == "buy"):
            self._reentries[(name, symbol)] = signal

    async def _complete_reentries(self, symbol: str) -> None:
        for (name, wanted), signal in list(self._reentries.items()):
            if wanted != symbol or self._position_qty(symbol):
                continue
            del self._reentries[(name, symbol)]
            if name in self._strategies and signal.side is not None:
                await self.trader.on_signal(
                    name,
                    symbol,
                    signal.side,
                    signal.confidence,
                    f"{signal.reasons} (now flat)",
                    stop_loss_pct=signal.stop_loss_pct,
                    take_profit_pct=signal.take_profit_pct,
                )

    def _drop_reentries(self, name: str) -> None:
        for key in [key for key in self._reentries if key[0] == name]:
            del self._reentries[key]

    def _position_qty(self, symbol: str) -> Decimal:
        return next((p.qty for p in self.trader.positions() if p.symbol == symbol), Decimal(0))

    def _strategy_failed(self, name: str, exc: Exception) -> None:
        self._strategies.pop(name, None)
        self._drop_reentries(name)
        log.error("strategy %s failed: %s", name, exc, exc_info=not isinstance(exc, StrategyError))
        if isinstance(exc, StrategyTimeout):
            self._bus.publish(NoticeRaised("error", f"{exc} and was stopped"))
            return
        what = str(exc) if isinstance(exc, StrategyError) else f"{type(exc).__name__}: {exc}"
        self._bus.publish(NoticeRaised("error", f"strategy {name} stopped: {what}"))

    def summary(self) -> str:
        trader = self.trader
        kill = trader.kill_switch
        equity = trader.equity()
        lines = [
            f"trading {self._mode}, approval {self._settings.approval}, equity {equity:,.2f} USDT",
            f"kill switch: {'LATCHED (' + kill.reason + ')' if kill.latched else 'armed'}",
            f"entries: {'HALTED: ' + trader.halted_reason if trader.halted_reason else 'open'}",
            f"strategies: {', '.join(self._strategies) or 'none running'}",
            f"pending approvals: {len(trader.queue.pending())}",
        ]
        for position in trader.positions():
            lines.append(f"position {position.symbol} {position.qty:+} @ {position.avg_price:,.2f}")
        return "\n".join(lines)
