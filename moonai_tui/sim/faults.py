"""Fault injection: the failures a live ByBit connection really has, on demand.

A fault is armed with ``FaultInjector.inject(name, **args)`` (``RunningSimulator.faults``),
``POST /__faults`` on the simulator's own port (loopback only), or ``moonai-tui sim
--fault NAME[:key=value,...]`` / ``--fault-plan FILE``. It fires at its opportunities
until ``count`` firings are used (0 = no limit), each time with ``probability``
drawn from one RNG seeded per simulator, and only ``delay`` seconds after it was armed.

==========================  ===============================================  ==================
fault                       what happens when it fires                       opportunity
==========================  ===============================================  ==================
ws_close                    a websocket is closed cleanly (1001 going away)  connection, tick
ws_reset                    a websocket's TCP connection is cut, no frame    connection, tick
ws_stall                    a websocket stays open but sends nothing for     connection, tick
                            ``seconds`` (pongs included), then resumes
ws_delay                    one message is held ``seconds`` (later ones      message
                            queue behind it)
ws_reorder                  one message is sent after the next one of its    message
                            topic
book_skip                   an order-book delta is not sent (``u`` gap)      book delta
book_repeat                 an order-book delta is sent twice                book delta
http_5xx                    REST answers HTTP ``status`` without acting      request
rate_limit                  REST answers retCode 10006 with ByBit's          request
                            ``X-Bapi-Limit*`` headers (reset in ``seconds``)
timestamp_error             a private request gets retCode 10002 (outside    private request
                            recv_window), nothing done
clock_skew                  the server clock runs ``ms`` ahead for           tick
                            ``seconds`` (0 = until cleared): real 10002s
                            until the client resynchronises its offset
request_timeout             REST holds the answer ``seconds``; the request   request
                            is acted on ``before`` the hold, ``after`` it,
                            ``never``, or one of those at ``random``
private_outage              private REST answers 503 and private websockets  tick
                            are cut and refused for ``seconds``; public
                            REST and streams carry on
fill_while_disconnected     private websockets are cut and refused for       tick
                            ``seconds``; meanwhile every working limit order
                            of the account fills at its price
==========================  ===============================================  ==================

Filters: ``scope`` (public, private or any endpoint), ``path`` (REST path prefix, e.g.
``/v5/order/create``) and ``topic`` (websocket topic prefix, e.g. ``orderbook``).
Every firing is logged (bounded) with what it hit, for tests and ``bench/chaos.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from aiohttp import web

from moonai_tui.errors import ConfigError

Scope = Literal["public", "private", "any"]
Execute = Literal["before", "after", "never", "random"]

CONNECTION_FAULTS = ("ws_close", "ws_reset", "ws_stall")
MESSAGE_FAULTS = ("ws_delay", "ws_reorder", "book_skip", "book_repeat")
REST_FAULTS = ("http_5xx", "rate_limit", "timestamp_error", "request_timeout")
WINDOW_FAULTS = ("clock_skew", "private_outage", "fill_while_disconnected")
FAULT_NAMES = CONNECTION_FAULTS + MESSAGE_FAULTS + REST_FAULTS + WINDOW_FAULTS

DEFAULT_SECONDS = {
    "ws_stall": 2.0,
    "ws_delay": 0.5,
    "rate_limit": 0.5,
    "request_timeout": 15.0,  # longer than ccxt's default 10 s timeout
    "private_outage": 5.0,
    "fill_while_disconnected": 3.0,
}
"""``seconds`` when not given (clock_skew: 0 = until cleared)."""
PRIVATE_ONLY = ("timestamp_error", "clock_skew", "private_outage", "fill_while_disconnected")
"""Faults of the account side (refused with scope=public)."""
PUBLIC_ONLY = ("book_skip", "book_repeat")
"""Faults of public streams (refused with scope=private)."""
MAX_LOG = 10_000


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One fault as configured; see the module docstring for each name and argument."""

    name: str
    count: int = 1
    probability: float = 1.0
    delay: float = 0.0
    scope: Scope = "any"
    path: str = ""
    topic: str = ""
    seconds: float = -1.0
    """Duration argument; negative means the fault's default (``DEFAULT_SECONDS``)."""
    status: int = 503
    execute: Execute = "random"
    ms: int = 30_000

    @property
    def duration(self) -> float:
        """``seconds``, or the fault's default."""
        return self.seconds if self.seconds >= 0 else DEFAULT_SECONDS.get(self.name, 0.0)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "fault") -> FaultSpec:
        """Validate a mapping such as ``{"name": "ws_close", "count": 2}``.

        Raises:
            ConfigError: unknown fault or argument, or a value of the wrong kind.
        """
        name = str(data.get("name", ""))
        if name not in FAULT_NAMES:
            expected = ", ".join(FAULT_NAMES)
            raise ConfigError(f"{where}: unknown fault {name!r} (expected one of {expected})")
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key == "name":
                continue
            if key not in known:
                names = ", ".join(k for k in known if k != "name")
                raise ConfigError(f"{where} {name}: unknown argument {key!r} (expected {names})")
            values[key] = _convert(where, name, key, raw)
        spec = cls(name, **values)
        _check(spec, where)
        return spec

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """``NAME[:key=value,key=value]`` as given to ``moonai-tui sim --fault``.

        Raises:
            ConfigError: the text is malformed or names an unknown fault or argument.
        """
        name, _, rest = text.partition(":")
        data: dict[str, Any] = {"name": name.strip()}
        for part in filter(None, (p.strip() for p in rest.split(","))):
            key, sep, value = part.partition("=")
            if not sep:
                raise ConfigError(f"--fault {name}: expected key=value, got {part!r}")
            data[key.strip()] = value.strip()
        return cls.from_mapping(data, "--fault")


