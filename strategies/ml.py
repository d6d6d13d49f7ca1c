"""ML signal: the registry's active model (or a pinned version) predicts down/flat/up at
each bar close; long or short when that side's probability reaches ``min_confidence``,
flat otherwise. No model, a corrupt artifact or bars inside the training range: no signal.
Train one with ``moonai-tui train --symbol BTC/USDT:USDT``."""

from __future__ import annotations

import pandas as pd

from moonai_tui.ml.context import defaults
from moonai_tui.ml.features import LIVE_WINDOW, WARMUP
from moonai_tui.ml.live import ModelSlot, ModelSource
from moonai_tui.strategy import Strategy, param


class MlSignal(Strategy):
    name = "ml"
    symbol: str = param("BTC/USDT:USDT", help="market whose model is used")
    timeframe: str = param("1m", help="timeframe of that model")
    version: int = param(0, low=0, help="model version; 0 = the active one")
    min_confidence: float = param(0.0, low=0.0, high=1.0, help="0 = ml.min_confidence")
    model_file: str = param("", help="artifact file instead of the registry (research)")

    def _slot(self) -> ModelSlot:
        if not hasattr(self, "_model_slot"):
            source = ModelSource(self.symbol, self.timeframe, self.version, self.model_file)
            self._model_slot = ModelSlot(source)
        return self._model_slot

    def _threshold(self) -> float:
        return self.min_confidence if self.min_confidence > 0 else defaults().min_confidence

    def warmup(self) -> int:
        return WARMUP

    def lookback(self) -> int:
        return LIVE_WINDOW

    def target(self, bars: pd.DataFrame) -> pd.Series:
        return self._slot().targets(bars, self._threshold())

    def explain(self, bars: pd.DataFrame) -> tuple[float, str]:
        return self._slot().explain(bars)
