"""``moonai-tui data download|import``: historical candles into the database."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from moonai_tui.config import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    data = commands.add_parser("data", help="historical candles: download or import")
    actions = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    download = actions.add_parser("download", help="page candles from the exchange into the DB")
    download.add_argument("--symbol", required=True, help="e.g. BTC/USDT:USDT")
    download.add_argument("--timeframe", default="1m", help="e.g. 1m, 1h (default 1m)")
    download.add_argument(
        "--since", required=True, help="start, ISO date/time UTC, e.g. 2024-01-01"
    )
    download.add_argument("--until", help="end (exclusive), ISO date/time UTC; default: now")
    importer = actions.add_parser("import", help="load a candle CSV(.gz) into the DB")
    importer.add_argument("file", type=Path, metavar="FILE.csv[.gz]")
    importer.add_argument("--symbol", default="BTC/USDT:USDT", help="symbol the file holds")
    importer.add_argument("--timeframe", default="1m", help="timeframe of the file's bars")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from moonai_tui.logs import configure_logging
    from moonai_tui.market import data_commands

    configure_logging(settings.log_level, to_stdout=False)
    if args.data_command == "download":
        return asyncio.run(
            data_commands.run_data_download(
                settings, args.symbol, args.timeframe, args.since, args.until
            )
        )
    return asyncio.run(
        data_commands.run_data_import(settings, args.file, args.symbol, args.timeframe)
    )
