"""Typed settings: YAML from ``config/config.yaml`` then ``MOONAI_`` environment overrides.

Environment variables use ``__`` between levels, e.g. ``MOONAI_SIM__SPEED=60``
or ``MOONAI_MARKET=bybit``. Every problem becomes one ``ConfigError`` line that
names the file, the key and what is expected.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from moonai_tui.domain import TIMEFRAME_MS
from moonai_tui.errors import ConfigError
from moonai_tui.keyfile import read_key_file
from moonai_tui.redact import register_secret

DEFAULT_CONFIG_PATH = Path("config/config.yaml")

Market = Literal["sim", "bybit", "bybit-testnet"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class SimSettings(_Section):
    """The built-in ByBit v5-compatible simulator (market ``sim``)."""

    url: str | None = None
    """An already running simulator (``moonai-tui sim``) to use instead of starting one,
    e.g. http://127.0.0.1:8765; it then outlives the engine (restarts, crash tests)."""
    host: str = "127.0.0.1"
    """Address the simulator listens on; keep it on loopback."""
    port: int = Field(default=0, ge=0, le=65535)
    """TCP port; 0 picks a free one."""
    speed: float = Field(default=30.0, gt=0, le=100_000)
    """Replay speed: market seconds per wall-clock second (30 = one 1m candle per 2 s)."""
    book_updates_per_second: float = Field(default=8.0, gt=0, le=2_000)
    """Order-book deltas pushed per wall-clock second and symbol."""
    data: Path | None = None
    """Candle CSV(.gz) to replay for BTCUSDT instead of the shipped demo data."""
    start: str | None = None
    """Replay start, ISO date/time (UTC); default: one day into the data set (that day is
    history). Nothing exists before the data starts."""
    seed: int = 7
    """Seed for the generated intra-candle price path and book; same seed, same market."""
    mode: Literal["model", "capture"] = "model"
    """model: replay the candles with a generated intra-candle market and calibrated book;
    capture: replay a real L2 + trades capture (Binance depth diffs and trades) as ByBit streams."""
    capture_depth: Path | None = None
    """Binance depth CSV(.gz) (snapshot + diffs) replayed as BTCUSDT in mode 'capture';
    default: the shipped 2-minute slice."""
    capture_trades: Path | None = None
    """Binance trades CSV(.gz) matching ``capture_depth``; default: the shipped slice."""
    api_key: str = "moonai-demo-key"
    """API key of the simulator's one demo account (ByBit ``X-BAPI-API-KEY``)."""
    api_secret: SecretStr = SecretStr("moonai-demo-secret")
    """HMAC secret of the demo account; requests signed with another secret get retCode 10004."""
    balance: Decimal = Field(default=Decimal("10000"), ge=0)
    """Starting USDT wallet balance of the demo (unified) account."""
    leverage: Decimal = Field(default=Decimal("10"), ge=1, le=100)
    """Initial leverage of every linear symbol (ByBit's default for a new account is 10)."""


class FeedSettings(_Section):
    """Live market-data streams (ccxt.pro watch_*)."""

    order_book_depth: Literal[1, 50, 200, 1000] = 50
    """Depth of the order-book subscription (ByBit allows 1, 50, 200, 1000)."""
    history_bars: int = Field(default=120, ge=10, le=1000)
    """Closed candles loaded for the chart at start and on a symbol switch."""
    stale_after_seconds: float = Field(default=10.0, gt=0)
    """A stream with no update for this long is shown as stale; a stale order book or
    ticker also blocks new entries on its symbol until fresh data arrives."""
    reconnect_initial_seconds: float = Field(default=0.5, gt=0)
    """First reconnect delay after a stream drops; doubles up to the maximum."""
    reconnect_max_seconds: float = Field(default=30.0, gt=0)
    """Longest delay between reconnect attempts."""


class RiskSettings(_Section):
    """The risk gate every order passes (fractions: 0.01 = 1 %)."""

    risk_per_trade: Decimal = Field(default=Decimal("0.01"), gt=0, le=Decimal("0.02"))
    """Equity fraction lost if an entry's stop is hit (max 2 %)."""
    stop_loss_pct: Decimal = Field(default=Decimal("0.02"), gt=0, lt=1)
    """Stop-loss distance from the entry price."""
    take_profit_pct: Decimal = Field(default=Decimal("0.04"), gt=0)
    """Take-profit distance from the entry price."""
    max_position_pct_equity: Decimal = Field(default=Decimal("1"), gt=0)
    """Largest notional in one symbol as a fraction of equity."""
    max_leverage: Decimal = Field(default=Decimal("3"), gt=0)
    """Largest gross open notional over equity."""
    max_open_positions: int = Field(default=5, ge=1)
    """Most symbols with an open position at once."""
    max_daily_loss_pct: Decimal = Field(default=Decimal("0.03"), gt=0, lt=1)
    """Loss since the UTC day's start at which new entries stop."""
    max_drawdown_pct: Decimal = Field(default=Decimal("0.10"), gt=0, lt=1)
    """Fall from peak equity at which new entries stop."""


