"""Logging setup: a file log always; stdout is reserved for the headless event lines."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from moonai_tui.redact import RedactingFilter

LOG_DIR = Path(".moonai")


def configure_logging(level: str, *, to_stdout: bool) -> None:
    """Send log records to ``.moonai/moonai.log`` (rotating, bounded) and optionally stderr.

    The TUI owns the terminal, so nothing may print there while it runs.
    """
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        LOG_DIR.mkdir(exist_ok=True)
        file_handler: logging.Handler = RotatingFileHandler(
            LOG_DIR / "moonai.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        file_handler = logging.NullHandler()
    file_handler.setFormatter(formatter)
    file_handler.addFilter(RedactingFilter())
    root.addHandler(file_handler)
    if to_stdout:
        stream = logging.StreamHandler()
        stream.setFormatter(formatter)
        stream.addFilter(RedactingFilter())
        root.addHandler(stream)
    # ccxt and aiohttp are chatty at DEBUG; keep them at WARNING unless asked.
    for noisy in ("ccxt", "aiohttp", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
