"""Parsing times a person types (config values, command-line arguments)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_iso_utc_ms(text: str) -> int:
    """Unix milliseconds of an ISO 8601 date or date-time; UTC unless it names a zone.

    Raises:
        ValueError: if ``text`` is not ISO 8601 (callers turn it into their own one-line error).
    """
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
