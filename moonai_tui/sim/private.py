"""Private ByBit v5 endpoints: the place where accounts, orders and matching plug in.

Nothing private is served yet, so every private route answers the JSON
"route not found" (retCode 10017) from the server's fallback. A later issue
adds here, without touching the market-data modules:

* REST: signature checks (bybit-v5-subset.md §3.1), ``/v5/order/*``,
  ``/v5/position/*``, ``/v5/account/*``, ``/v5/asset/*``, ``/v5/execution/list``,
  ``/v5/user/query-api`` (§4, §5.7–5.15);
* WS ``/v5/private``: auth (§3.2) and the ``order``/``execution``/``position``/
  ``wallet`` topics (§6.6);
* note for signatures: ccxt stamps ``X-BAPI-TIMESTAMP`` with its local wall clock,
  so the recv-window check compares against wall time, not the simulated market
  time that ``/v5/market/time`` reports;
* a matching engine that fills orders against ``SymbolMarket.book`` (the L2
  book of each category) and the public trades of ``SymbolMarket.feed``, with
  the clock ``SimMarket.clock``; everything it needs is on ``SimContext``.
"""

from __future__ import annotations

from aiohttp import web

from moonai_tui.sim.context import SimContext


def add_private_routes(app: web.Application, ctx: SimContext) -> None:
    """Register private REST and websocket routes (none yet)."""
    del app, ctx  # intentionally empty until the trading issue lands
