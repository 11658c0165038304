"""IvrOutcomeLog over the call-event log (:class:`core.ports.CallEventStore`).

One ``IvrDecided`` event per call, keyed by the call's Linkedid: for the inbound caller channel
(where the IVR runs) Asterisk's Linkedid equals its Uniqueid, which is ``agi_uniqueid``. Call
KPIs (diversion share, online share, "diverted on wait/ratio") are recomputed from these
stored events together with the bridge's queue events.
"""

from __future__ import annotations

from core.intake_ports import IvrDecisionRecord
from core.ports import JSON, CallEventStore, StoredCallEvent

EVENT_NAME = "IvrDecided"


def to_payload(decision: IvrDecisionRecord) -> dict[str, JSON]:
    return {
        "call_id": decision.call_id,
        "caller_number": decision.caller_number,
        "outcome": decision.outcome.value,
        "reason": decision.reason,
        "rule": decision.rule,
        "offered": decision.offered,
        "diverted": decision.diverted,
        "keys": decision.keys,
        "estimated_wait_s": decision.estimated_wait_s,
        "queue": decision.queue,
    }


class CallEventOutcomeLog:
    def __init__(self, store: CallEventStore) -> None:
        self._store = store

    async def record(self, decision: IvrDecisionRecord) -> None:
        event = StoredCallEvent(
            linkedid=decision.call_id,
            name=EVENT_NAME,
            occurred_at=decision.decided_at,
            payload=to_payload(decision),
        )
        await self._store.append([event])
