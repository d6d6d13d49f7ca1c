"""Performance metrics of a backtest, each computed by the formula written beside it.

Notation: ``e[0..n-1]`` is the equity after each bar's close, ``E0`` the initial equity,
``t[i]`` the bar open times. Per-bar simple returns are ``r[i] = e[i] / e[i-1] - 1`` with
``e[-1] = E0`` (the first bar counts against the starting equity); a bar that follows an
equity of zero or less has ``r = 0`` (nothing was left to earn a return on).

Time: ``bar = median(t[i+1] - t[i])`` in seconds (0 with a single bar), ``P = 365 days /
bar`` bars per year (0 when ``bar`` is 0), ``elapsed = t[n-1] - t[0] + bar`` (first open
to last close), ``Y`` = 365 days. With a single bar the spacing is unknown, so ``P`` and
``elapsed`` are 0 and every annualised figure (CAGR, volatility, Sharpe, Sortino, Calmar)
is 0.

Degenerate cases resolve to documented numbers rather than NaN, so a result always stores
and prints: a ratio whose denominator is 0 is 0, except the three "nothing went wrong"
ratios (profit factor, Sortino, Calmar), which are ``inf`` when their numerator is
positive. ``to_dict`` writes ``inf`` as ``None`` for JSON.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from moonai_tui.errors import MetricsError

SECONDS_PER_YEAR = 365 * 86_400


@dataclass(frozen=True, slots=True)
class Metrics:
    """One backtest's metrics. Money fields are in the quote currency, ratios are fractions."""

    total_return: float
    """``e[n-1] / E0 - 1``."""
    annualised_return: float
    """CAGR: ``(e[n-1] / E0) ** (Y / elapsed) - 1``; -1 if final equity <= 0; 0 when
    ``elapsed`` is 0 (one bar); ``inf`` if it overflows (a big return over minutes)."""
    volatility: float
    """``std(r, ddof=1) * sqrt(P)``; 0 with fewer than two bars."""
    sharpe: float
    """``mean(r) / std(r, ddof=1) * sqrt(P)``, risk-free rate 0; 0 when the std is 0 (flat
    equity) or with fewer than two bars."""
    sortino: float
    """``mean(r) / D * sqrt(P)`` with downside deviation ``D = sqrt(mean(min(r, 0) ** 2))``
    over all bars; when ``D`` is 0: ``inf`` if ``mean(r) > 0`` else 0."""
    calmar: float
    """``annualised_return / max_drawdown``; when the drawdown is 0: ``inf`` if the
    annualised return is positive else 0."""
    max_drawdown: float
    """``max(1 - e[i] / peak[i])`` with ``peak[i] = max(E0, e[0..i])``: a positive fraction
    (0.25 = a quarter of the peak lost); above 1 only if equity went negative."""
    max_drawdown_duration_bars: int
    """Longest run of consecutive bars whose equity is below the running peak (a drawdown
    still open at the end counts); 0 if equity never fell below a peak."""
    max_drawdown_duration_seconds: float
    """Longest such spell in time: from the peak (the close of the bar before the run, or
    ``t[0]`` when the peak is ``E0``) to the close ``t[i] + bar`` of the run's last bar.
    With regular bars it is ``bars * bar``; data gaps count as time."""
    win_rate: float
    """``#(pnl > 0) / trades``; break-even trades are not wins; 0 without trades."""
    profit_factor: float
    """``sum(pnl > 0) / |sum(pnl < 0)|``; without losing trades ``inf`` if anything was won,
    else 0 (no trades)."""
    expectancy: float
    """Money per trade from its parts: ``win_rate * mean(wins) - loss_rate * mean(|losses|)``
    with ``loss_rate = #(pnl < 0) / trades``. Algebraically the mean PnL (kept because it is
    the form traders quote); 0 without trades."""
    average_trade: float
    """``mean(pnl)``: net PnL per closed trade, after fees; 0 without trades."""
    exposure: float
    """``mean(exposure)``: share of bar closes with a position open (or the mean fraction)."""
    turnover: float
    """``traded_notional / mean(e)``: how many times the average equity was traded; 0 if the
    mean equity is not positive."""
    fees_paid: float
    """Total fees, as given (negative when maker rebates exceeded fees)."""
    trades: int
    """Number of closed trades."""
    final_equity: float
    """``e[n-1]``."""

    def to_dict(self) -> dict[str, float | int | None]:
        """The fields as JSON-ready values: ``inf`` (and any NaN) become ``None``."""
        out: dict[str, float | int | None] = {}
        for name, value in asdict(self).items():
            out[name] = value if isinstance(value, int) or math.isfinite(value) else None
        return out


