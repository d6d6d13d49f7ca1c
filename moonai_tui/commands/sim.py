"""``moonai-tui sim``: run the ByBit v5-compatible simulator alone."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moonai_tui.config import Settings, SimSettings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def run(args: argparse.Namespace, settings: Settings) -> int:
    from moonai_tui.logs import configure_logging
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
    return run_simulator_forever(sim_settings(settings, changes))


def sim_settings(settings: Settings, changes: dict[str, Any]) -> SimSettings:
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
