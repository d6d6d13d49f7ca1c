"""The subcommands of ``moonai-tui``, one module each.

Every module here defines ``register(commands)``, which adds its argparse
sub-parser, and ``run(args, settings) -> int``. Modules import only the standard
library at the top, so building the parser (and ``--help``) stays instant; the
heavy imports happen inside ``run``. ``ctl`` is not here: it is dispatched
before argparse so the emergency path never loads the settings.
"""

from __future__ import annotations

COMMAND_MODULES = ("sim", "data", "check", "backtest", "optimize", "train", "models")
"""Module names under ``moonai_tui.commands``, in the order ``--help`` lists them."""
