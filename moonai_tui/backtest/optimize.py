"""Parameter search: a grid or an Optuna (TPE) search over a strategy's typed parameters.

The space names some parameters; every other one keeps its base value (the params file
and ``--param`` overrides). Each point is one full backtest with the given config, scored
by one metric of :class:`~moonai_tui.backtest.metrics.Metrics`: higher is better except
for the costs in :data:`MINIMISE` (drawdown, volatility, fees, turnover). A point the
strategy rejects (``validate()``, e.g. ``fast >= slow``, or a value out of the declared
bounds) is recorded as invalid and never chosen.

Space syntax, one item per parameter (``--space``):

* ``NAME=a,b,c``: these values (any type; ``true,false`` for a bool);
* ``NAME=LOW:HIGH:STEP``: ``LOW, LOW+STEP, ...`` up to ``HIGH`` inclusive (numbers);
* ``NAME=LOW:HIGH``: a range; the grid steps it by 1 (ints only), Optuna samples it
  (floats continuously).

Determinism: the grid is walked in a fixed order and ties go to the first point; Optuna
uses a TPE sampler seeded with ``seed``, so the same data, space and seed give the same
trials and the same best point.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import pandas as pd

from moonai_tui.backtest.config import BacktestConfig
from moonai_tui.backtest.metrics import Metrics
from moonai_tui.backtest.run import BacktestResult, run_backtest
from moonai_tui.errors import StrategyError
from moonai_tui.strategy.base import Strategy
from moonai_tui.strategy.params import ParamSpec, ParamValue

Method = Literal["grid", "optuna"]
Progress = Callable[[float], None]

METRICS: tuple[str, ...] = tuple(f.name for f in fields(Metrics))
MINIMISE = frozenset(
    {
        "max_drawdown",
        "max_drawdown_duration_bars",
        "max_drawdown_duration_seconds",
        "volatility",
        "fees_paid",
        "turnover",
    }
)
"""Metrics where lower is better; every other metric is maximised."""
MAX_GRID_POINTS = 100_000
"""A bigger grid is refused: narrow the space or use Optuna."""


@dataclass(frozen=True, slots=True)
class ParamRange:
    """The values one parameter may take: explicit ``values``, or ``low..high`` by ``step``."""

    name: str
    kind: type
    values: tuple[ParamValue, ...] = ()
    low: float | None = None
    high: float | None = None
    step: float | None = None

    def grid(self) -> list[ParamValue]:
        """Every value the grid tries, in order.

        Raises:
            StrategyError: a float range without a step (a grid needs one).
        """
        if self.values:
            return list(self.values)
        assert self.low is not None and self.high is not None
        step = self.step
        if step is None:
            if self.kind is not int:
                raise StrategyError(
                    f"--space {self.name}: a float range needs a step for a grid, "
                    f"e.g. {self.name}={self.low:g}:{self.high:g}:0.5"
                )
            step = 1
        count = math.floor((self.high - self.low) / step + 1e-9) + 1
        points = [self.low + i * step for i in range(count)]
        if self.kind is int:
            return [round(p) for p in points]
        return [round(p, 12) for p in points]


@dataclass(frozen=True, slots=True)
class Trial:
    """One evaluated point."""

    number: int
    params: dict[str, ParamValue]
    value: float | None
    """The objective (None = the strategy rejected the point)."""
    metrics: Metrics | None = None
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: params, value (inf as None), trades and the error if any."""
        return {
            "number": self.number,
            "params": self.params,
            "value": self.value if self.value is None or math.isfinite(self.value) else None,
            "trades": None if self.metrics is None else self.metrics.trades,
            "error": self.error or None,
        }


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    """All trials and the best one."""

    method: Method
    metric: str
    trials: list[Trial]
    best: Trial
    params: dict[str, ParamValue] = field(default_factory=dict)
    """The best point merged into the base parameters: what to run or trade."""

    @property
    def valid_trials(self) -> int:
        return sum(1 for t in self.trials if t.value is not None)


def check_metric(metric: str) -> str:
    """``metric`` if it is a Metrics field.

    Raises:
        StrategyError: naming the known metrics.
    """
    if metric not in METRICS:
        raise StrategyError(f"--metric {metric!r} is not a metric; expected one of {METRICS}")
    return metric


def parse_space(cls: type[Strategy], items: Sequence[str]) -> list[ParamRange]:
    """The search space from ``NAME=...`` items (module docstring), checked against ``cls``.

    Raises:
        StrategyError: an unknown parameter ("did you mean"), a malformed item, a value of
            the wrong type or out of bounds, or no item at all.
    """
    if not items:
        raise StrategyError("the search space is empty; give at least one --space NAME=...")
    specs = cls.parameters()
    ranges: list[ParamRange] = []
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise StrategyError(f"--space {item!r}: expected NAME=a,b,c or NAME=LOW:HIGH[:STEP]")
        spec = specs.get(name)
        if spec is None:
            from moonai_tui.strategy.params import unknown_param_message

            raise StrategyError(unknown_param_message(f"--space {item!r}", name, specs, ()))
        if any(r.name == name for r in ranges):
            raise StrategyError(f"--space {name}: given twice")
        ranges.append(_parse_range(item, spec, text.strip()))
    return ranges


