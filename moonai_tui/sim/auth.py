"""API-key authentication of private requests (bybit-v5-subset.md §3).

REST: HMAC-SHA256(secret, timestamp + key + recvWindow + X), X being the raw
query string exactly as sent (GET) or the raw body bytes (POST); never a
re-encoded form, since ccxt signs its own encoding. The timestamp is checked
against the server's **wall** clock: ccxt stamps requests with its local time,
whereas the replay clock (``/v5/market/time``) runs at ``sim.speed``.

Websocket: ``{"op":"auth","args":[key, expires, HMAC(secret, "GET/realtime" + expires)]}``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from moonai_tui.sim.orders import TradeError

FUTURE_TOLERANCE_MS = 1_000
"""ByBit's rule: a timestamp may be at most this far ahead of the server."""
DEFAULT_RECV_WINDOW = 5_000


def sign(secret: str, payload: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``payload``."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Credentials:
    """The one account's key pair and the wall clock in ms used for freshness checks."""

    api_key: str
    secret: str
    wall_ms: Callable[[], int]

    def check_rest(self, headers: Mapping[str, str], signed_part: str) -> None:
        """Check a private REST request's headers, in ByBit's order.

        Args:
            headers: the request headers (case-insensitive mapping).
            signed_part: the raw query string (GET) or raw body text (POST).

        Raises:
            TradeError: 10003 unknown or missing key, 10002 stale timestamp, 10004 bad sign.
        """
        key = headers.get("X-BAPI-API-KEY", "")
        if not key or key != self.api_key:
            raise TradeError(10003, "API key is invalid.")
        stamp = headers.get("X-BAPI-TIMESTAMP", "")
        window_text = headers.get("X-BAPI-RECV-WINDOW", "") or str(DEFAULT_RECV_WINDOW)
        try:
            timestamp, window = int(stamp), int(window_text)
        except ValueError:
            raise TradeError(10002, "invalid request, please check your timestamp") from None
        now = self.wall_ms()
        if not now - window <= timestamp < now + FUTURE_TOLERANCE_MS:
            raise TradeError(
                10002,
                "invalid request, please check your server timestamp or recv_window param. "
                f"req_timestamp[{timestamp}],server_timestamp[{now}],recv_window[{window}]",
            )
        expected = sign(self.secret, f"{stamp}{key}{window_text}{signed_part}")
        if not hmac.compare_digest(expected, headers.get("X-BAPI-SIGN", "")):
            raise TradeError(10004, f"error sign! origin_string[{stamp}{key}{window_text}]")

    def check_ws(self, args: list[object]) -> str | None:
        """Check websocket auth args; the reason for a refusal, or None if accepted."""
        if len(args) != 3:
            return "Params Error"
        key, expires, signature = (str(a) for a in args)
        if key != self.api_key:
            return "API key is invalid."
        try:
            expiry = int(expires)
        except ValueError:
            return "Params Error"
        if expiry <= self.wall_ms():
            return "Request expired"
        if not hmac.compare_digest(sign(self.secret, f"GET/realtime{expires}"), signature):
            return "Invalid signature"
        return None
