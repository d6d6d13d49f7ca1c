"""The ``moonai-tui`` command. Imports stay inside functions so ``--help`` is instant."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moonai_tui.commands import COMMAND_MODULES

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
    for name in COMMAND_MODULES:
        _command(name).register(commands)
    commands.add_parser(
        "ctl",
        add_help=False,
        help="command a running engine: status, kill, reset-kill, approve ID, reject ID, "
        "cancel ID, flatten SYMBOL, start NAME, stop NAME",
    )
    return parser


def _load(args: argparse.Namespace) -> Settings:
    from moonai_tui.config import load_settings

    overrides: dict[str, Any] = {}
    if args.market is not None:
        overrides["market"] = args.market
    return load_settings(args.config, overrides)


def _command(name: str) -> Any:
    return importlib.import_module(f"moonai_tui.commands.{name}")


def _run(args: argparse.Namespace) -> int:
    from moonai_tui.logs import configure_logging

    settings = _load(args)
    if args.command in COMMAND_MODULES:
        return int(_command(args.command).run(args, settings))
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
    except Exception:
        # A bug still prints its traceback and exits 1, as Python would, but an API key
        # quoted in an exception message (an exchange error body) is masked first.
        import traceback

        from moonai_tui.redact import redact

        print(redact(traceback.format_exc()), end="", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
