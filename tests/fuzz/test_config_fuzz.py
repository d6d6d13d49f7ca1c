"""Any settings file or MOONAI_ environment gives Settings or one ConfigError line, nothing else."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from fuzz_settings import fuzz
from hypothesis import given
from hypothesis import strategies as st

from moonai_tui.config import DEFAULT_CONFIG_PATH, Settings, load_settings
from moonai_tui.errors import ConfigError

# With no file given, the shipped file is read when the working folder has one.
DEFAULT_SOURCE = DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.is_file() else "built-in defaults"
SECTIONS = {
    name: list(type(getattr(Settings(), name)).model_fields)
    for name in ("sim", "feeds", "ui", "risk", "trade", "bybit")
}
TOP = [name for name in Settings.model_fields if name not in SECTIONS]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**65), max_value=2**65),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["sim", "bybit", "live", "1m", "BTC/USDT:USDT", "0", "-1", "1e999", "~"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
# Keys mostly real (so values reach the validators), sometimes misspelt or odd.
odd = st.sampled_from(["a\nb", "x\ry", "tab\there", "\u2028", "\x00", "é", ""])
key_names = st.one_of(st.sampled_from(TOP), st.text(max_size=10), odd)
section = st.sampled_from(sorted(SECTIONS)).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.dictionaries(
            st.one_of(st.sampled_from(SECTIONS[name]), st.text(max_size=8), odd), values, max_size=4
        ),
    )
)
documents = st.one_of(
    st.dictionaries(key_names, values, max_size=4),
    st.lists(section, max_size=3).map(dict),
    st.builds(
        lambda a, b: {**a, **b}, st.dictionaries(key_names, values), st.lists(section).map(dict)
    ),
    values,
)


def expect_settings_or_one_line(path: Path | None) -> None:
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        message = str(exc)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        assert message.startswith(str(path or DEFAULT_SOURCE)), message
        return
    assert isinstance(settings, Settings)


@fuzz(300)
@given(documents)
def test_any_yaml_document(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    expect_settings_or_one_line(path)


@fuzz(200)
@given(st.text(max_size=200))
def test_any_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    expect_settings_or_one_line(path)


@fuzz(100)
@given(st.binary(max_size=100))
def test_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(data)
    expect_settings_or_one_line(path)


ENV_NAMES = [f"MOONAI_{name.upper()}" for name in TOP] + [
    f"MOONAI_{section.upper()}__{field.upper()}"
    for section, fields in SECTIONS.items()
    for field in fields
]


@fuzz(200)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(ENV_NAMES), st.sampled_from(["MOONAI_SIM", "MOONAI_BYBIT"])),
        st.one_of(st.text(max_size=20).map(lambda t: t.replace("\x00", "")), st.just("{}")),
        max_size=4,
    )
)
def test_any_environment(environment: dict[str, str]) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOONAI_")}
    with mock.patch.dict(os.environ, {**clean, **environment}, clear=True):
        expect_settings_or_one_line(None)
