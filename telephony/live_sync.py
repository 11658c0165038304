"""Applies the bridge's domain events and resync snapshots to the live-state port.

Namespaces: ``calls`` (one document per live call, removed when it ends), ``agents`` (per
member interface), ``queues`` (per queue: the last QueueStatus snapshot — waiting callers with
their waits, members with state/pause — plus ``resynced_at``), and ``bridge`` (``gap``: the
last data-gap marker, which the wallboard shows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.calls import AgentEvent, CallEnded, CallEvent, DataGap
from core.events import DomainEvent
from core.ports import JSON, Clock, LiveState

if TYPE_CHECKING:
    from telephony.bridge import QueueSnapshot


class LiveSync:
    def __init__(self, live: LiveState, clock: Clock) -> None:
        self.live = live
        self.clock = clock

    async def apply(self, event: DomainEvent) -> None:
        doc: dict[str, JSON] = event.to_dict()
        if isinstance(event, CallEnded):
            await self.live.delete("calls", event.linkedid)
        elif isinstance(event, CallEvent):
            await self.live.patch(
                "calls",
                event.linkedid,
                {
                    "linkedid": event.linkedid,
                    "last_event": event.name,
                    "updated_at": doc["occurred_at"],
                    event.name: doc,
                },
            )
        elif isinstance(event, AgentEvent):
            await self.live.patch(
                "agents",
                event.interface,
                {
                    "interface": event.interface,
                    "member_name": event.member_name,
                    "last_event": event.name,
                    "since": doc["occurred_at"],
                    event.name: doc,
                },
            )
        elif isinstance(event, DataGap):
            await self.live.put("bridge", "gap", doc)

    async def resync(self, snapshot: QueueSnapshot) -> None:
        queues: dict[str, dict[str, JSON]] = {}
        for params in snapshot.queue_params:
            name = params.get("Queue") or ""
            queues[name] = {
                "queue": name,
                "calls": int(params.get("Calls") or 0),
                "waiting": [],
                "members": [],
                "resynced_at": snapshot.at.isoformat(),
            }
        for entry in snapshot.entries:
            q = queues.get(entry.get("Queue") or "")
            if q is not None and isinstance(q["waiting"], list):
                q["waiting"].append(
                    {
                        "uniqueid": entry.get("Uniqueid"),
                        "position": entry.get("Position"),
                        "caller": entry.get("CallerIDNum"),
                        "wait_s": int(entry.get("Wait") or 0),
                    }
                )
        for member in snapshot.members:
            q = queues.get(member.get("Queue") or "")
            if q is not None and isinstance(q["members"], list):
                q["members"].append(
                    {
                        "name": member.get("Name"),
                        "interface": member.get("Location"),
                        "status": member.get("Status"),
                        "in_call": member.get("InCall") == "1",
                        "paused": member.get("Paused") == "1",
                        "paused_reason": member.get("PausedReason") or "",
                    }
                )
        for name, doc in queues.items():
            waits = [w["wait_s"] for w in doc["waiting"] if isinstance(w, dict)]
            doc["longest_wait_s"] = max(waits, default=0)
            await self.live.put("queues", name, doc)
