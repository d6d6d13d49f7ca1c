"""Helpers the simulator tests share: injected wall clocks, demo credentials, ccxt clients.

A named module (not conftest) so other test folders' conftest files cannot shadow it.
"""

from __future__ import annotations

from typing import Any

from moonai_tui.exchange.ccxt_factory import exchange_config

START = "2024-03-02T00:00"
"""One day into the demo data, so a day of real candles is history."""
START_MS = 1_709_337_600_000
DATA_START_MS = 1_709_251_200_000


class FrozenWall:
    """A wall clock that moves only when the test says so."""

    def __init__(self, seconds: float = 1_000.0) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


class SteppingWall(FrozenWall):
    """A wall clock that moves a fixed step on every reading.

    The simulator reads the clock once per streaming tick, so the market moves
    on without real time passing; streams keep producing trades and candles.
    """

    def __init__(self, step: float) -> None:
        super().__init__()
        self.step = step

    def __call__(self) -> float:
        self.seconds += self.step
        return self.seconds


def make_exchange(http_base: str) -> Any:
    import ccxt.pro

    return ccxt.pro.bybit(exchange_config("sim", http_base))


API_KEY = "moonai-demo-key"
API_SECRET = "moonai-demo-secret"
"""The demo account's documented default credentials (``SimSettings``)."""


def make_trader(http_base: str, **options: Any) -> Any:
    """A ccxt.pro client with the demo account's keys (``options`` merged into its options)."""
    import ccxt.pro

    config = exchange_config("sim", http_base)
    config["apiKey"] = options.pop("apiKey", API_KEY)
    config["secret"] = options.pop("secret", API_SECRET)
    config["options"].update(options)
    return ccxt.pro.bybit(config)
