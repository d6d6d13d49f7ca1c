"""Strategies: a small base class and a loader for files in ``strategies/``.

This is the first cut the trading path needs (one bar-close hook); the full
strategy API (vectorised signals, backtests, causality checks) extends it.
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml

from moonai_tui.domain import Side
from moonai_tui.errors import StrategyError


@dataclass(frozen=True, slots=True)
class Signal:
    """What a strategy wants now: an entry side (None = flat), how sure, and why."""

    side: Side | None
    confidence: float
    reasons: str


class BarStrategy:
    """Base class: typed class attributes are the parameters; ``on_bars`` runs at bar close."""

    name: ClassVar[str] = ""

    def __init__(self, **params: Any) -> None:
        known = {key: value for key, value in vars(type(self)).items() if _is_param(key, value)}
        for base in type(self).__mro__[1:]:
            for key, value in vars(base).items():
                if _is_param(key, value):
                    known.setdefault(key, value)
        for key, value in params.items():
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                maybe = f"; did you mean '{hint[0]}'?" if hint else ""
                raise StrategyError(
                    f"{self.name or type(self).__name__}: unknown parameter '{key}'{maybe}"
                )
            expected = type(known[key])
            if not isinstance(value, expected) or isinstance(value, bool) != isinstance(
                known[key], bool
            ):
                raise StrategyError(
                    f"{self.name}: parameter '{key}' must be {expected.__name__}, got {value!r}"
                )
            setattr(self, key, value)

    def on_bars(self, closes: Sequence[float]) -> Signal | None:
        """Called at each bar close with the closes so far (oldest first, last = just closed)."""
        raise NotImplementedError


def _is_param(key: str, value: object) -> bool:
    return not key.startswith("_") and key != "name" and isinstance(value, (int, float, bool))


def load_params(path: Path, name: str) -> dict[str, Any]:
    """The ``name:`` mapping of a strategy_params.yaml file (empty if absent)."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise StrategyError(f"{path}: invalid YAML ({exc})") from None
    section = data.get(name, {}) if isinstance(data, Mapping) else {}
    if not isinstance(section, Mapping):
        raise StrategyError(f"{path}: '{name}' must be a mapping of parameters")
    return dict(section)


def load_strategy(name: str, folder: Path, params: Mapping[str, Any]) -> BarStrategy:
    """Import ``folder/name.py`` and build its strategy class with ``params``.

    Raises:
        StrategyError: one line naming the file (and line) for a missing file, a
            syntax or import error, no strategy class, or a bad parameter.
    """
    path = folder / f"{name}.py"
    if not path.is_file():
        raise StrategyError(f"{path}: no such strategy file")
    spec = importlib.util.spec_from_file_location(f"moonai_strategies.{name}", path)
    if spec is None or spec.loader is None:
        raise StrategyError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise StrategyError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:
        line = _line_in(path, exc)
        raise StrategyError(f"{path}{line}: {exc.__class__.__name__}: {exc}") from None
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BarStrategy) and value is not BarStrategy
    ]
    if not classes:
        raise StrategyError(f"{path}: defines no BarStrategy subclass")
    strategy = classes[0](**params)
    sys.modules.pop(spec.name, None)
    return strategy


def _line_in(path: Path, exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return f":{frames[-1].lineno}" if frames else ""
