"""``moonai-tui check STRATEGY``: look for look-ahead in a strategy on real history.

Exit codes: 0 causal, 1 look-ahead found (the offending bar is printed),
2 the check could not run (bad strategy file, parameter or data).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from moonai_tui.config import Settings

CANNOT_RUN = 2


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "check",
        help="check a strategy for look-ahead (exit 0 causal, 1 look-ahead, 2 error)",
        description="Recompute the strategy on histories cut at many random bars and compare "
        "with the full history. Data: --data FILE, else the database's candles for --symbol, "
        "else the shipped demo candles.",
    )
    check.add_argument("strategy", metavar="STRATEGY", help="a file in strategies/, e.g. sma_cross")
    check.add_argument("--symbol", help="check on the database's candles of this symbol")
    check.add_argument("--timeframe", help="bar length, e.g. 1m (default: the config's)")
    check.add_argument("--data", type=Path, metavar="FILE", help="candle CSV(.gz) to check on")
    check.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter of config/strategy_params.yaml (repeatable)",
    )
    check.add_argument(
        "--cuts", type=_positive_int, default=50, help="random cut points (default 50)"
    )
    check.add_argument("--seed", type=int, default=0, help="seed of the cut points (default 0)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def run(args: argparse.Namespace, settings: Settings) -> int:
    from moonai_tui.commands.backtest import configure_ml
    from moonai_tui.errors import MoonAIError
    from moonai_tui.strategy import (
        DEFAULT_PARAMS_FILE,
        load_params,
        load_strategy,
        parse_param_overrides,
    )
    from moonai_tui.strategy.causality import check_causality, check_live_window

    configure_ml(settings)
    try:
        params = {
            **load_params(DEFAULT_PARAMS_FILE, args.strategy),
            **parse_param_overrides(args.param),
        }
        strategy = load_strategy(args.strategy, settings.trade.strategies_dir, params)
        bars, source = _bars(args, settings)
        started = time.perf_counter()
        report = check_causality(strategy, bars, cuts=args.cuts, seed=args.seed)
        window = check_live_window(strategy, bars, seed=args.seed)
        elapsed = time.perf_counter() - started
    except MoonAIError as exc:
        print(f"moonai-tui check: error: {exc}", file=sys.stderr)
        return CANNOT_RUN
    print(f"{strategy!r} on {source}: {len(bars):,} bars, {_span(bars)}")
    print(f"{report.describe()} [{elapsed:.2f} s]")
    if report.causal:
        print(window.describe() if window.ok else f"warning: {window.describe()}")
    return 0 if report.causal else 1


def _bars(args: argparse.Namespace, settings: Settings) -> tuple[pd.DataFrame, str]:
    from moonai_tui.strategy.bars import DEMO_CANDLES, demo_bars, read_bars_csv

    timeframe = args.timeframe or settings.timeframe
    if args.data is not None:
        return read_bars_csv(args.data), str(args.data)
    if args.symbol is not None:
        return _stored_bars(
            settings, args.symbol, timeframe
        ), f"{args.symbol} {timeframe} (database)"
    symbol = next((s for s, tf in DEMO_CANDLES if tf == timeframe), "BTCUSDT")
    bars, path = demo_bars(symbol, timeframe)
    return bars, f"demo {path.name}"


def _stored_bars(settings: Settings, symbol: str, timeframe: str) -> pd.DataFrame:
    import asyncio

    from moonai_tui.errors import DataError
    from moonai_tui.store import open_store
    from moonai_tui.store.candles import timeframe_ms
    from moonai_tui.strategy.bars import bars_from_list

    timeframe_ms(timeframe)  # a clear error for an unknown timeframe

    async def load() -> pd.DataFrame:
        store = await open_store(settings.database_url)
        try:
            return bars_from_list(await store.load_candles(symbol, timeframe))
        finally:
            await store.close()

    bars = asyncio.run(load())
    if bars.empty:
        raise DataError(
            f"no {symbol} {timeframe} candles in the database; load some with "
            "`moonai-tui data download|import` or pass --data FILE"
        )
    return bars


def _span(bars: pd.DataFrame) -> str:
    first, last = bars.index[0], bars.index[-1]
    return f"{first:%Y-%m-%d %H:%M} → {last:%Y-%m-%d %H:%M} UTC"