def _convert(where: str, name: str, key: str, raw: Any) -> Any:
    kinds: dict[str, type] = {
        "count": int,
        "probability": float,
        "delay": float,
        "seconds": float,
        "status": int,
        "ms": int,
    }
    kind = kinds.get(key, str)
    try:
        return kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{where} {name}: {key}={raw!r} is not {'an integer' if kind is int else 'a number'}"
        ) from None


def _check(spec: FaultSpec, where: str) -> None:
    problems = []
    if spec.count < 0:
        problems.append(f"count={spec.count} must be >= 0 (0 = no limit)")
    if not 0 < spec.probability <= 1:
        problems.append(f"probability={spec.probability} must be in (0, 1]")
    if spec.delay < 0:
        problems.append(f"delay={spec.delay} must be >= 0")
    if spec.scope not in ("public", "private", "any"):
        problems.append(f"scope={spec.scope!r} must be public, private or any")
    if spec.execute not in ("before", "after", "never", "random"):
        problems.append(f"execute={spec.execute!r} must be before, after, never or random")
    if not 500 <= spec.status <= 599:
        problems.append(f"status={spec.status} must be a 5xx code")
    if spec.name in PRIVATE_ONLY and spec.scope == "public":
        problems.append("it acts on the private (account) side only: scope=public never fires")
    if spec.name in PUBLIC_ONLY and spec.scope == "private":
        problems.append("order books are public: scope=private never fires")
    if problems:
        raise ConfigError(f"{where} {spec.name}: {'; '.join(problems)}")


@dataclass(eq=False)
class Fault:
    """An armed fault and how often it had the chance to fire and fired."""

    id: int
    spec: FaultSpec
    armed_at: float
    opportunities: int = 0
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return bool(self.spec.count) and self.fired >= self.spec.count

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, **asdict(self.spec), "fired": self.fired}


@dataclass(frozen=True, slots=True)
class FaultEvent:
    """One firing: when (monotonic seconds), which fault, and what it hit."""

    at: float
    fault_id: int
    name: str
    detail: str


@dataclass(eq=False)
class Session:
    """One open websocket as the injector sees it."""

    number: int
    """Order of connection: faults pick among sessions in this order (reproducible)."""
    scope: Literal["public", "private"]
    ws: web.WebSocketResponse
    abort: Callable[[], None]
    """Cuts the TCP connection without a close frame."""
    silence: Callable[[], None]
    """Stops anything more being queued for this connection."""
    stalled_until: float = 0.0
    held: tuple[str, str, float] | None = None
    """(topic, text, since when) of a message kept back by ws_reorder until the next one of
    its topic is sent."""


