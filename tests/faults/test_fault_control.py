"""Arming faults: specs and their errors, the seeded RNG, the control endpoint, the CLI."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from integration.processes import clean_env, start_sim, stop

from moonai_tui.errors import ConfigError
from moonai_tui.sim.fault_hooks import FAULTS, add_fault_routes
from moonai_tui.sim.faults import FaultInjector, FaultSpec

pytestmark = pytest.mark.timeout(60)


def test_cli_spec_is_parsed_and_checked() -> None:
    spec = FaultSpec.parse("request_timeout:path=/v5/order/create,count=3,seconds=12,execute=after")
    assert (spec.name, spec.path, spec.count, spec.duration, spec.execute) == (
        "request_timeout",
        "/v5/order/create",
        3,
        12.0,
        "after",
    )
    assert FaultSpec.parse("ws_stall").duration == 2.0  # the fault's default
    for text, message in [
        ("ws_jam", "unknown fault 'ws_jam'"),
        ("ws_close:secs=1", "unknown argument 'secs'"),
        ("ws_close:count=many", "count='many' is not an integer"),
        ("ws_close:probability=0", "probability=0.0 must be in (0, 1]"),
        ("http_5xx:status=404", "status=404 must be a 5xx code"),
        ("ws_close:count", "expected key=value, got 'count'"),
        ("private_outage:scope=public", "scope=public never fires"),
    ]:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            FaultSpec.parse(text)


def test_probability_draws_come_from_the_seeded_rng() -> None:
    injector = FaultInjector(seed=42)
    injector.inject("http_5xx", probability=0.3, count=0)
    fired = [injector.decide(["http_5xx"], "public") is not None for _ in range(1000)]
    # The same draws made directly on random.Random(42): one per opportunity.
    rng = random.Random(42)
    assert fired == [rng.random() < 0.3 for _ in range(1000)]
    assert injector.fired("http_5xx") == sum(fired)


def test_count_delay_and_filters() -> None:
    now = [100.0]
    injector = FaultInjector(clock=lambda: now[0])
    injector.inject("http_5xx", count=2, delay=5, scope="private", path="/v5/order")
    assert injector.decide(["http_5xx"], "private", path="/v5/order/create") is None  # delay
    now[0] += 5
    assert injector.decide(["http_5xx"], "public", path="/v5/order/create") is None  # scope
    assert injector.decide(["http_5xx"], "private", path="/v5/position/list") is None  # path
    assert injector.decide(["http_5xx"], "private", path="/v5/order/create") is not None
    assert injector.decide(["http_5xx"], "private", path="/v5/order/cancel") is not None
    assert injector.decide(["http_5xx"], "private", path="/v5/order/create") is None  # used up
    assert injector.clear() == 1 and not injector.faults


async def test_fault_control_is_loopback_only() -> None:
    app = web.Application()
    app[FAULTS] = FaultInjector()
    add_fault_routes(app)
    transport = mock.Mock()
    transport.get_extra_info.return_value = ("10.1.2.3", 40000)
    request = make_mocked_request("GET", "/__faults", app=app, transport=transport)
    (route,) = [r for r in app.router.routes() if r.method == "GET"]
    with pytest.raises(web.HTTPForbidden):
        await route.handler(request)


def _call(url: str, method: str = "GET", body: Any = None) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        text = exc.read()
        try:
            payload = json.loads(text)
        except ValueError:
            payload = text.decode()
        return exc.code, dict(exc.headers), payload


def test_sim_command_arms_faults_and_serves_the_control_endpoint(tmp_path: Path) -> None:
    process, base = start_sim(tmp_path, clean_env(), "--fault", "http_5xx:scope=public,count=1")
    try:
        time_url = f"{base}/v5/market/time"
        assert _call(time_url)[0] == 503
        assert _call(time_url)[0] == 200  # count=1: used up
        status, _, armed = _call(f"{base}/__faults", "POST", {"name": "rate_limit", "seconds": 2})
        assert status == 200 and armed["armed"][0]["name"] == "rate_limit"
        status, headers, body = _call(time_url)
        assert (status, body["retCode"]) == (200, 10006)
        assert headers["X-Bapi-Limit-Status"] == "0"
        reset_in = int(headers["X-Bapi-Limit-Reset-Timestamp"]) - time.time() * 1000
        assert 0 < reset_in <= 2000
        status, _, error = _call(f"{base}/__faults", "POST", {"name": "ws_jam"})
        assert status == 400 and "unknown fault 'ws_jam'" in error["error"]
        state = _call(f"{base}/__faults")[2]
        assert [e["name"] for e in state["log"]] == ["http_5xx", "rate_limit"]
        assert _call(f"{base}/__faults", "DELETE")[2] == {"cleared": 2}
    finally:
        stop(process)
