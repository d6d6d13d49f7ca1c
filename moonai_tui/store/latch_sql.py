"""The kill-switch latch in plain SQL, for the journal writer's connection.

The kill switch is the emergency path: latching it is the one commit before
the cancels and closes go out, so it takes the same fast path as the order
journal. Same rows as ``oversight.set_kill_switch`` (the ORM version for
other databases); the store tests run both.
"""

from __future__ import annotations

import sqlite3

from moonai_tui.domain import KillSwitchState

_UPSERT = (
    "INSERT INTO kill_switch (id, latched, reason, changed_ms, changed_by) "
    "VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET latched = excluded.latched, "
    "reason = excluded.reason, changed_ms = excluded.changed_ms, changed_by = excluded.changed_by"
)
_AUDIT = "INSERT INTO audit (ts_ms, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)"


def set_kill_switch(
    connection: sqlite3.Connection, latched: bool, reason: str, actor: str, now_ms: int
) -> KillSwitchState:
    """Latch or release the kill switch and audit who did it."""
    connection.execute(_UPSERT, (int(latched), reason, now_ms, actor))
    action = "kill" if latched else "reset-kill"
    connection.execute(_AUDIT, (now_ms, actor, action, "kill_switch", reason))
    return KillSwitchState(latched, reason, now_ms, actor)
