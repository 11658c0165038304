"""Merge reconciled call events (from queue_log after an AMI outage) into the event log
without counting anything twice.

Events from two sources describe the same call differently (AMI knows the agent interface,
queue_log only the member name; times differ by up to a second), so identity is a count per
``(linkedid, event name, member name)``: if the log already holds *n* such events, only
candidates beyond the *n*-th are missing. A call re-queued twice keeps both visits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from core.calls import CallEvent
from core.events import DomainEvent


def _key(event: CallEvent) -> tuple[str, str, str]:
    return (event.linkedid, event.name, str(getattr(event, "member_name", "")))


def missing_events(
    existing: Iterable[DomainEvent], candidates: Iterable[DomainEvent]
) -> list[DomainEvent]:
    """Candidates (call events) that the existing log does not already contain, in order."""
    have: Counter[tuple[str, str, str]] = Counter(
        _key(e) for e in existing if isinstance(e, CallEvent)
    )
    out: list[DomainEvent] = []
    for event in candidates:
        if not isinstance(event, CallEvent):
            continue
        key = _key(event)
        if have[key] > 0:
            have[key] -= 1
            continue
        out.append(event)
    return out