@dataclass(eq=False)
class FaultInjector:
    """Armed faults, the decisions when they fire, and the log of firings."""

    seed: int = 0
    clock: Callable[[], float] = time.monotonic
    faults: list[Fault] = field(default_factory=list)
    log: deque[FaultEvent] = field(default_factory=lambda: deque(maxlen=MAX_LOG))
    sessions: set[Session] = field(default_factory=set)
    private_down_until: float = 0.0
    """Private REST and websockets refused until then (private_outage)."""
    private_ws_down_until: float = 0.0
    """Private websockets refused until then (fill_while_disconnected)."""
    skew: tuple[int, float] = (0, 0.0)
    """(ms the server clock runs ahead, until when; 0.0 = until cleared)."""
    rng: random.Random = field(init=False)
    changed: asyncio.Event | None = field(default=None, init=False)
    background: set[asyncio.Task[Any]] = field(default_factory=set, init=False)
    """Held answers and closes still running (cancelled when the simulator stops)."""
    _next_id: int = field(default=1, init=False)
    _next_session: int = field(default=1, init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # -- arming -------------------------------------------------------------------------------
    def inject(self, name: str, **args: Any) -> Fault:
        """Arm one fault, e.g. ``inject("request_timeout", path="/v5/order/create", count=5)``.

        Raises:
            ConfigError: unknown fault or argument.
        """
        return self.add(FaultSpec.from_mapping({"name": name, **args}))

    def add(self, spec: FaultSpec) -> Fault:
        """Arm a validated spec."""
        fault = Fault(self._next_id, spec, self.clock())
        self._next_id += 1
        self.faults.append(fault)
        if self.changed is not None:
            self.changed.set()
        return fault

    def add_all(self, specs: Iterable[FaultSpec]) -> list[Fault]:
        return [self.add(spec) for spec in specs]

    def clear(self, name: str | None = None) -> int:
        """Disarm every fault (or those named ``name``) and end outages and skew."""
        before = len(self.faults)
        self.faults = [f for f in self.faults if name is not None and f.spec.name != name]
        if name in (None, "private_outage"):
            self.private_down_until = 0.0
        if name in (None, "fill_while_disconnected"):
            self.private_ws_down_until = 0.0
        if name in (None, "clock_skew"):
            self.skew = (0, 0.0)
        if name in (None, "ws_stall"):
            for session in self.sessions:
                session.stalled_until = 0.0
        return before - len(self.faults)

    def fired(self, name: str | None = None) -> int:
        """Firings so far (of one fault name, or all)."""
        return sum(1 for e in self.log if name is None or e.name == name)

    def active(self, names: Iterable[str]) -> bool:
        """Whether any fault of these names may still fire."""
        wanted = set(names)
        return any(f.spec.name in wanted and not f.exhausted for f in self.faults)

    # -- decisions --------------------------------------------------------------------------
    def decide(
        self,
        names: Iterable[str],
        scope: Literal["public", "private"],
        *,
        path: str = "",
        topic: str = "",
        detail: str = "",
    ) -> Fault | None:
        """The first fault among ``names`` that fires at this opportunity, or None."""
        wanted = set(names)
        now = self.clock()
        for fault in self.faults:
            spec = fault.spec
            if spec.name not in wanted or fault.exhausted or now - fault.armed_at < spec.delay:
                continue
            if spec.scope not in ("any", scope) or not path.startswith(spec.path):
                continue
            if spec.topic and not topic.startswith(spec.topic):
                continue
            fault.opportunities += 1
            if spec.probability < 1 and self.rng.random() >= spec.probability:
                continue
            fault.fired += 1
            what = detail or path or topic or scope
            self.log.append(FaultEvent(now, fault.id, spec.name, what))
            return fault
        return None

    def choose_execute(self, spec: FaultSpec) -> Execute:
        """request_timeout's ``execute``, drawn from the seeded RNG when ``random``."""
        if spec.execute != "random":
            return spec.execute
        options: tuple[Execute, ...] = ("before", "after", "never")
        return self.rng.choice(options)

    # -- windows ------------------------------------------------------------------------------
    def private_rest_down(self) -> bool:
        return self.clock() < self.private_down_until

    def refuses_websocket(self, scope: Literal["public", "private"]) -> bool:
        now = self.clock()
        return scope == "private" and (
            now < self.private_down_until or now < self.private_ws_down_until
        )

    def skew_ms(self) -> int:
        """How far ahead of real time the server clock runs now."""
        ms, until = self.skew
        if until and self.clock() >= until:
            self.skew = (0, 0.0)
            return 0
        return ms

    def cut_private(self) -> int:
        """Cut every private websocket at once; the number cut."""
        cut = [s for s in self.ordered_sessions() if s.scope == "private"]
        for session in cut:
            session.silence()
            session.abort()
        return len(cut)

    def keep(self, task: asyncio.Task[Any]) -> None:
        """Hold a reference to a background task until it ends."""
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def cancel_background(self) -> None:
        """Stop held answers still waiting (the simulator is stopping)."""
        tasks = list(self.background)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def note(self, fault: Fault, outcome: str) -> None:
        """Log how a firing played out (e.g. ``request_timeout:after``)."""
        self.log.append(FaultEvent(self.clock(), fault.id, f"{fault.spec.name}:{outcome}", ""))

    # -- websocket sessions -------------------------------------------------------------------
    def attach(
        self,
        scope: Literal["public", "private"],
        ws: web.WebSocketResponse,
        abort: Callable[[], None],
        silence: Callable[[], None],
    ) -> Session:
        """Register an open websocket so connection faults can reach it."""
        session = Session(self._next_session, scope, ws, abort, silence)
        self._next_session += 1
        self.sessions.add(session)
        return session

    def ordered_sessions(self) -> list[Session]:
        return sorted(self.sessions, key=lambda s: s.number)
