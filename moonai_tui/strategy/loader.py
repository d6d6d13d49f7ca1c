"""Loading strategies from ``strategies/<name>.py`` and calling them safely.

Whatever goes wrong in a user's file (syntax error, failing import, exception at
import or inside ``target()``, no Strategy subclass, bad parameter) comes back as
one ``StrategyError`` naming the file and, when known, the line: the caller
reports it and carries on, the engine never stops for it.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from moonai_tui.errors import StrategyError
from moonai_tui.strategy.base import Strategy

MODULE_PREFIX = "moonai_strategies"
"""Package name the strategy files are imported under (``moonai_strategies.sma_cross``)."""

_R = TypeVar("_R")


def list_strategies(folder: Path) -> list[str]:
    """Names of the strategy files in ``folder`` (``sma_cross`` for sma_cross.py), sorted."""
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))


def load_strategy_class(name: str, folder: Path) -> type[Strategy]:
    """Import ``folder/name.py`` (fresh each time) and return its Strategy subclass.

    With several subclasses in the file, the one whose ``name`` equals the file's
    name is chosen.

    Raises:
        StrategyError: missing file, syntax or import error, exception at import,
            or no (or an ambiguous) Strategy subclass.
    """
    path = folder / f"{name}.py"
    if not path.is_file():
        known = ", ".join(list_strategies(folder)) or "none"
        raise StrategyError(f"{path}: no such strategy file (strategies in {folder}: {known})")
    module_name = f"{MODULE_PREFIX}.{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise StrategyError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs (dataclasses and pickling look modules up by name);
    # a reload replaces it.
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(module_name, None)
        raise StrategyError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise StrategyError(
            f"{_where(path, exc)}: {type(exc).__name__} at import: {_text(exc)}"
        ) from None
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Strategy)
        and value is not Strategy
        and value.__module__ == module_name
    ]
    if not classes:
        raise StrategyError(f"{path}: defines no subclass of moonai_tui.strategy.Strategy")
    if len(classes) > 1:
        named = [c for c in classes if c.name == name]
        if len(named) != 1:
            found = ", ".join(c.__name__ for c in classes)
            raise StrategyError(
                f"{path}: several Strategy subclasses ({found}); set name = '{name}' "
                "on the one to load"
            )
        classes = named
    classes[0]._source = path
    return classes[0]


def load_strategy(name: str, folder: Path, params: Mapping[str, Any]) -> Strategy:
    """Import ``folder/name.py`` and build its strategy with ``params``.

    Raises:
        StrategyError: as :func:`load_strategy_class`, or a bad parameter (unknown
            name with a "did you mean", wrong type, out of bounds), naming the file.
    """
    cls = load_strategy_class(name, folder)
    path = folder / f"{name}.py"
    try:
        return cls(**params)
    except StrategyError as exc:
        raise StrategyError(f"{path}: {exc}") from None
    except Exception as exc:
        raise StrategyError(f"{_where(path, exc)}: {type(exc).__name__}: {_text(exc)}") from None


def strategy_file(strategy: Strategy) -> Path | None:
    """The file the strategy's class was defined in, when known."""
    if type(strategy)._source is not None:
        return type(strategy)._source
    try:
        source = inspect.getsourcefile(type(strategy))
    except TypeError:
        return None
    return Path(source) if source else None


def call_strategy(strategy: Strategy, what: str, func: Callable[[], _R]) -> _R:
    """Run ``func`` (a call into the strategy); any exception becomes a StrategyError.

    The message names the strategy's file and the deepest line of it in the
    traceback, e.g. ``strategies/x.py:12: target() raised ZeroDivisionError: ...``.
    """
    try:
        return func()
    except StrategyError:
        raise
    except Exception as exc:
        path = strategy_file(strategy)
        where = _where(path, exc) if path is not None else strategy.label
        raise StrategyError(f"{where}: {what} raised {type(exc).__name__}: {_text(exc)}") from None


