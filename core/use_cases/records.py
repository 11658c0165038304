"""Building audit-trail records from events (shared by the create and act use cases)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from core.events import _jsonable
from core.use_cases.ports import TransitionRecord
from core.work_order import Command
from core.work_order_events import WorkOrderEvent
from core.work_order_model import WorkOrder
from core.work_order_rules import Actor


def command_payload(command: Command) -> dict[str, Any]:
    out: dict[str, Any] = {"command": type(command).__name__}
    for f in dataclasses.fields(command):
        out[f.name] = _jsonable(getattr(command, f.name))
    return out


def transition_record(
    *,
    before: WorkOrder | None,
    after: WorkOrder,
    action: str,
    actor: Actor,
    events: Sequence[WorkOrderEvent],
    command: dict[str, Any],
) -> TransitionRecord:
    occurred_at = events[0].occurred_at if events else after.created_at
    return TransitionRecord(
        order_id=after.id,
        version=after.version,
        action=action,
        from_status=None if before is None else before.status.value,
        to_status=after.status.value,
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        actor_unit=actor.unit_code,
        occurred_at=occurred_at,
        payload={"command": command, "events": [e.to_dict() for e in events]},
    )
