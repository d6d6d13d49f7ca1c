"""``moonai-tui models list|promote|rollback``: the model registry from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moonai_tui.config import Settings
    from moonai_tui.store.model_registry import ModelVersionRecord

ACTOR = "cli"
"""Who the audit log says promoted or rolled back."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models = commands.add_parser("models", help="list, promote or roll back trained models")
    actions = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="registered versions with out-of-sample scores")
    listing.add_argument("--symbol", help="only this symbol")
    listing.add_argument("--timeframe", help="only this timeframe")
    listing.add_argument("--json", action="store_true", help="print JSON")
    promote = actions.add_parser("promote", help="make a version the active one of its market")
    promote.add_argument("id", type=int, help="the version's id (first column of list)")
    rollback = actions.add_parser(
        "rollback", help="retire the active version and reactivate the previous one"
    )
    rollback.add_argument("--symbol", required=True)
    rollback.add_argument("--timeframe", help="default: the config's")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from moonai_tui.errors import MoonAIError

    try:
        return asyncio.run(_run(args, settings))
    except MoonAIError as exc:
        print(f"moonai-tui models: error: {exc}", file=sys.stderr)
        return 2


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from moonai_tui.ml.service import ModelService

    service = ModelService(settings)
    if args.models_command == "list":
        records = await service.versions(args.symbol, args.timeframe)
        if args.json:
            print(json.dumps([_row(r) for r in records], indent=2))
        else:
            print(table(records))
        return 0
    if args.models_command == "promote":
        record = await service.promote(args.id, ACTOR)
    else:
        record = await service.rollback(args.symbol, args.timeframe or settings.timeframe, ACTOR)
    print(f"{record.symbol} {record.timeframe}: v{record.version} (id {record.id}) is active")
    return 0


def _row(record: ModelVersionRecord) -> dict[str, Any]:
    overall = record.metrics.get("overall", {})
    return {
        "id": record.id,
        "symbol": record.symbol,
        "timeframe": record.timeframe,
        "version": record.version,
        "model": record.model_type,
        "active": record.active,
        "rolled_back": record.rolled_back,
        "created_ms": record.created_ms,
        "data_from_ms": record.data_from_ms,
        "data_until_ms": record.data_until_ms,
        "log_loss": overall.get("log_loss"),
        "balanced_accuracy": overall.get("balanced_accuracy"),
        "accuracy": overall.get("accuracy"),
        "artifact": record.artifact_path,
        "sha256": record.sha256,
    }


def table(records: list[ModelVersionRecord]) -> str:
    """One line per version; ``*`` marks the active one of its market."""
    if not records:
        return "no models registered; train one with `moonai-tui train --symbol SYMBOL`"
    head = f"{'id':>4}  {'market':<20} {'ver':>4} {'model':<9} {'log_loss':>8} {'bal_acc':>7}  data"
    lines = [head]
    for r in records:
        row = _row(r)
        mark = "*" if r.active else ("x" if r.rolled_back else " ")
        loss = "-" if row["log_loss"] is None else f"{row['log_loss']:.4f}"
        bal = "-" if row["balanced_accuracy"] is None else f"{row['balanced_accuracy']:.3f}"
        lines.append(
            f"{r.id:>4}{mark} {r.symbol + ' ' + r.timeframe:<20} {'v' + str(r.version):>4} "
            f"{r.model_type:<9} {loss:>8} {bal:>7}  "
            f"{_day(r.data_from_ms)} → {_day(r.data_until_ms)}"
        )
    lines.append("* active, x rolled back")
    return "\n".join(lines)


def _day(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ms / 1000))
