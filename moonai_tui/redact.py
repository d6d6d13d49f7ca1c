"""Keeps API keys and secrets out of every text Moon AI writes.

Credentials are registered once, where they enter the program (the key file,
the environment, the ccxt client config); every sink that may carry foreign
text (exchange error messages echo the API key, e.g. ByBit's ``error sign!
origin_string[...]``) passes it through :func:`redact`: the log handlers, the
notices and connection details every screen, log and database row is made of,
and the exchange errors that become order reasons.
"""

from __future__ import annotations

import logging
import threading

MASK = "***"
MIN_SECRET_CHARS = 4
"""Shorter values are not registered: masking every 'a' would garble all text, and no
exchange issues credentials that short."""

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def register_secret(*values: str | None) -> None:
    """Mask these values (API keys, secrets) wherever :func:`redact` runs from now on."""
    global _secrets
    fresh = {v for v in values if v is not None and len(v) >= MIN_SECRET_CHARS}
    if not fresh:
        return
    with _lock:
        # Longest first, so a secret that contains another is masked whole.
        _secrets = tuple(sorted(set(_secrets) | fresh, key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that masks secrets in the message and in the traceback text.

    On a handler (not a logger) it sees every record that handler writes,
    including those propagated from other libraries' loggers (ccxt, aiohttp).
    """

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