def compute_metrics(
    equity: npt.ArrayLike,
    timestamps_ms: npt.ArrayLike,
    trade_pnl: npt.ArrayLike,
    exposure: npt.ArrayLike,
    traded_notional: float,
    fees_paid: float,
    initial_equity: float,
) -> Metrics:
    """Metrics of one run (see :class:`Metrics` for each formula).

    Args:
        equity: equity after each bar's close (len n >= 1).
        timestamps_ms: bar open times in Unix ms, strictly increasing (len n).
        trade_pnl: net PnL of each closed trade, after fees (len t, may be 0).
        exposure: per bar, 1 if a position is open at the close else 0, or a fraction.
        traded_notional: sum of ``|qty * price|`` over all fills.
        fees_paid: total fees.
        initial_equity: equity before the first bar (> 0).

    Raises:
        MetricsError: inputs of the wrong length, non-finite values, timestamps that do not
            increase, or a non-positive initial equity.
    """
    e = _finite_1d("equity", equity)
    if e.size == 0:
        raise MetricsError("metrics: equity is empty; a run needs at least one bar")
    t = _timestamps(timestamps_ms, e.size)
    pnl = _finite_1d("trade_pnl", trade_pnl)
    held = _finite_1d("exposure", exposure)
    if held.size != e.size:
        raise MetricsError(f"metrics: exposure has {held.size} values for {e.size} bars")
    if np.any(held < 0):
        raise MetricsError("metrics: exposure must be >= 0")
    start = _finite_number("initial_equity", initial_equity)
    if start <= 0:
        raise MetricsError(f"metrics: initial_equity must be > 0, got {start}")
    notional = _finite_number("traded_notional", traded_notional)
    if notional < 0:
        raise MetricsError(f"metrics: traded_notional must be >= 0, got {notional}")
    fees = _finite_number("fees_paid", fees_paid)

    previous = np.concatenate(([start], e[:-1]))
    alive = previous > 0
    returns = np.where(alive, e / np.where(alive, previous, 1.0) - 1.0, 0.0)
    bar_s = float(np.median(np.diff(t))) / 1000.0 if t.size > 1 else 0.0
    per_year = SECONDS_PER_YEAR / bar_s if bar_s > 0 else 0.0
    elapsed_s = (t[-1] - t[0]) / 1000.0 + bar_s
    final = float(e[-1])

    mean_r = float(np.mean(returns))
    std_r = float(np.std(returns, ddof=1)) if returns.size > 1 else 0.0
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    scale = math.sqrt(per_year)
    annualised = _cagr(final / start, elapsed_s)
    drawdown, dd_bars, dd_seconds = _drawdown(e, t, start, bar_s)

    wins = pnl[pnl > 0]
    losses = -pnl[pnl < 0]
    count = int(pnl.size)
    win_rate = wins.size / count if count else 0.0
    loss_rate = losses.size / count if count else 0.0
    expectancy = (float(wins.mean()) * win_rate if wins.size else 0.0) - (
        float(losses.mean()) * loss_rate if losses.size else 0.0
    )
    mean_equity = float(np.mean(e))

    return Metrics(
        total_return=final / start - 1.0,
        annualised_return=annualised,
        volatility=std_r * scale,
        sharpe=mean_r / std_r * scale if std_r > 0 else 0.0,
        sortino=_ratio_or_inf(mean_r * scale, downside),
        calmar=_ratio_or_inf(annualised, drawdown),
        max_drawdown=drawdown,
        max_drawdown_duration_bars=dd_bars,
        max_drawdown_duration_seconds=dd_seconds,
        win_rate=win_rate,
        profit_factor=_ratio_or_inf(float(wins.sum()), float(losses.sum())),
        expectancy=expectancy,
        average_trade=float(pnl.mean()) if count else 0.0,
        exposure=float(np.mean(held)),
        turnover=notional / mean_equity if mean_equity > 0 else 0.0,
        fees_paid=fees,
        trades=count,
        final_equity=final,
    )


