"""The ``moonai-tui`` command. Imports stay inside functions so ``--help`` is instant."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moonai_tui.config import Settings

MARKETS = ("sim", "bybit", "bybit-testnet")


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moonai-tui",
        description="Moon AI: a terminal trading console for ByBit. With no command it starts "
        "the console (or the headless engine with --no-ui) on the offline simulator by default.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="settings file (default: config/config.yaml if present)",
    )
    parser.add_argument(
        "--market", choices=MARKETS, help="market data source, overriding the config"
    )
    parser.add_argument(
        "--no-ui",
        action="store_true",
        help="run the engine headless, logging one line per event to stdout",
    )
    parser.add_argument(
        "--yes-live",
        action="store_true",
        help="confirm trading: live (real orders to the exchange account)",
    )
    parser.add_argument(
        "--duration",
        type=_positive_seconds,
        metavar="SECONDS",
        help="run this long, then shut down cleanly and exit 0",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = commands.add_parser("sim", help="run the ByBit v5-compatible simulator alone")
    sim.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    sim.add_argument(
        "--port", type=int, default=None, help="port (default: config sim.port, 0 = free)"
    )
    sim.add_argument("--api-key", default=None, help="the demo account's API key (sim.api_key)")
    sim.add_argument(
        "--api-secret", default=None, help="the demo account's API secret (sim.api_secret)"
    )
    sim.add_argument("--balance", default=None, help="starting USDT balance (sim.balance)")

    commands.add_parser(
        "ctl",
        add_help=False,
        help="command a running engine: status, kill, reset-kill, approve ID, reject ID, "
        "cancel ID, flatten SYMBOL, start NAME, stop NAME",
    )
    data = commands.add_parser("data", help="historical candles: download or import")
    data_commands = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    download = data_commands.add_parser(
        "download", help="page candles from the exchange into the DB"
    )
    download.add_argument("--symbol", required=True, help="e.g. BTC/USDT:USDT")
    download.add_argument("--timeframe", default="1m", help="e.g. 1m, 1h (default 1m)")
    download.add_argument(
        "--since", required=True, help="start, ISO date/time UTC, e.g. 2024-01-01"
    )
    download.add_argument("--until", help="end (exclusive), ISO date/time UTC; default: now")
    importer = data_commands.add_parser("import", help="load a candle CSV(.gz) into the DB")
    importer.add_argument("file", type=Path, metavar="FILE.csv[.gz]")
    importer.add_argument("--symbol", default="BTC/USDT:USDT", help="symbol the file holds")
    importer.add_argument("--timeframe", default="1m", help="timeframe of the file's bars")
    return parser


def _load(args: argparse.Namespace) -> Settings:
    from moonai_tui.config import load_settings

    overrides: dict[str, Any] = {}
    if args.market is not None:
        overrides["market"] = args.market
    return load_settings(args.config, overrides)


def _sim_settings(settings: Settings, changes: dict[str, Any]) -> Any:
    """The ``sim`` section with command-line changes, validated like the file."""
    from pydantic import ValidationError

    from moonai_tui.config import SimSettings
    from moonai_tui.errors import ConfigError

    try:
        return SimSettings(**{**settings.sim.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"moonai-tui sim --{key.replace('_', '-')}: {first['msg']}") from None


def _run(args: argparse.Namespace) -> int:
    from moonai_tui.logs import configure_logging

    settings = _load(args)
    if args.command == "sim":
        from moonai_tui.sim import run_simulator_forever

        changes: dict[str, Any] = {}
        if args.host is not None:
            changes["host"] = args.host
        if args.port is not None:
            changes["port"] = args.port
        for key in ("api_key", "api_secret", "balance"):
            if getattr(args, key) is not None:
                changes[key] = getattr(args, key)
        configure_logging(settings.log_level, to_stdout=False)
        return run_simulator_forever(_sim_settings(settings, changes))
    if args.command == "data":
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
    if args.no_ui:
        from moonai_tui.headless import run_headless

        configure_logging(settings.log_level, to_stdout=False)
        return asyncio.run(run_headless(settings, args.duration, live_confirmed=args.yes_live))
    from moonai_tui.console import run_console

    configure_logging(settings.log_level, to_stdout=False)
    return asyncio.run(run_console(settings, args.duration, live_confirmed=args.yes_live))


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["ctl"]:
        # The emergency path (ctl kill) stays fast: standard library only.
        from moonai_tui.control.client import run_ctl

        return run_ctl(words[1:])
    args = build_parser().parse_args(words)
    from moonai_tui.errors import MoonAIError

    try:
        return _run(args)
    except MoonAIError as exc:
        print(f"moonai-tui: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
