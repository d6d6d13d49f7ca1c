"""``moonai-tui sim``: run the ByBit v5-compatible simulator alone, optionally with faults.

Faults (``moonai_tui.sim.faults`` lists them) are armed with ``--fault NAME[:key=value,...]``
(repeatable) or ``--fault-plan FILE``, a YAML list of faults or ``{seed: N, faults: [...]}``::

    moonai-tui sim --fault ws_reset:scope=public,probability=0.01,count=0 \
                   --fault request_timeout:path=/v5/order/create,count=3,execute=after

More can be armed while it runs: ``POST http://127.0.0.1:PORT/__faults`` (loopback only).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moonai_tui.config import Settings, SimSettings
    from moonai_tui.sim.faults import FaultSpec


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
    sim.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME[:k=v,...]",
        help="arm a fault, e.g. ws_reset:scope=public,probability=0.01,count=0 (repeatable)",
    )
    sim.add_argument(
        "--fault-plan", type=Path, default=None, metavar="FILE", help="YAML list of faults to arm"
    )
    sim.add_argument(
        "--fault-seed", type=int, default=None, help="seed of the fault RNG (default 0)"
    )


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
    faults: list[FaultSpec] = []
    seed = 0
    if args.fault_plan is not None:
        seed, faults = load_plan(args.fault_plan)
    faults += [parse_fault(text) for text in args.fault]
    if args.fault_seed is not None:
        seed = args.fault_seed
    configure_logging(settings.log_level, to_stdout=False)
    return run_simulator_forever(sim_settings(settings, changes), faults, seed)


def parse_fault(text: str) -> FaultSpec:
    """One ``--fault`` argument (raises ConfigError naming the problem)."""
    from moonai_tui.sim.faults import FaultSpec

    return FaultSpec.parse(text)


def load_plan(path: Path) -> tuple[int, list[FaultSpec]]:
    """(seed, faults) of a fault plan file.

    Raises:
        ConfigError: the file is unreadable, not YAML, or names an unknown fault or argument.
    """
    import yaml

    from moonai_tui.errors import ConfigError
    from moonai_tui.sim.faults import FaultSpec

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError:
        raise ConfigError(f"{path}: not valid YAML") from None
    seed = 0
    if isinstance(data, dict):
        seed_value = data.get("seed", 0)
        if not isinstance(seed_value, int):
            raise ConfigError(f"{path}: seed must be an integer, got {seed_value!r}")
        seed, data = seed_value, data.get("faults")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ConfigError(f"{path}: expected a list of faults, e.g. - {{name: ws_close}}")
    return seed, [
        FaultSpec.from_mapping(item, f"{path} fault {i + 1}") for i, item in enumerate(data)
    ]


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
