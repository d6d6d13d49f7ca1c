"""bar_column: the fast column read gives exactly what pandas' own column access gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from moonai_tui.strategy.bars import BAR_COLUMNS, bar_column, bars_from_matrix


@pytest.fixture
def bars() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    ts = np.arange(50, dtype=np.int64) * 60_000
    return bars_from_matrix(ts, 100 + rng.normal(size=(50, 5)))


@pytest.mark.parametrize("name", BAR_COLUMNS)
def test_standard_frame_matches_pandas(bars: pd.DataFrame, name: str) -> None:
    np.testing.assert_array_equal(bar_column(bars, name), bars[name].to_numpy())


def test_other_column_orders_and_extra_columns_fall_back(bars: pd.DataFrame) -> None:
    reordered = bars[list(reversed(BAR_COLUMNS))]
    np.testing.assert_array_equal(bar_column(reordered, "close"), bars["close"].to_numpy())
    extra = bars.assign(signal=1)
    np.testing.assert_array_equal(bar_column(extra, "open"), bars["open"].to_numpy())


def test_a_column_of_another_dtype_comes_back_as_float(bars: pd.DataFrame) -> None:
    mixed = bars.astype({"volume": np.int64})
    got = bar_column(mixed, "volume")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, bars["volume"].to_numpy().astype(np.int64))


def test_writing_through_the_view_cannot_change_the_frame(bars: pd.DataFrame) -> None:
    before = bars["close"].to_numpy().copy()
    column = bar_column(bars, "close")
    with pytest.raises(ValueError, match="read-only"):
        column[0] = 0.0
    np.testing.assert_array_equal(bars["close"].to_numpy(), before)