def evaluate_target(strategy: Strategy, bars: pd.DataFrame) -> pd.Series:
    """``strategy.target(bars)`` checked: a float64 Series on ``bars.index`` of -1/0/+1/NaN.

    A numpy array of the right length is accepted and put on ``bars.index``.

    Raises:
        StrategyError: ``target()`` raised, or returned the wrong type, length,
            index or values (naming the first bad bar).
    """
    return pd.Series(target_values(strategy, bars), index=bars.index, dtype=np.float64)


def target_values(strategy: Strategy, bars: pd.DataFrame) -> npt.NDArray[np.float64]:
    """As :func:`evaluate_target`, as a plain array: the live runner's per-bar call,
    which skips building a Series it only reads the last value of.

    Raises:
        StrategyError: as :func:`evaluate_target`.
    """
    # Typed loosely on purpose: user code may return anything.
    out: object = call_strategy(strategy, "target()", lambda: strategy.target(bars))
    if isinstance(out, pd.Series):
        if len(out) != len(bars) or not out.index.equals(bars.index):
            raise StrategyError(
                f"{_label(strategy)}: target() must return a Series on bars.index "
                f"({len(bars)} bars), got {len(out)} values on another index"
            )
        values = out.to_numpy(dtype=np.float64, na_value=np.nan)
    elif isinstance(out, np.ndarray) and out.ndim == 1 and len(out) == len(bars):
        values = out.astype(np.float64)
    else:
        raise StrategyError(
            f"{_label(strategy)}: target() must return a pandas Series on bars.index, "
            f"got {type(out).__name__}"
        )
    bad = ~(np.isnan(values) | (values == 1.0) | (values == 0.0) | (values == -1.0))
    if bad.any():
        at = int(np.argmax(bad))
        raise StrategyError(
            f"{_label(strategy)}: target() is {float(values[at])!r} at {bars.index[at]} "
            f"(bar {at}); expected -1, 0, +1 or NaN"
        )
    return values


def _label(strategy: Strategy) -> str | Path:
    return strategy_file(strategy) or strategy.label


STOP_COLUMNS = ("stop_loss_pct", "take_profit_pct")


def evaluate_stops(strategy: Strategy, bars: pd.DataFrame) -> pd.DataFrame | None:
    """``strategy.stops(bars)`` checked: None, or float64 columns out of ``STOP_COLUMNS``
    on ``bars.index`` with values > 0 or NaN.

    Raises:
        StrategyError: ``stops()`` raised or returned something else.
    """
    out: object = call_strategy(strategy, "stops()", lambda: strategy.stops(bars))
    if out is None:
        return None
    where = _label(strategy)
    if not isinstance(out, pd.DataFrame) or not out.index.equals(bars.index):
        raise StrategyError(f"{where}: stops() must return None or a DataFrame on bars.index")
    extra = sorted(set(map(str, out.columns)) - set(STOP_COLUMNS))
    if extra:
        raise StrategyError(
            f"{where}: stops() has unknown columns {', '.join(extra)}; "
            f"expected {', '.join(STOP_COLUMNS)}"
        )
    frame = out.astype(np.float64)
    for column in frame.columns:
        values = frame[column].to_numpy()
        bad = ~(np.isnan(values) | (values > 0))
        if bad.any():
            at = int(np.argmax(bad))
            raise StrategyError(
                f"{where}: stops() {column} is {float(values[at])!r} at {bars.index[at]}; "
                "expected a fraction > 0 or NaN"
            )
    return frame


def _where(path: Path, exc: BaseException) -> str:
    """``path:line`` of the deepest frame of ``path`` in the traceback (``path`` if none)."""
    resolved = str(path.resolve())
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if f.filename in (str(path), resolved)
    ]
    return f"{path}:{frames[-1].lineno}" if frames else str(path)


def _text(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else "(no message)"
