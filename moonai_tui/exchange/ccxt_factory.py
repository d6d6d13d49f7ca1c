"""Builds the ccxt ByBit client for a market: the simulator, ByBit or ByBit testnet.

Only URLs and sandbox mode differ between markets; the rest of the code path is
identical, which is what lets the simulator stand in for ByBit.
"""

from __future__ import annotations

from typing import Any

from moonai_tui.config import Market
from moonai_tui.redact import register_secret


def sim_urls(http_base: str) -> dict[str, Any]:
    """The ``urls`` override that points ccxt at a simulator serving ``http_base``.

    The websocket paths must keep 'spot' only in the spot URL: ccxt tells spot
    from contract streams by that substring (bybit-v5-subset.md §1.1).
    """
    ws_base = http_base.replace("http://", "ws://", 1)
    return {
        "api": {
            "public": http_base,
            "private": http_base,
            "ws": {
                "public": {
                    "spot": f"{ws_base}/v5/public/spot",
                    "linear": f"{ws_base}/v5/public/linear",
                },
                "private": {
                    "contract": f"{ws_base}/v5/private",
                    "usdc": f"{ws_base}/v5/private",
                },
            },
        }
    }


def exchange_config(
    market: Market,
    sim_http_base: str | None = None,
    credentials: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """ccxt constructor config for ``market``; ``sim_http_base`` is required for 'sim'.

    ``credentials`` is ``(api_key, api_secret)`` for private calls; the secret is
    handed to ccxt only, never logged or stored.
    """
    config: dict[str, Any] = {
        "enableRateLimit": market != "sim",
        "has": {"fetchCurrencies": False},
        "options": {
            "fetchMarkets": {"types": ["spot", "linear"]},
            "enableUnifiedAccount": True,
            "enableUnifiedMargin": False,
            "unifiedMarginStatus": 6,
            "fetchOrder": {"acknowledged": True},
        },
    }
    if credentials is not None:
        register_secret(*credentials)
        config["apiKey"], config["secret"] = credentials
    if market == "sim":
        if sim_http_base is None:
            raise ValueError("market 'sim' needs the simulator's URL")
        config["urls"] = sim_urls(sim_http_base)
    return config


def create_pro_exchange(
    market: Market,
    sim_http_base: str | None = None,
    credentials: tuple[str, str] | None = None,
    timeout_ms: int | None = None,
) -> Any:
    """A ``ccxt.pro.bybit`` (REST and websockets) for ``market``. Imports ccxt lazily.

    It is ccxt's client with the guards of ``guarded_bybit`` (order-book sequence,
    clock offset on 10002, waits on 10006); ``timeout_ms`` is ccxt's REST timeout.
    """
    from moonai_tui.exchange.guarded_bybit import GuardedBybit

    config = exchange_config(market, sim_http_base, credentials)
    if timeout_ms is not None:
        config["timeout"] = timeout_ms
    exchange = GuardedBybit(config)
    if market == "bybit-testnet":
        exchange.set_sandbox_mode(True)
    return exchange
