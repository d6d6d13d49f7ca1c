"""Fixtures for the strategy tests."""

from __future__ import annotations

import pandas as pd
import pytest
from strategy_bars import random_bars


@pytest.fixture
def bars() -> pd.DataFrame:
    return random_bars(3_000)