class TradingSettings(_Section):
    """Paper trading, approvals and the strategies started with the engine."""

    paper_balance: Decimal = Field(default=Decimal("10000"), gt=0)
    """Starting USDT equity of the paper account."""
    approval_timeout_seconds: float = Field(default=120.0, gt=0)
    """A pending entry not approved within this time expires."""
    strategies: list[str] = Field(default_factory=list)
    """Strategies (files in strategies/) started with the engine, e.g. [sma_cross]."""
    strategies_dir: Path = Path("strategies")
    """Folder the strategy files are loaded from."""
    strategy_time_budget_seconds: float = Field(default=2.0, ge=0, le=60)
    """Longest one live strategy call (a bar close, a book or trade hook) may run before
    the strategy is stopped alone (0 = no budget); guards the engine's event loop."""
    request_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    """REST timeout of live trading requests (ccxt ``timeout``); an order whose answer is
    later than this is looked up by its client order id before any resend."""


class BybitSettings(_Section):
    """Credentials for live trading on ByBit; set them in the environment, never in git."""

    api_key: SecretStr | None = None
    """MOONAI_BYBIT__API_KEY; needed only for trading: live on bybit or bybit-testnet."""
    api_secret: SecretStr | None = None
    """MOONAI_BYBIT__API_SECRET."""
    key_file: Path = Path("config/api_keys.yaml")
    """Git-ignored YAML file with ``bybit: {api_key, api_secret}``, read when present (mode
    0600 required); the environment overrides it."""


class UISettings(_Section):
    """The Textual console."""

    book_levels: int = Field(default=8, ge=1, le=50)
    """Order-book levels shown on each side."""
    trades_tape: int = Field(default=40, ge=5, le=500)
    """Recent trades kept on the tape."""
    chart_bars: int = Field(default=90, ge=10, le=500)
    """Candles drawn in the price chart."""


