"""Strategy parameters: typed class attributes, optional bounds, validation, overrides.

A parameter is a public class attribute annotated ``int``, ``float``, ``bool`` or
``str`` with a default (``fast: int = 10``). Bounds are optional and declared with
:func:`param` (``fast: int = param(10, low=2)``). Values from the params file or the
command line are checked against the declared type (a bool is not an int; an int
is accepted for a float) and bounds; an unknown name fails with a "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml

from moonai_tui.errors import StrategyError

ParamValue = int | float | bool | str
PARAM_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str}
DEFAULT_PARAMS_FILE = Path("config/strategy_params.yaml")
"""Where the strategies' parameters live, relative to the working directory."""

_T = TypeVar("_T", int, float, bool, str)


@dataclass(frozen=True, slots=True)
class _Declared:
    """What :func:`param` leaves on the class until the class is built."""

    default: ParamValue
    low: float | None
    high: float | None
    choices: tuple[str, ...]
    help: str


def param(
    default: _T,
    *,
    low: float | None = None,
    high: float | None = None,
    choices: Iterable[str] = (),
    help: str = "",
) -> _T:
    """A parameter default with inclusive bounds (numbers) or allowed values (strings).

    Typed as the default itself so ``fast: int = param(10, low=2)`` checks cleanly.
    """
    return cast(_T, _Declared(default, low, high, tuple(choices), help))


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One declared parameter."""

    name: str
    kind: type
    default: ParamValue
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""

    def coerce(self, value: object, owner: str) -> ParamValue:
        """``value`` checked against the type and bounds (ints widen to float).

        Raises:
            StrategyError: wrong type, out of bounds or not one of the choices.
        """
        kind = self.kind.__name__
        ok_type = isinstance(value, self.kind) and not (
            isinstance(value, bool) and self.kind is not bool
        )
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok_type = float(value), True
        if not ok_type:
            raise StrategyError(
                f"{owner}: parameter '{self.name}' must be {kind}, "
                f"got {value!r} ({type(value).__name__})"
            )
        checked = cast(ParamValue, value)
        if isinstance(checked, int | float) and not isinstance(checked, bool):
            if self.low is not None and checked < self.low:
                raise StrategyError(
                    f"{owner}: parameter '{self.name}' must be >= {self.low:g}, got {checked!r}"
                )
            if self.high is not None and checked > self.high:
                raise StrategyError(
                    f"{owner}: parameter '{self.name}' must be <= {self.high:g}, got {checked!r}"
                )
        if self.choices and checked not in self.choices:
            raise StrategyError(
                f"{owner}: parameter '{self.name}' must be one of "
                f"{', '.join(self.choices)}, got {checked!r}"
            )
        return checked


def collect_params(cls: type, inherited: Mapping[str, ParamSpec]) -> dict[str, ParamSpec]:
    """The parameters of ``cls``: ``inherited`` (its bases') plus its own declarations.

    :func:`param` markers on ``cls`` are replaced by their defaults; a subclass
    that only changes a default (``fast = 5``) keeps the inherited type and bounds.

    Raises:
        StrategyError: an annotated parameter with an unsupported type or no default,
            or a default that does not fit its type or bounds.
    """
    specs = dict(inherited)
    own = cls.__dict__
    annotations: dict[str, Any] = own.get("__annotations__", {})
    for name, annotation in annotations.items():
        if name.startswith("_") or name == "name" or _is_classvar(annotation):
            continue
        kind = _param_type(annotation)
        if kind is None:
            raise StrategyError(
                f"{cls.__name__}: parameter '{name}' is annotated {annotation!r}; "
                "parameters are int, float, bool or str (use ClassVar or a leading _ "
                "for other attributes)"
            )
        if name not in own and name not in specs:
            raise StrategyError(f"{cls.__name__}: parameter '{name}' needs a default value")
        if name in own:
            specs[name] = _declare(cls, name, kind, own[name], specs.get(name))
    for name, spec in list(specs.items()):
        if name in own and name not in annotations:  # a subclass changing a default
            specs[name] = _declare(cls, name, spec.kind, own[name], spec)
    return specs


def _declare(
    klass: type, name: str, kind: type, raw: object, inherited: ParamSpec | None
) -> ParamSpec:
    """The spec for ``raw`` (a value or a :func:`param` marker); bounds are inherited."""
    if isinstance(raw, _Declared):
        spec = ParamSpec(name, kind, raw.default, raw.low, raw.high, raw.choices, raw.help)
    elif inherited is not None:
        spec = ParamSpec(
            name,
            kind,
            cast(ParamValue, raw),
            inherited.low,
            inherited.high,
            inherited.choices,
            inherited.help,
        )
    else:
        spec = ParamSpec(name, kind, cast(ParamValue, raw))
    default = spec.coerce(spec.default, f"{klass.__name__} default")
    if default is not raw:
        setattr(klass, name, default)
    return ParamSpec(name, kind, default, spec.low, spec.high, spec.choices, spec.help)


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _param_type(annotation: Any) -> type | None:
    if isinstance(annotation, str):
        return PARAM_TYPES.get(annotation.strip())
    return annotation if annotation in (int, float, bool, str) else None


def unknown_param_message(owner: str, key: str, known: Iterable[str], plain: Iterable[str]) -> str:
    """'unknown parameter' with a "did you mean" hint and the list of known names."""
    names = list(known)
    if key in set(plain):
        return (
            f"{owner}: '{key}' is not a parameter: annotate it in the class (e.g. {key}: int = ...)"
        )
    hint = difflib.get_close_matches(key, names, n=1)
    maybe = f"; did you mean '{hint[0]}'?" if hint else ""
    listing = ", ".join(names) or "none"
    return f"{owner}: unknown parameter '{key}'{maybe} (parameters: {listing})"


def load_params(path: Path, name: str) -> dict[str, Any]:
    """The ``name:`` mapping of a strategy_params.yaml file (empty if absent).

    Raises:
        StrategyError: the file is not valid YAML or the section is not a mapping.
    """
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise StrategyError(f"{path}: invalid YAML ({exc})") from None
    if not isinstance(data, Mapping):
        raise StrategyError(f"{path}: expected a mapping of strategy name -> parameters")
    section = data.get(name) or {}
    if not isinstance(section, Mapping):
        raise StrategyError(f"{path}: '{name}' must be a mapping of parameters")
    return {str(key): value for key, value in section.items()}


def parse_param_overrides(items: Iterable[str]) -> dict[str, ParamValue]:
    """``["fast=5", "allow_short=false"]`` -> ``{"fast": 5, "allow_short": False}``.

    Values are read as YAML scalars (5 is an int, 5.0 a float, true a bool, other
    text a string), so they meet the same type checks as the params file.

    Raises:
        StrategyError: an item without ``=`` or with a value that is not a scalar.
    """
    out: dict[str, ParamValue] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise StrategyError(f"--param {item!r}: expected NAME=VALUE, e.g. fast=10")
        try:
            value = yaml.safe_load(text) if text.strip() else text
        except yaml.YAMLError:
            value = text
        if not isinstance(value, int | float | bool | str):
            raise StrategyError(f"--param {item!r}: the value must be a number, true/false or text")
        out[key] = value
    return out
