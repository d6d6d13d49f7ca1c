"""Loading strategy files: every kind of broken file is one StrategyError naming file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moonai_tui.errors import StrategyError
from moonai_tui.strategy import (
    Strategy,
    evaluate_stops,
    evaluate_target,
    list_strategies,
    load_strategy,
)

GOOD = """\
import pandas as pd
from moonai_tui.strategy import Strategy


class Flip(Strategy):
    name = "flip"
    every: int = 3

    def warmup(self) -> int:
        return 1

    def target(self, bars: pd.DataFrame) -> pd.Series:
        up = (pd.Series(range(len(bars)), index=bars.index) // self.every) % 2 == 0
        return up.astype(float) * 2 - 1
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_file_loads_with_params_and_is_listed(tmp_path: Path, bars: pd.DataFrame) -> None:
    write(tmp_path, "flip", GOOD)
    write(tmp_path, "_private", GOOD)
    strategy = load_strategy("flip", tmp_path, {"every": 2})
    assert isinstance(strategy, Strategy) and strategy.params == {"every": 2}
    target = evaluate_target(strategy, bars.iloc[:6])
    assert target.tolist() == [1.0, 1.0, -1.0, -1.0, 1.0, 1.0]
    assert list_strategies(tmp_path) == ["flip"]
    assert list_strategies(tmp_path / "missing") == []


def test_a_file_is_reloaded_fresh(tmp_path: Path) -> None:
    write(tmp_path, "flip", GOOD)
    assert load_strategy("flip", tmp_path, {}).params == {"every": 3}
    write(tmp_path, "flip", GOOD.replace("every: int = 3", "every: int = 5"))
    assert load_strategy("flip", tmp_path, {}).params == {"every": 5}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = 1\ndef broken(:\n    pass\n", "broken.py:2: syntax error"),
        ("import no_such_module_xyz\n", "broken.py:1: ModuleNotFoundError at import"),
        ("x = 1\n\nraise RuntimeError('boom')\n", "broken.py:3: RuntimeError at import: boom"),
        ("x = 1\n", "broken.py: defines no subclass of moonai_tui.strategy.Strategy"),
        (
            "from moonai_tui.strategy import Strategy\n\n"
            "class Bad(Strategy):\n    fast: int = 'ten'\n",
            "broken.py:3: StrategyError at import: Bad default: parameter 'fast' must be int",
        ),
        (
            "from moonai_tui.strategy import Strategy\n"
            "class A(Strategy):\n    pass\n"
            "class B(Strategy):\n    pass\n",
            "broken.py: several Strategy subclasses (A, B); set name = 'broken'",
        ),
    ],
)
def test_broken_files_give_one_line_naming_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    write(tmp_path, "broken", text)
    with pytest.raises(StrategyError) as caught:
        load_strategy("broken", tmp_path, {})
    message = str(caught.value)
    assert expected in message
    assert str(tmp_path) in message and "\n" not in message


def test_missing_file_lists_what_exists(tmp_path: Path) -> None:
    write(tmp_path, "flip", GOOD)
    with pytest.raises(StrategyError, match=r"nope\.py: no such strategy file .*: flip\)"):
        load_strategy("nope", tmp_path, {})


def test_bad_parameter_names_the_file_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, "flip", GOOD)
    with pytest.raises(StrategyError) as caught:
        load_strategy("flip", tmp_path, {"evrey": 2})
    assert str(caught.value) == (
        f"{path}: flip: unknown parameter 'evrey'; did you mean 'every'? (parameters: every)"
    )
    with pytest.raises(StrategyError, match="parameter 'every' must be int, got True"):
        load_strategy("flip", tmp_path, {"every": True})


def test_exception_inside_target_names_the_line(tmp_path: Path, bars: pd.DataFrame) -> None:
    path = write(
        tmp_path,
        "div",
        """\
        import pandas as pd
        from moonai_tui.strategy import Strategy


        class Div(Strategy):
            def target(self, bars: pd.DataFrame) -> pd.Series:
                zero = 0
                return bars["close"] / zero // 0 if zero else 1 / zero
        """,
    )
    strategy = load_strategy("div", tmp_path, {})
    with pytest.raises(StrategyError) as caught:
        evaluate_target(strategy, bars)
    assert str(caught.value) == f"{path}:8: target() raised ZeroDivisionError: division by zero"


class Returns(Strategy):
    value: str = "ok"

    def target(self, bars: pd.DataFrame) -> pd.Series:
        n = len(bars)
        if self.value == "half":
            return pd.Series(np.where(np.arange(n) == 5, 0.5, 1.0), index=bars.index)
        if self.value == "short":
            return pd.Series(1.0, index=bars.index[:-1])
        if self.value == "list":
            return [1.0] * n  # type: ignore[return-value]
        if self.value == "array":
            return np.ones(n)  # type: ignore[return-value]
        return pd.Series(True, index=bars.index)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("half", "target() is 0.5 at 2024-01-01 00:05:00+00:00 (bar 5); expected -1, 0, +1"),
        ("short", "target() must return a Series on bars.index (10 bars), got 9 values"),
        ("list", "target() must return a pandas Series on bars.index, got list"),
    ],
)
def test_invalid_targets_are_refused(bars: pd.DataFrame, value: str, expected: str) -> None:
    with pytest.raises(StrategyError) as caught:
        evaluate_target(Returns(value=value), bars.iloc[:10])
    assert expected in str(caught.value)


def test_bools_and_arrays_are_accepted_as_floats(bars: pd.DataFrame) -> None:
    for value in ("ok", "array"):
        target = evaluate_target(Returns(value=value), bars.iloc[:4])
        assert target.dtype == np.float64 and target.tolist() == [1.0] * 4
        assert target.index.equals(bars.index[:4])


class Stops(Strategy):
    column: str = "stop_loss_pct"
    value: float = 0.02

    def target(self, bars: pd.DataFrame) -> pd.Series:
        return pd.Series(1.0, index=bars.index)

    def stops(self, bars: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({self.column: self.value}, index=bars.index)


def test_stops_are_checked(bars: pd.DataFrame) -> None:
    frame = evaluate_stops(Stops(), bars.iloc[:3])
    assert frame is not None and frame["stop_loss_pct"].tolist() == [0.02] * 3
    with pytest.raises(StrategyError, match="unknown columns stop; expected stop_loss_pct"):
        evaluate_stops(Stops(column="stop"), bars.iloc[:3])
    with pytest.raises(StrategyError, match=r"stop_loss_pct is -0\.5 at .*fraction > 0 or NaN"):
        evaluate_stops(Stops(value=-0.5), bars.iloc[:3])