class MLSettings(_Section):
    """Model training, the registry and the live ``ml`` strategy."""

    min_confidence: float = Field(default=0.6, gt=0.34, le=1.0)
    """The ml strategy signals only when the likeliest of down/flat/up has at least this
    probability."""
    retrain_interval: str = "off"
    """How often the engine retrains the active setup, e.g. 12h, 1d, 90m; off = never.
    A retrained model is promoted only if it beats the active one out of sample."""
    model: Literal["xgboost", "rf", "logreg", "svm", "mlp", "ensemble", "regime"] = "xgboost"
    """Model type trained when none is given."""
    model_params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Hyper-parameter overrides per model type, e.g. {xgboost: {n_estimators: 300}}."""
    models_dir: Path = Path("data/models")
    """Folder of model artifacts, relative to the working directory (git-ignored)."""
    label: Literal["forward", "triple_barrier"] = "forward"
    """forward: the horizon's return against a volatility band; triple_barrier: stop,
    take-profit (volatility-scaled, in the risk settings' ratio) or time limit first."""
    horizon: int = Field(default=15, ge=1, le=10_000)
    """Bars ahead a label looks (the time limit of triple-barrier labels)."""
    label_threshold: float = Field(default=0.5, gt=0)
    """Band (or stop) width in units of per-bar volatility x sqrt(horizon)."""
    folds: int = Field(default=5, ge=2, le=20)
    """Walk-forward test blocks; every reported score is out of sample."""
    train_bars: int = Field(default=129_600, ge=1_000)
    """Most recent bars a training run uses when no range is given (129,600 = 90 days of 1m)."""

    @field_validator("retrain_interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        if value != "off" and interval_seconds(value) is None:
            raise ValueError("expected off or a number with m, h or d, e.g. 12h")
        return value


def interval_seconds(text: str) -> float | None:
    """Seconds in a duration such as ``90m``, ``12h`` or ``1d``; None for ``off`` or junk."""
    units = {"m": 60.0, "h": 3600.0, "d": 86400.0}
    number, unit = text[:-1], text[-1:]
    try:
        value = float(number)
    except ValueError:
        return None
    if unit not in units or not value > 0:
        return None
    return value * units[unit]


class Settings(BaseSettings):
    """Moon AI settings. See config/config.yaml for a documented example."""

    model_config = SettingsConfigDict(
        env_prefix="MOONAI_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    market: Market = "sim"
    """Where market data comes from: sim (offline replay), bybit or bybit-testnet."""
    trading: Literal["paper", "live"] = "paper"
    """paper: local fills against the feed; live: orders to the exchange account."""
    approval: Literal["manual", "auto"] = "manual"
    """manual: each entry waits for a person; auto: entries pass straight to risk."""
    symbol: str = "BTC/USDT:USDT"
    """Symbol shown at start (ccxt unified symbol)."""
    symbols: list[str] = Field(
        default_factory=lambda: ["BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USDT", "ETH/USDT"]
    )
    """Symbols the symbol switcher cycles through."""
    timeframe: str = "1m"
    """Candle timeframe of the chart and the strategies."""
    database_url: str = "sqlite+aiosqlite:///moonai.db"
    """SQLAlchemy async URL; SQLite runs in WAL mode."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Level of the headless log and the log file."""
    sim: SimSettings = Field(default_factory=SimSettings)
    feeds: FeedSettings = Field(default_factory=FeedSettings)
    ui: UISettings = Field(default_factory=UISettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    trade: TradingSettings = Field(default_factory=TradingSettings)
    bybit: BybitSettings = Field(default_factory=BybitSettings)
    ml: MLSettings = Field(default_factory=MLSettings)

    @field_validator("timeframe")
    @classmethod
    def _known_timeframe(cls, value: str) -> str:
        if value not in TIMEFRAME_MS:
            raise ValueError(f"expected one of {', '.join(TIMEFRAME_MS)}")
        return value

    @field_validator("symbol")
    @classmethod
    def _unified_symbol(cls, value: str) -> str:
        if "/" not in value:
            raise ValueError("expected a ccxt unified symbol such as BTC/USDT:USDT or BTC/USDT")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first: it overrides the YAML file passed as init values.
        return (env_settings, init_settings)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return data


_SECRET_FIELDS = frozenset({"bybit", "api_key", "api_secret"})
"""Sections and fields whose value an error message must never echo."""


def _describe(error: dict[str, Any], source: str) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if not key.isprintable():  # a key from the file with a line break must not split the line
        key = key.encode("unicode_escape").decode("ascii")
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{source}: unknown key '{key}'"
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    secret = any(str(part) in _SECRET_FIELDS for part in error["loc"])
    hidden = secret or isinstance(value, (dict, list)) or value is None
    shown = "" if hidden else f" (got {value!r})"
    return f"{source}: {key}: {message}{shown}"


def load_settings(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Load settings from ``path`` (or the default file if it exists) plus env and overrides.

    Raises:
        ConfigError: with one line naming the file, key and expectation.
    """
    source = "built-in defaults"
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_yaml(path)
        source = str(path)
    elif DEFAULT_CONFIG_PATH.is_file():
        data = _read_yaml(DEFAULT_CONFIG_PATH)
        source = str(DEFAULT_CONFIG_PATH)
    if data:
        _refuse_keys_in(data, source)
    for key, value in (overrides or {}).items():
        data[key] = value
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(_describe(dict(first), f"{source} (or MOONAI_ environment)")) from None
    except SettingsError as exc:
        # e.g. MOONAI_SIM='' : a whole section or a list from the environment must be JSON.
        raise ConfigError(
            f"{source} (or MOONAI_ environment): {exc}; a section or list variable takes JSON, "
            "e.g. MOONAI_SYMBOLS='[\"BTC/USDT:USDT\"]', or set MOONAI_SIM__SPEED-style keys"
        ) from None
    return _with_key_file(settings)


def _refuse_keys_in(data: dict[str, Any], source: str) -> None:
    """Live keys never belong in the settings file: it is shared, copied and committed."""
    section = data.get("bybit")
    if not isinstance(section, dict):
        return
    for name in ("api_key", "api_secret"):
        if section.get(name) is not None:
            raise ConfigError(
                f"{source}: bybit.{name}: API keys are not read from the settings file; put "
                "them in the git-ignored key file config/api_keys.yaml (chmod 600) or in "
                f"MOONAI_BYBIT__{name.upper()}"
            )


def _with_key_file(settings: Settings) -> Settings:
    """Fill the ByBit keys the environment did not give from the key file, if there is one."""
    bybit = settings.bybit
    path = bybit.key_file
    if path.is_file():
        found = read_key_file(path)
        missing = {
            name: SecretStr(value) for name, value in found.items() if getattr(bybit, name) is None
        }
        if missing:
            settings.bybit = bybit = bybit.model_copy(update=missing)
    for secret in (bybit.api_key, bybit.api_secret):
        if secret is not None:
            register_secret(secret.get_secret_value())
    return settings
