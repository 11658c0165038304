"""IVR outcomes land in the call-event log as one IvrDecided event per call."""

from __future__ import annotations

from datetime import UTC, datetime

from core.intake_ports import IvrDecisionRecord, IvrOutcome
from core.ports import StoredCallEvent
from ivr_flows.outcomes import CallEventOutcomeLog


class MemoryCallEvents:
    def __init__(self) -> None:
        self.events: list[StoredCallEvent] = []

    async def append(self, events: list[StoredCallEvent]) -> None:
        self.events.extend(events)

    async def between(self, start: datetime, end: datetime) -> list[StoredCallEvent]:
        return [e for e in self.events if start <= e.occurred_at < end]

    async def for_call(self, linkedid: str) -> list[StoredCallEvent]:
        return [e for e in self.events if e.linkedid == linkedid]


async def test_decision_is_stored_as_a_call_event() -> None:
    store = MemoryCallEvents()
    at = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    decision = IvrDecisionRecord(
        "1795241780.7", "13800137", IvrOutcome.ONLINE, "wait", at, "long estimated wait",
        offered=True, keys="3", estimated_wait_s=95.0, queue="hotline",
    )  # fmt: skip
    await CallEventOutcomeLog(store).record(decision)
    (event,) = await store.for_call("1795241780.7")
    assert event.name == "IvrDecided"
    assert event.occurred_at == at
    assert event.payload["outcome"] == "online"
    assert event.payload["reason"] == "wait"
    assert event.payload["diverted"] is True
    assert event.payload["estimated_wait_s"] == 95.0
