"""Indicator speed on 1M synthetic bars, against pandas (and TA-Lib when it is importable).

Run by hand: `.venv/bin/python bench/indicators_speed.py [--bars 1000000 --runs 15]`.
TA-Lib is an optional peer, not a project dependency: used when importable (e.g.
`pip install --target DIR TA-Lib`, then `PYTHONPATH=DIR`). Target: SMA(20) on 1M bars
well under 20 ms. Also prints the cold start (import plus first call in a fresh process,
i.e. numba's cache load) so a regression in it shows up.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from moonai_tui import indicators as ind


def _median_ms(call: Callable[[], object], runs: int) -> float:
    call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e3


def _cold_start_s() -> float:
    code = (
        "import time; t = time.perf_counter(); import numpy as np; "
        "from moonai_tui import indicators as ind; x = np.linspace(1.0, 2.0, 100_000); "
        "ind.sma(x, 20); ind.ema(x, 20); ind.rsi(x); ind.macd(x); ind.bollinger(x); "
        "ind.zscore(x); ind.rolling_volatility(x); "
        "ind.atr(x, x, x); ind.donchian(x, x); ind.vwap(x, x, x, x); ind.vwap(x, x, x, x, 20); "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    close = 60_000.0 + np.cumsum(rng.normal(0.0, 10.0, args.bars))
    high = close + rng.uniform(0.0, 20.0, args.bars)
    low = close - rng.uniform(0.0, 20.0, args.bars)
    volume = rng.uniform(0.0, 5.0, args.bars)
    frame = pd.Series(close)
    try:
        import talib  # type: ignore[import-not-found]
    except ImportError:
        talib = None
    cases: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("sma 20", lambda: ind.sma(close, 20), lambda: frame.rolling(20).mean()),
        ("sma 200", lambda: ind.sma(close, 200), lambda: frame.rolling(200).mean()),
        ("ema 20", lambda: ind.ema(close, 20), lambda: frame.ewm(span=20, adjust=False).mean()),
        ("rsi 14", lambda: ind.rsi(close), None),
        ("macd", lambda: ind.macd(close), None),
        ("bollinger 20", lambda: ind.bollinger(close), lambda: frame.rolling(20).std(ddof=0)),
        ("atr 14", lambda: ind.atr(high, low, close), None),
        ("donchian 20", lambda: ind.donchian(high, low), lambda: frame.rolling(20).max()),
        ("vwap", lambda: ind.vwap(high, low, close, volume), None),
        ("vwap 20", lambda: ind.vwap(high, low, close, volume, 20), None),
        ("rolling_vol 20", lambda: ind.rolling_volatility(close), None),
        ("zscore 20", lambda: ind.zscore(close), None),
    ]
    talib_calls: dict[str, Callable[[], object]] = {}
    if talib is not None:
        talib_calls = {
            "sma 20": lambda: talib.SMA(close, 20),
            "sma 200": lambda: talib.SMA(close, 200),
            "ema 20": lambda: talib.EMA(close, 20),
            "rsi 14": lambda: talib.RSI(close, 14),
            "macd": lambda: talib.MACD(close),
            "bollinger 20": lambda: talib.BBANDS(close, 20),
            "atr 14": lambda: talib.ATR(high, low, close, 14),
        }
    print(f"{args.bars:,} bars, median of {args.runs} runs (ms); ratio = peer / ours")
    print(f"{'indicator':<16}{'ours':>9}{'pandas':>9}{'ratio':>7}{'talib':>9}{'ratio':>7}")
    for name, ours_call, pandas_call in cases:
        ours = _median_ms(ours_call, args.runs)
        line = f"{name:<16}{ours:>9.2f}"
        if pandas_call is not None:
            peer = _median_ms(pandas_call, args.runs)
            line += f"{peer:>9.2f}{peer / ours:>7.2f}"
        else:
            line += f"{'':>16}"
        if name in talib_calls:
            peer = _median_ms(talib_calls[name], args.runs)
            line += f"{peer:>9.2f}{peer / ours:>7.2f}"
        print(line)
    sma_ms = _median_ms(lambda: ind.sma(close, 20), args.runs)
    print(f"target sma 20 < 20 ms: {'met' if sma_ms < 20.0 else 'MISSED'} ({sma_ms:.2f} ms)")
    print(
        f"cold start (fresh process, import + first call of each, 100k bars): "
        f"{_cold_start_s():.2f} s"
    )


if __name__ == "__main__":
    main()
