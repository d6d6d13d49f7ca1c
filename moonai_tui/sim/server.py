"""The simulator's aiohttp server: assembly, start/stop and the ``moonai-tui sim`` loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from moonai_tui.config import SimSettings
from moonai_tui.errors import ConfigError
from moonai_tui.sim import payloads
from moonai_tui.sim.clock import WallClock
from moonai_tui.sim.context import SIM_CONTEXT, SimContext
from moonai_tui.sim.fault_hooks import FAULTS, add_fault_routes, fault_middleware, run_faults
from moonai_tui.sim.faults import FaultInjector, FaultSpec
from moonai_tui.sim.instruments import CATEGORIES
from moonai_tui.sim.market import SimMarket, build_market
from moonai_tui.sim.payloads import envelope
from moonai_tui.sim.private import PRIVATE, add_private_routes
from moonai_tui.sim.rest_market import add_market_routes
from moonai_tui.sim.streams import PublicHub
from moonai_tui.sim.ws_private import PrivateHub
from moonai_tui.sim.ws_public import make_handler

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure answers in ByBit's JSON envelope (ccxt maps it by retCode).

    An HTML 404 would reach ccxt as ExchangeNotAvailable instead of BadRequest.
    """
    now = request.app[SIM_CONTEXT].market.clock.now_ms()
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status in (404, 405):
            return web.json_response(envelope({}, now, 10017, "route not found"), status=404)
        return web.json_response(envelope({}, now, 10001, exc.reason), status=exc.status)
    except Exception:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            raise
        log.exception("simulator handler failed: %s", request.path_qs)
        return web.json_response(envelope({}, now, 10016, "server error"), status=500)


def build_app(
    market: SimMarket, settings: SimSettings, faults: FaultInjector | None = None
) -> tuple[web.Application, SimContext]:
    """The aiohttp application serving ``market`` (with ``faults`` armed on it, if given)."""
    hubs = {c: PublicHub(market, c, settings.book_updates_per_second) for c in CATEGORIES}
    ctx = SimContext(market, hubs)
    app = web.Application(middlewares=[_json_errors, fault_middleware])
    app[SIM_CONTEXT] = ctx
    app[FAULTS] = faults or FaultInjector()
    add_fault_routes(app)
    add_market_routes(app)
    for category, hub in hubs.items():
        app.router.add_get(f"/v5/public/{category}", make_handler(hub, ctx.websockets))
    add_private_routes(app, ctx, settings)
    return app, ctx


class RunningSimulator:
    """A simulator serving on its host and port until ``stop``.

    Attributes:
        http_base: ``http://HOST:PORT``, the value for ``exchange_config('sim', http_base)``.
        market: the simulated market (clock, feeds, books), for inspection.
        private: the demo account's private hub (``private.desk`` holds the account and
            its orders), for inspection and for tests that wait on a subscription.
        faults: the fault injector (``faults.inject(name, **args)``; see ``sim.faults``).
    """

    def __init__(
        self,
        http_base: str,
        ctx: SimContext,
        runner: web.AppRunner,
        tasks: list[asyncio.Task[None]],
    ) -> None:
        self.http_base = http_base
        self.market = ctx.market
        self.private: PrivateHub = runner.app[PRIVATE]
        self.faults: FaultInjector = runner.app[FAULTS]
        self._ctx = ctx
        self._runner = runner
        self._tasks = tasks

    def book_view(
        self, category: str, symbol: str, depth: int
    ) -> tuple[int | None, list[list[str]], list[list[str]]]:
        """The ``orderbook.DEPTH.SYMBOL`` topic's last ``u`` sent and its book now, as on the wire.

        For comparing a client's book with the simulator's while the market clock stands still.
        """
        hub = self._ctx.hub(category)
        market = hub.current_book(symbol)
        bids, asks = market.book.book.top(depth)
        decimals = market.book.size_decimals
        u = hub.last_update_id(f"orderbook.{depth}.{symbol}")
        return u, payloads.levels(bids, decimals), payloads.levels(asks, decimals)

    async def stop(self) -> None:
        """Close every connection and stop serving (idempotent)."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.faults.cancel_background()
        for ws in list(self._ctx.websockets):
            await ws.close()
        await self._runner.cleanup()


async def start_simulator(
    settings: SimSettings,
    *,
    wall_clock: WallClock | None = None,
    faults: Sequence[FaultSpec] = (),
    fault_seed: int = 0,
) -> RunningSimulator:
    """Load the data and start serving ByBit v5 public REST and websockets.

    Args:
        settings: the ``sim`` settings (host, port, speed, data, mode, ...).
        wall_clock: wall time in seconds for the market clock (default ``time.time``);
            tests inject their own to control simulated time.
        faults: faults armed from the start (more can be armed on ``.faults`` later).
        fault_seed: seed of the RNG behind probabilistic faults.

    Raises:
        DataError: a data or capture file is missing or invalid.
        ConfigError: ``sim.start`` is invalid, or the host/port cannot be bound.
    """
    market = await asyncio.to_thread(build_market, settings, wall_clock)
    injector = FaultInjector(fault_seed)
    injector.add_all(faults)
    app, ctx = build_app(market, settings, injector)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        reason = (
            "address already in use" if exc.errno in (48, 98, 10048) else (exc.strerror or str(exc))
        )
        raise ConfigError(
            f"sim: cannot listen on {settings.host}:{settings.port}: {reason}"
        ) from None
    host, port = runner.addresses[0][:2]
    tasks = [asyncio.create_task(hub.run(), name=f"sim-{c}") for c, hub in ctx.hubs.items()]
    desk = runner.app[PRIVATE].desk
    tasks.append(asyncio.create_task(run_faults(injector, desk), name="sim-faults"))
    return RunningSimulator(f"http://{host}:{port}", ctx, runner, tasks)


def run_simulator_forever(
    settings: SimSettings, faults: Sequence[FaultSpec] = (), fault_seed: int = 0
) -> int:
    """Serve until SIGINT/SIGTERM (``moonai-tui sim``); prints one line with the URLs.

    Returns:
        0 after a clean shutdown.

    Raises:
        DataError, ConfigError: as ``start_simulator``, before anything is printed.
    """

    async def serve() -> None:
        sim = await start_simulator(settings, faults=faults, fault_seed=fault_seed)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # before the line: a caller may signal at once
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stopping.set)
        ws = sim.http_base.replace("http://", "ws://", 1)
        print(
            f"Moon AI ByBit v5 simulator serving {sim.http_base} "
            f"({ws}/v5/public/linear, /v5/public/spot)",
            flush=True,
        )
        try:
            await stopping.wait()
        finally:
            await sim.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0
