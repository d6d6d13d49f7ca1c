"""REST faults on the account side: 5xx, rate limits, timestamp refusals, a skewed clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from .rig import live_rig, quiesce

pytestmark = pytest.mark.timeout(90)


async def test_refused_requests_are_retried_without_doubling(tmp_path: Path) -> None:
    async with live_rig(tmp_path) as rig:
        stats = rig.trading_exchange.guard_stats
        await rig.traded_again()
        # 503 on order entry: the outcome is unknown to the client, so it asks by client id.
        rig.sim.faults.inject("http_5xx", path="/v5/order/create", count=3)
        await rig.wait(lambda: rig.sim.faults.fired("http_5xx") == 3, "5xx answered")
        await rig.traded_again()
        await quiesce(rig)
        rig.sim.faults.inject("rate_limit", scope="private", count=4, seconds=0.2)
        await rig.wait(lambda: rig.sim.faults.fired("rate_limit") == 4, "10006 answered")
        # Up to 3 refusals in a row wait for the limit's reset and resend; a 4th goes up to
        # the order manager, which asks by client id before it resends.
        await rig.wait(lambda: stats["rate_limit_waits"] >= 3, "waited for the limit reset")
        await rig.traded_again()
        await quiesce(rig)
        rig.sim.faults.inject("timestamp_error", count=3)
        await rig.wait(lambda: rig.sim.faults.fired("timestamp_error") == 3, "10002 answered")
        # One re-measure and resend per request; a second refusal goes up to the caller.
        await rig.wait(lambda: stats["clock_resyncs"] >= 2, "clock offset re-measured")
        await rig.traded_again()
        await quiesce(rig)


async def test_a_skewed_exchange_clock_is_followed(tmp_path: Path) -> None:
    async with live_rig(tmp_path) as rig:
        exchange = rig.trading_exchange
        await rig.traded_again()
        rig.sim.faults.inject("clock_skew", ms=30_000, seconds=0)
        await rig.traded_again()
        assert -31_000 < exchange.options["timeDifference"] < -29_000
        # The account stream logs in again under the skewed clock.
        rig.sim.faults.inject("ws_reset", scope="private")
        await rig.wait(lambda: rig.sim.faults.fired("ws_reset") == 1, "private stream cut")
        await rig.entries_open()
        await rig.traded_again()
        rig.sim.faults.clear("clock_skew")  # back to true time: the offset follows
        await rig.traded_again()
        assert abs(exchange.options["timeDifference"]) < 1_000
        await quiesce(rig)
