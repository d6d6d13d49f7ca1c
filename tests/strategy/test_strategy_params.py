"""Typed strategy parameters: defaults, types, bounds, "did you mean", overrides."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from moonai_tui.errors import StrategyError
from moonai_tui.strategy import Strategy, load_params, param, parse_param_overrides


class Demo(Strategy):
    name = "demo"
    fast: int = param(10, low=2, high=500)
    slow: int = 30
    threshold: float = 1
    allow_short: bool = True
    mode: str = param("close", choices=("close", "hl2"))
    LIMIT = 5
    cache: ClassVar[dict[str, int]] = {}

    def validate(self) -> None:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be below slow ({self.slow})")

    def target(self, bars: pd.DataFrame) -> pd.Series:
        return pd.Series(0.0, index=bars.index)


def test_defaults_and_declared_parameters() -> None:
    strategy = Demo()
    assert strategy.params == {
        "fast": 10,
        "slow": 30,
        "threshold": 1.0,
        "allow_short": True,
        "mode": "close",
    }
    assert isinstance(Demo.threshold, float)  # an int default widened to the declared float
    assert Demo.fast == 10  # the param() marker is replaced by its default on the class
    spec = Demo.parameters()["fast"]
    assert (spec.kind, spec.low, spec.high) == (int, 2, 500)
    assert repr(strategy).startswith("Demo(fast=10, slow=30")


def test_values_are_set_and_ints_widen_to_float() -> None:
    strategy = Demo(fast=5, threshold=2, allow_short=False, mode="hl2")
    assert (strategy.fast, strategy.threshold, strategy.allow_short) == (5, 2.0, False)
    assert isinstance(strategy.threshold, float)
    assert Demo().fast == 10  # instances do not share changes


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fast": True}, "parameter 'fast' must be int, got True (bool)"),
        ({"fast": 2.5}, "parameter 'fast' must be int, got 2.5 (float)"),
        ({"threshold": False}, "parameter 'threshold' must be float, got False (bool)"),
        ({"allow_short": 1}, "parameter 'allow_short' must be bool, got 1 (int)"),
        ({"mode": 3}, "parameter 'mode' must be str"),
        ({"fast": 1}, "parameter 'fast' must be >= 2, got 1"),
        ({"fast": 501, "slow": 600}, "parameter 'fast' must be <= 500, got 501"),
        ({"mode": "open"}, "parameter 'mode' must be one of close, hl2, got 'open'"),
        ({"fsat": 3}, "unknown parameter 'fsat'; did you mean 'fast'?"),
        ({"zzz": 3}, "unknown parameter 'zzz' (parameters: fast, slow, threshold"),
        ({"LIMIT": 3}, "'LIMIT' is not a parameter: annotate it"),
        ({"fast": 40}, "demo: fast (40) must be below slow (30)"),
    ],
)
def test_bad_values_fail_with_one_clear_line(params: dict[str, object], message: str) -> None:
    with pytest.raises(StrategyError) as caught:
        Demo(**params)  # type: ignore[arg-type]
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_subclass_changes_a_default_and_keeps_the_bounds() -> None:
    class Faster(Demo):
        fast = 4

    assert Faster().fast == 4
    assert Faster.parameters()["fast"].low == 2
    with pytest.raises(StrategyError, match="must be >= 2"):
        Faster(fast=1)


def test_bad_declarations_fail_when_the_class_is_built() -> None:
    with pytest.raises(StrategyError, match="'window' is annotated"):

        class BadType(Strategy):
            window: list[int] = [1]  # noqa: RUF012

    with pytest.raises(StrategyError, match="'fast' needs a default"):

        class NoDefault(Strategy):
            fast: int

    with pytest.raises(StrategyError, match=r"parameter 'fast' must be int, got 1\.5"):

        class WrongDefault(Strategy):
            fast: int = 1.5  # type: ignore[assignment]


def test_parse_param_overrides_reads_yaml_scalars() -> None:
    parsed = parse_param_overrides(["fast=5", "threshold=0.5", "allow_short=false", "mode=hl2"])
    assert parsed == {"fast": 5, "threshold": 0.5, "allow_short": False, "mode": "hl2"}
    assert type(parsed["fast"]) is int
    with pytest.raises(StrategyError, match="expected NAME=VALUE"):
        parse_param_overrides(["fast"])
    with pytest.raises(StrategyError, match="must be a number, true/false or text"):
        parse_param_overrides(["fast=[1, 2]"])


def test_load_params(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    assert load_params(path, "demo") == {}
    path.write_text("demo:\n  fast: 5\nother:\n", encoding="utf-8")
    assert load_params(path, "demo") == {"fast": 5}
    assert load_params(path, "other") == {}
    path.write_text("demo: [1, 2]\n", encoding="utf-8")
    with pytest.raises(StrategyError, match="'demo' must be a mapping"):
        load_params(path, "demo")
    path.write_text("demo: {fast: 5\n", encoding="utf-8")
    with pytest.raises(StrategyError, match="invalid YAML"):
        load_params(path, "demo")


def test_shipped_params_file_builds_every_shipped_strategy() -> None:
    from moonai_tui.strategy import DEFAULT_PARAMS_FILE, list_strategies, load_strategy

    folder = Path("strategies")
    names = [n for n in list_strategies(folder) if n != "ml"]
    assert {"sma_cross", "mean_reversion", "breakout"} <= set(names)
    for name in names:
        params = load_params(DEFAULT_PARAMS_FILE, name)
        assert params, f"{name} has no section in {DEFAULT_PARAMS_FILE}"
        strategy = load_strategy(name, folder, params)
        assert strategy.params == {**strategy.params, **params}


def test_window_sizes_are_checked() -> None:
    class Sized(Demo):
        size: int = 0

        def warmup(self) -> int:
            if self.size < 0:
                raise RuntimeError("no")
            return self.size

    assert Sized().sizes() == (0, 1_000)
    assert Sized(size=300).sizes() == (300, 3_000)
    assert Sized(size=300).live_window() == 3_000
    with pytest.raises(StrategyError, match="warmup\\(\\) raised RuntimeError: no"):
        Sized(size=-1).sizes()

    class Weird(Demo):
        def lookback(self) -> int:
            return True

    with pytest.raises(StrategyError, match="lookback\\(\\) must return an int >= 0, got True"):
        Weird().live_window()
