"""A ByBit v5-compatible market simulator serving shipped real data on 127.0.0.1.

An unmodified ccxt ByBit client pointed at it (``exchange_config('sim', http_base)``)
sees instruments, tickers, order books, klines and trades over REST and public
websockets (bybit-v5-subset.md). Importing this package is cheap: aiohttp,
numpy/pandas and the data load come in only when ``start_simulator`` or
``run_simulator_forever`` is first used.

Behaviour in brief (details in each module's docstring):

* Clock (``clock``): market time = replay start + wall time elapsed × ``sim.speed``.
  The default start is one day into the data, and nothing exists before the data
  starts.
* Model mode (``model_feed``, ``path``): each real candle gets a seeded intra-candle
  market. It is a price path through O/H/L/C, and its trades sum to the candle's volume.
  At the data end the timeline loops, with timestamps shifted forward by the data span
  (``candles``).
* Klines (``klines``): native and coarser ones are the real candles, aggregated. Ones
  finer than the data (ETH is hourly) come from the generated market.
* Books (``calibration``, ``book_model``): a synthetic L2 book per category, calibrated
  from the shipped Binance L2 slice and scaled to each symbol's volume.
* Capture mode (``capture_feed``): the real L2 + trades capture, replayed as ByBit
  snapshot/delta and publicTrade messages.
* Server: ``rest_market`` (REST), ``streams`` + ``ws_public`` (one streaming loop per
  category), ``server`` (lifecycle).
* Trading: one demo unified account funded in USDT (``sim.api_key``/``api_secret``/
  ``balance``/``leverage``). ``auth`` checks signatures, ``private`` serves the private
  REST endpoints, ``ws_private`` the ``/v5/private`` topics; ``trading`` holds the one
  order path, ``matching`` fills orders against the replayed book and price path,
  ``account`` keeps balances, positions and margin (all money is ``Decimal``).
* Faults (``faults``, ``fault_hooks``): dropped, stalled and reordered websockets, book
  sequence gaps, 5xx, 10006, 10002, clock skew, held answers, private outages and fills
  while disconnected, armed on ``RunningSimulator.faults``, ``POST /__faults`` or
  ``moonai-tui sim --fault``.

Example::

    sim = await start_simulator(settings.sim)
    exchange = ccxt.pro.bybit(exchange_config("sim", sim.http_base))
    ...
    await sim.stop()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moonai_tui.sim.server import RunningSimulator, run_simulator_forever, start_simulator

__all__ = ["RunningSimulator", "run_simulator_forever", "start_simulator"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from moonai_tui.sim import server

        return getattr(server, name)
    raise AttributeError(f"module 'moonai_tui.sim' has no attribute {name!r}")
