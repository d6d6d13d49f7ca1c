"""State shared by the simulator's request handlers (stored on the aiohttp app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from aiohttp import web

from moonai_tui.sim.instruments import Category
from moonai_tui.sim.market import SimMarket
from moonai_tui.sim.streams import PublicHub


@dataclass(eq=False)
class SimContext:
    """The market, the public streaming hubs and the open websockets."""

    market: SimMarket
    hubs: dict[Category, PublicHub]
    websockets: set[web.WebSocketResponse] = field(default_factory=set)

    def hub(self, category: str) -> PublicHub:
        """The hub of a served category (spot or linear)."""
        return self.hubs[cast(Category, category)]


SIM_CONTEXT = web.AppKey("sim_context", SimContext)
