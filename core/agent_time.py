"""Agent staffed time and occupancy, from agent domain events (for the occupancy KPI).

An agent (queue-member interface) is *logged in* while it is a member of at least one queue,
and *paused* while it is paused in every queue it is a member of (then it can take no call).
Static members never produce a login event: pass them as ``initially_logged_in``.

occupancy (v1) = Σ(talk + wrap-up of the agent's calls answered in the window)
                 ÷ (logged-in seconds − paused seconds) in the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from core.call_kpi import Ratio
from core.call_records import CallRecord
from core.calls import AgentLoggedIn, AgentLoggedOut, AgentPaused, AgentUnpaused
from core.events import DomainEvent


@dataclass(frozen=True, slots=True)
class StaffedTime:
    logged_in_s: float
    paused_s: float

    @property
    def available_s(self) -> float:
        return self.logged_in_s - self.paused_s


def staffed_time(
    events: Iterable[DomainEvent],
    start: datetime,
    end: datetime,
    initially_logged_in: Iterable[tuple[str, str]] = (),
) -> dict[str, StaffedTime]:
    """Per interface: seconds logged in and paused within ``[start, end)``.

    ``events`` must be in time order; events before ``start`` set the initial state.
    ``initially_logged_in``: (queue, interface) pairs that are members before any event.
    """
    member: dict[str, set[str]] = {}  # interface → queues it is in
    paused: dict[str, set[str]] = {}  # interface → queues it is paused in
    for queue, interface in initially_logged_in:
        member.setdefault(interface, set()).add(queue)
    logged: dict[str, float] = {}
    pause: dict[str, float] = {}
    cursor = start

    def accrue(until: datetime) -> None:
        span = (min(until, end) - cursor).total_seconds()
        if span <= 0:
            return
        for interface, queues in member.items():
            if not queues:
                continue
            logged[interface] = logged.get(interface, 0.0) + span
            if queues <= paused.get(interface, set()):
                pause[interface] = pause.get(interface, 0.0) + span

    for event in events:
        if not isinstance(event, AgentLoggedIn | AgentLoggedOut | AgentPaused | AgentUnpaused):
            continue
        if event.occurred_at > cursor:
            accrue(event.occurred_at)
            cursor = max(cursor, min(event.occurred_at, end))
        queues = member.setdefault(event.interface, set())
        paused_in = paused.setdefault(event.interface, set())
        if isinstance(event, AgentLoggedIn):
            queues.add(event.queue)
            if event.paused:
                paused_in.add(event.queue)
        elif isinstance(event, AgentLoggedOut):
            queues.discard(event.queue)
            paused_in.discard(event.queue)
        elif isinstance(event, AgentPaused):
            queues.add(event.queue)  # a pause proves membership (static members)
            paused_in.add(event.queue)
        else:
            paused_in.discard(event.queue)
    accrue(end)
    return {
        interface: StaffedTime(logged.get(interface, 0.0), pause.get(interface, 0.0))
        for interface in set(logged) | set(member)
    }


def occupancy(
    records: Iterable[CallRecord],
    staffed: Mapping[str, StaffedTime],
    wrapup_s: Mapping[str, int] | None = None,
) -> dict[str, Ratio]:
    """Per interface: (talk + wrap-up) ÷ available seconds. Records = calls in the window."""
    wrap = wrapup_s or {}
    busy: dict[str, float] = {}
    for r in records:
        if r.answered and r.talk_s is not None and r.agent_interface:
            busy[r.agent_interface] = (
                busy.get(r.agent_interface, 0.0) + r.talk_s + wrap.get(r.queue, 0)
            )
    return {
        interface: Ratio(busy.get(interface, 0.0), time.available_s)
        for interface, time in staffed.items()
    }


@dataclass(frozen=True, slots=True)
class RingStats:
    """Ring attempts offered to one agent (RONA = ring no answer)."""

    rang: int
    answered: int
    no_answer: int
    canceled: int

    @property
    def answer_ratio(self) -> Ratio:
        return Ratio(self.answered, self.rang)


def ring_stats(records: Iterable[CallRecord]) -> dict[str, RingStats]:
    """Per agent (interface, or member name when only queue_log knew it): ring outcomes."""
    counts: dict[str, list[int]] = {}
    for r in records:
        for leg in r.legs:
            c = counts.setdefault(leg.interface or leg.member_name, [0, 0, 0, 0])
            c[0] += 1
            index = {"answered": 1, "no_answer": 2, "canceled": 3}.get(leg.result)
            if index is not None:
                c[index] += 1
    return {agent: RingStats(*c) for agent, c in sorted(counts.items())}