def _ratio_or_inf(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; over 0 it is ``inf`` for a gain and 0 otherwise."""
    if denominator > 0:
        return numerator / denominator
    return math.inf if numerator > 0 else 0.0


def _cagr(growth: float, elapsed_s: float) -> float:
    if elapsed_s <= 0:
        return 0.0
    if growth <= 0:
        return -1.0
    exponent = math.log(growth) * (SECONDS_PER_YEAR / elapsed_s)
    # exp overflows past ~709: a +1% minute compounds to more than any float.
    return math.expm1(exponent) if exponent < 709.0 else math.inf


def _drawdown(
    e: npt.NDArray[np.float64], t: npt.NDArray[np.int64], start: float, bar_s: float
) -> tuple[float, int, float]:
    """Max drawdown, and the longest underwater spell in bars and in seconds."""
    peak = np.maximum.accumulate(np.concatenate(([start], e)))[1:]
    depth = float(np.max(1.0 - e / peak))
    under = (e < peak).astype(np.int8)
    edges = np.diff(np.concatenate(([0], under, [0])))
    first = np.flatnonzero(edges == 1)
    last = np.flatnonzero(edges == -1) - 1
    if first.size == 0:
        return depth, 0, 0.0
    close_s = t / 1000.0 + bar_s
    # The peak of a spell is the bar just before it (it was at the peak), or the start.
    peak_s = np.where(first > 0, close_s[np.maximum(first - 1, 0)], t[0] / 1000.0)
    longest_s = float(np.max(close_s[last] - peak_s))
    return depth, int(np.max(last - first + 1)), longest_s


def _finite_1d(name: str, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise MetricsError(f"metrics: {name} must be numbers") from None
    if array.ndim != 1:
        raise MetricsError(f"metrics: {name} must be 1-D, got shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise MetricsError(f"metrics: {name}[{bad[0]}] is {array[bad[0]]}, expected a number")
    return array


def _timestamps(values: npt.ArrayLike, bars: int) -> npt.NDArray[np.int64]:
    array = np.asarray(values)
    if array.ndim != 1 or array.size != bars:
        raise MetricsError(f"metrics: timestamps_ms has shape {array.shape} for {bars} bars")
    if not np.issubdtype(array.dtype, np.integer):
        raise MetricsError(f"metrics: timestamps_ms must be integers (ms), got {array.dtype}")
    stamps = array.astype(np.int64)
    steps = np.flatnonzero(np.diff(stamps) <= 0)
    if steps.size:
        i = int(steps[0])
        raise MetricsError(
            f"metrics: timestamps_ms must increase, got {stamps[i]} then {stamps[i + 1]} "
            f"at bar {i + 1}"
        )
    return stamps


def _finite_number(name: str, value: float) -> float:
    given: object = value
    if isinstance(given, bool) or not isinstance(
        given, int | float | Decimal | np.integer | np.floating
    ):
        raise MetricsError(f"metrics: {name} must be a number, got {value!r}")
    number = float(given)
    if not math.isfinite(number):
        raise MetricsError(f"metrics: {name} must be finite, got {number}")
    return number