def _parse_range(item: str, spec: ParamSpec, text: str) -> ParamRange:
    import yaml

    def scalar(word: str) -> ParamValue:
        try:
            value = yaml.safe_load(word)
        except yaml.YAMLError:
            value = word
        value = word if value is None else value
        if not isinstance(value, int | float | bool | str):
            raise StrategyError(f"--space {item!r}: {word!r} is not a value")
        return spec.coerce(value, f"--space {item!r}")

    if ":" in text and spec.kind in (int, float):
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise StrategyError(f"--space {item!r}: a range is LOW:HIGH or LOW:HIGH:STEP")
        bounds = [float(scalar(p)) for p in parts]
        low, high = bounds[0], bounds[1]
        step = bounds[2] if len(bounds) == 3 else None
        if high < low or (step is not None and step <= 0):
            raise StrategyError(f"--space {item!r}: need LOW <= HIGH and STEP > 0")
        return ParamRange(spec.name, spec.kind, (), low, high, step)
    values = tuple(dict.fromkeys(scalar(word.strip()) for word in text.split(",")))
    return ParamRange(spec.name, spec.kind, values)


def evaluate(
    cls: type[Strategy],
    params: Mapping[str, ParamValue],
    bars: pd.DataFrame,
    config: BacktestConfig,
    metric: str,
    number: int = 0,
) -> tuple[Trial, BacktestResult | None]:
    """Backtest ``cls(**params)`` on ``bars``; a rejected point is an invalid trial.

    Raises:
        StrategyError: ``target()`` raised or returned bad values (a broken strategy, not
            a bad point: the search stops).
    """
    try:
        strategy = cls(**params)
    except StrategyError as exc:
        return Trial(number, dict(params), None, error=str(exc)), None
    result = run_backtest(strategy, bars, config)
    value = float(getattr(result.metrics, metric))
    return Trial(number, dict(params), value, result.metrics), result


def better(metric: str, a: float, b: float) -> bool:
    """Whether ``a`` beats ``b`` on ``metric`` (strictly: ties keep the earlier point)."""
    return a < b if metric in MINIMISE else a > b


def grid_search(
    cls: type[Strategy],
    base: Mapping[str, ParamValue],
    space: Sequence[ParamRange],
    bars: pd.DataFrame,
    config: BacktestConfig,
    metric: str,
    progress: Progress | None = None,
) -> OptimizeResult:
    """Every point of the space's cartesian product, in order.

    Raises:
        StrategyError: a grid over :data:`MAX_GRID_POINTS`, or no valid point.
    """
    axes = [r.grid() for r in space]
    total = math.prod(len(a) for a in axes)
    if total > MAX_GRID_POINTS:
        raise StrategyError(
            f"the grid has {total:,} points (more than {MAX_GRID_POINTS:,}); "
            "narrow --space or use --method optuna"
        )
    trials: list[Trial] = []
    for number, values in enumerate(itertools.product(*axes)):
        point = {**base, **{r.name: v for r, v in zip(space, values, strict=True)}}
        trial, _ = evaluate(cls, point, bars, config, metric, number)
        trials.append(trial)
        if progress is not None:
            progress((number + 1) / total)
    return _result("grid", metric, trials)


def optuna_search(
    cls: type[Strategy],
    base: Mapping[str, ParamValue],
    space: Sequence[ParamRange],
    bars: pd.DataFrame,
    config: BacktestConfig,
    metric: str,
    trials: int,
    seed: int,
    progress: Progress | None = None,
) -> OptimizeResult:
    """``trials`` points chosen by a seeded TPE sampler.

    Raises:
        StrategyError: ``trials`` < 1, or no valid point.
    """
    import optuna

    if trials < 1:
        raise StrategyError(f"--trials is {trials}; expected at least 1")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    direction: Literal["minimize", "maximize"] = "minimize" if metric in MINIMISE else "maximize"
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
    done: list[Trial] = []

    def objective(trial: optuna.Trial) -> float:
        point = {**base, **{r.name: _suggest(trial, r) for r in space}}
        result, _ = evaluate(cls, point, bars, config, metric, trial.number)
        done.append(result)
        if progress is not None:
            progress(len(done) / trials)
        if result.value is None:
            raise optuna.TrialPruned(result.error)
        return result.value

    study.optimize(objective, n_trials=trials)
    return _result("optuna", metric, done)


def optimize(
    method: Method,
    cls: type[Strategy],
    base: Mapping[str, ParamValue],
    space: Sequence[ParamRange],
    bars: pd.DataFrame,
    config: BacktestConfig,
    metric: str,
    *,
    trials: int = 100,
    seed: int = 0,
    progress: Progress | None = None,
) -> OptimizeResult:
    """:func:`grid_search` or :func:`optuna_search`."""
    check_metric(metric)
    if method == "grid":
        return grid_search(cls, base, space, bars, config, metric, progress)
    if method == "optuna":
        return optuna_search(cls, base, space, bars, config, metric, trials, seed, progress)
    raise StrategyError(f"--method {method!r}; expected grid or optuna")


def _suggest(trial: Any, r: ParamRange) -> ParamValue:
    if r.values:
        value: ParamValue = trial.suggest_categorical(r.name, list(r.values))
        return value
    assert r.low is not None and r.high is not None
    if r.kind is int:
        step = int(r.step) if r.step is not None else 1
        return int(trial.suggest_int(r.name, int(r.low), int(r.high), step=step))
    if r.step is not None:
        # Optuna needs (high - low) to be a multiple of the step: stop at the last one.
        high = r.low + math.floor((r.high - r.low) / r.step + 1e-9) * r.step
        return float(trial.suggest_float(r.name, r.low, high, step=r.step))
    return float(trial.suggest_float(r.name, r.low, r.high))


def _result(method: Method, metric: str, trials: list[Trial]) -> OptimizeResult:
    best: Trial | None = None
    for trial in trials:
        if trial.value is None or math.isnan(trial.value):
            continue
        if best is None or (best.value is not None and better(metric, trial.value, best.value)):
            best = trial
    if best is None:
        first = trials[0].error if trials else "no trials ran"
        raise StrategyError(f"no valid parameter point in the search space ({first})")
    return OptimizeResult(method, metric, trials, best, dict(best.params))
