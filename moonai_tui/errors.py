"""The exception tree. Each error carries a one-line message fit for a person."""

from __future__ import annotations


class MoonAIError(Exception):
    """Base of every error Moon AI raises on purpose."""

    exit_code = 1


class ConfigError(MoonAIError):
    """A config file or setting is missing or invalid."""

    exit_code = 2


class DataError(MoonAIError):
    """A data file (candles, trades, book capture) is unreadable or inconsistent."""

    exit_code = 2


class StoreError(MoonAIError):
    """The database cannot be opened, migrated or written."""


class ExchangeError(MoonAIError):
    """The exchange refused a request or answered in an unexpected way."""


class TemporaryError(ExchangeError):
    """A network or availability failure that is worth retrying with backoff."""


class SafetyError(MoonAIError):
    """A safety interlock refuses to start something (e.g. live trading with the kill switch
    latched)."""


class StrategyError(MoonAIError):
    """A strategy file failed to load or raised inside a callback."""


class StrategyTimeout(StrategyError):
    """A live strategy call ran past its time budget (raised inside the call)."""


class DuplicateOrderError(StoreError):
    """A client order id is already journaled: a retry must reuse the row, not add one."""


class ModelError(MoonAIError):
    """A trained model, its registry row or its artifact is missing, corrupt or unusable."""


class IndicatorError(MoonAIError, ValueError):
    """An indicator got a bad period or bad input arrays (not numeric, 2-D, unequal lengths)."""


class MetricsError(MoonAIError, ValueError):
    """Backtest metrics got inconsistent inputs (lengths differ, bad timestamps, equity <= 0)."""
