"""Live state of queues, agents and calls: a pure reducer from call/agent domain events and
QueueStatus / CoreShowChannels snapshots to JSON documents for the ``LiveState`` port.

Every ``apply*`` returns :class:`LiveUpdate` items (namespace, key, doc; ``doc=None`` = delete)
which the bridge writes with ``LiveState.put`` / ``delete``. Namespaces:

* ``queues/<queue>``: waiting callers (linkedid, number, position, joined_at), waiting count,
  longest wait and since when, agents by state (available / ringing / on_call / wrapup / paused
  / unavailable) and logged-out members; ``aht_recent_s``, the recent average handle time
  (talk + wrap-up of the last completed calls, :mod:`core.handle_time`; ``None`` before any
  call completed) over ``aht_calls`` calls.
* ``agents/<interface>``: state and since when, pause reason, current call, queues.
* ``calls/<linkedid>``: state (ivr / queued / ringing / talking / diverted) and since when;
  deleted when the caller hangs up.
* ``system/gap``: the last data-gap marker.

Wrap-up (queue ``wrapuptime``) ends without any AMI event, so :meth:`LiveReducer.tick` must be
called periodically with the current time; it moves agents out of wrap-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.calls import (
    AgentDeviceStateChanged,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentRingCanceled,
    AgentRinging,
    AgentRingNoAnswer,
    AgentUnpaused,
    CallAbandoned,
    CallAnswered,
    CallCompleted,
    CallDiverted,
    CallEnded,
    CallExitedQueue,
    CallOffered,
    CallQueued,
    DataGap,
    IvrEntered,
)
from core.events import DomainEvent
from core.handle_time import AhtWindow, RecentHandleTimes
from core.live_snapshots import ChannelsSnapshot, QueueStatusSnapshot

UNAVAILABLE_DEVICE = frozenset({4, 5})  # invalid, unavailable


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    namespace: str
    key: str
    doc: dict[str, Any] | None  # None: delete the document


@dataclass(slots=True)
class _Touched:
    agents: set[str] = field(default_factory=set)
    queues: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)
    deleted_calls: set[str] = field(default_factory=set)
    system: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class _Agent:
    interface: str
    member_name: str = ""
    queues: set[str] = field(default_factory=set)
    paused: dict[str, str] = field(default_factory=dict)  # queue → reason
    paused_since: datetime | None = None
    ringing: str | None = None  # linkedid
    on_call: str | None = None
    call_queue: str = ""
    wrapup_until: datetime | None = None
    device_status: int = 0
    state: str = "logged_out"
    since: datetime | None = None


@dataclass(slots=True)
class _Waiting:
    linkedid: str
    caller_number: str
    position: int
    joined_at: datetime


@dataclass(slots=True)
class _Call:
    linkedid: str
    caller_number: str = ""
    state: str = "offered"
    since: datetime | None = None
    queue: str = ""
    agent: str = ""


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


class LiveReducer:
    def __init__(
        self, wrapup_s: Mapping[str, int] | None = None, *, aht_window: AhtWindow | None = None
    ) -> None:
        self.wrapup_s = dict(wrapup_s or {})  # queue → wrapuptime seconds
        self.handle_times = RecentHandleTimes(aht_window)
        self.agents: dict[str, _Agent] = {}
        self.waiting: dict[str, dict[str, _Waiting]] = {}  # queue → linkedid → entry
        self.queues: set[str] = set()
        self.calls: dict[str, _Call] = {}
        self.members_seen: dict[str, set[str]] = {}  # queue → interfaces ever members
        self.now: datetime | None = None

    # -- public API --------------------------------------------------------------------------
    def apply(self, event: DomainEvent) -> list[LiveUpdate]:
        self.now = max(self.now, event.occurred_at) if self.now else event.occurred_at
        t = _Touched()
        self._dispatch(event, t)
        return self._emit(t)

    def apply_all(self, events: Iterable[DomainEvent]) -> list[LiveUpdate]:
        return [u for e in events for u in self.apply(e)]

    def tick(self, now: datetime) -> list[LiveUpdate]:
        """Advance time: end expired wrap-ups; refresh queue docs (longest wait)."""
        self.now = now
        touched = {
            a.interface
            for a in self.agents.values()
            if a.wrapup_until is not None and a.wrapup_until <= now
        }
        for interface in touched:
            self.agents[interface].wrapup_until = None
        return self._emit(_Touched(agents=touched, queues=set(self.queues)))

    def apply_queue_status(self, snap: QueueStatusSnapshot) -> list[LiveUpdate]:
        """Replace one queue's members and waiting callers with what Asterisk reports."""
        self.now = max(self.now, snap.at) if self.now else snap.at
        self.queues.add(snap.queue)
        touched: set[str] = set()
        reported = {m.interface for m in snap.members}
        for agent in [] if snap.partial else self.agents.values():
            if snap.queue in agent.queues and agent.interface not in reported:
                agent.queues.discard(snap.queue)
                agent.paused.pop(snap.queue, None)
                touched.add(agent.interface)
        for m in snap.members:
            agent = self._agent(m.interface, m.member_name)
            agent.queues.add(snap.queue)
            self.members_seen.setdefault(snap.queue, set()).add(m.interface)
            agent.device_status = m.status
            if m.wrapup_s:
                self.wrapup_s.setdefault(snap.queue, m.wrapup_s)
            if m.paused:
                if snap.queue not in agent.paused and m.last_pause:
                    agent.paused_since = datetime.fromtimestamp(m.last_pause, snap.at.tzinfo)
                agent.paused[snap.queue] = m.paused_reason
            else:
                agent.paused.pop(snap.queue, None)
            if not m.in_call and agent.on_call is not None:
                agent.on_call = None  # the call ended while we were not looking
            touched.add(m.interface)
        if snap.partial:
            return self._emit(_Touched(agents=touched, queues={snap.queue}))
        entries: dict[str, _Waiting] = {}
        for e in snap.entries:
            known = self.waiting.get(snap.queue, {}).get(e.uniqueid)
            joined = known.joined_at if known else snap.at - timedelta(seconds=e.wait_s)
            entries[e.uniqueid] = _Waiting(e.uniqueid, e.caller_number, e.position, joined)
        self.waiting[snap.queue] = entries
        return self._emit(_Touched(agents=touched, queues={snap.queue}))

    def apply_channels(self, snap: ChannelsSnapshot) -> list[LiveUpdate]:
        """Drop calls (and waiting entries) whose channels no longer exist."""
        alive = {c.linkedid for c in snap.channels}
        self.now = max(self.now, snap.at) if self.now else snap.at
        t = _Touched()
        for linkedid in [linkedid for linkedid in self.calls if linkedid not in alive]:
            self._end_call(linkedid, snap.at, t)
        return self._emit(t)

    # -- event handling -----------------------------------------------------------------------
    def _agent(self, interface: str, name: str = "") -> _Agent:
        agent = self.agents.get(interface)
        if agent is None:
            agent = self.agents[interface] = _Agent(interface)
        if name:
            agent.member_name = name
        return agent

    def _call(self, linkedid: str) -> _Call:
        call = self.calls.get(linkedid)
        if call is None:
            call = self.calls[linkedid] = _Call(linkedid)
        return call

    def _set_call(self, linkedid: str, state: str, at: datetime, t: _Touched) -> _Call:
        call = self._call(linkedid)
        if call.state != state:
            call.state, call.since = state, at
        t.calls.add(linkedid)
        return call

    def _leave_queue(self, linkedid: str, t: _Touched) -> None:
        for queue, entries in self.waiting.items():
            if entries.pop(linkedid, None) is not None:
                t.queues.add(queue)

    def _end_call(self, linkedid: str, at: datetime, t: _Touched) -> None:
        self._leave_queue(linkedid, t)
        if self.calls.pop(linkedid, None) is not None:
            t.deleted_calls.add(linkedid)
        t.calls.discard(linkedid)
        for agent in self.agents.values():
            if agent.ringing == linkedid:
                agent.ringing = None
                t.agents.add(agent.interface)
            if agent.on_call == linkedid:
                self._start_wrapup(agent, at)
                t.agents.add(agent.interface)

    def _join(self, agent: _Agent, queue: str, t: _Touched) -> None:
        agent.queues.add(queue)
        self.queues.add(queue)
        self.members_seen.setdefault(queue, set()).add(agent.interface)
        t.agents.add(agent.interface)
        t.queues.add(queue)

    def _start_wrapup(self, agent: _Agent, at: datetime) -> None:
        agent.on_call = None
        wrap = self.wrapup_s.get(agent.call_queue, 0)
        agent.wrapup_until = at + timedelta(seconds=wrap) if wrap else None

    def _dispatch(self, event: DomainEvent, t: _Touched) -> None:
        at = event.occurred_at
        if isinstance(event, CallOffered):
            call = self._set_call(event.linkedid, "offered", at, t)
            call.caller_number = event.caller_number
        elif isinstance(event, IvrEntered):
            self._set_call(event.linkedid, "ivr", at, t)
        elif isinstance(event, CallQueued):
            call = self._set_call(event.linkedid, "queued", at, t)
            call.queue = event.queue
            self.queues.add(event.queue)
            self.waiting.setdefault(event.queue, {})[event.linkedid] = _Waiting(
                event.linkedid, call.caller_number, event.position, at
            )
            t.queues.add(event.queue)
        elif isinstance(event, AgentRinging):
            agent = self._agent(event.interface, event.member_name)
            self._join(agent, event.queue, t)
            agent.ringing = event.linkedid
            self._set_call(event.linkedid, "ringing", at, t).agent = event.interface
        elif isinstance(event, AgentRingNoAnswer | AgentRingCanceled):
            agent = self._agent(event.interface or self._by_name(event.member_name))
            if agent.ringing == event.linkedid:
                agent.ringing = None
            t.agents.add(agent.interface)
            if event.linkedid in self.calls and self.calls[event.linkedid].state == "ringing":
                self._set_call(event.linkedid, "queued", at, t)
        elif isinstance(event, CallAnswered):
            agent = self._agent(event.interface, event.member_name)
            agent.ringing, agent.on_call, agent.call_queue = None, event.linkedid, event.queue
            agent.wrapup_until = None
            t.agents.add(agent.interface)
            self._leave_queue(event.linkedid, t)
            self._set_call(event.linkedid, "talking", at, t).agent = event.interface
        elif isinstance(event, CallCompleted):
            agent = self._agent(event.interface, event.member_name)
            if agent.on_call == event.linkedid:
                agent.call_queue = event.queue
                self._start_wrapup(agent, at)
            t.agents.add(agent.interface)
            if event.queue:  # counted even if we missed the answer: TalkTime is Asterisk's
                handle = event.talk_s + self.wrapup_s.get(event.queue, 0)
                self.handle_times.add(event.queue, at, handle)
                self.queues.add(event.queue)
                t.queues.add(event.queue)
        elif isinstance(event, CallAbandoned | CallExitedQueue):
            self._leave_queue(event.linkedid, t)
            if event.linkedid in self.calls:
                self._set_call(event.linkedid, "left_queue", at, t)
        elif isinstance(event, CallDiverted):
            self._set_call(event.linkedid, f"diverted_{event.target.value}", at, t)
        elif isinstance(event, CallEnded):
            self._end_call(event.linkedid, at, t)
        elif isinstance(event, AgentLoggedIn):
            agent = self._agent(event.interface, event.member_name)
            self._join(agent, event.queue, t)
            if event.paused:
                agent.paused[event.queue] = ""
                agent.paused_since = at
        elif isinstance(event, AgentLoggedOut):
            agent = self._agent(event.interface, event.member_name)
            agent.queues.discard(event.queue)
            agent.paused.pop(event.queue, None)
            t.agents.add(agent.interface)
            t.queues.add(event.queue)
        elif isinstance(event, AgentPaused):
            agent = self._agent(event.interface, event.member_name)
            self._join(agent, event.queue, t)
            if not agent.paused:
                agent.paused_since = at
            agent.paused[event.queue] = event.reason
        elif isinstance(event, AgentUnpaused):
            agent = self._agent(event.interface, event.member_name)
            agent.paused.pop(event.queue, None)
            t.agents.add(agent.interface)
            t.queues.add(event.queue)
        elif isinstance(event, AgentDeviceStateChanged):
            agent = self._agent(event.interface, event.member_name)
            self._join(agent, event.queue, t)
            agent.device_status = event.status
        elif isinstance(event, DataGap):
            t.system["gap"] = event.to_dict()

    def _by_name(self, member_name: str) -> str:
        for agent in self.agents.values():
            if agent.member_name == member_name:
                return agent.interface
        return member_name

    # -- documents ---------------------------------------------------------------------------
    def _agent_state(self, agent: _Agent, queue: str | None = None) -> str:
        if not agent.queues:
            return "logged_out"
        if agent.on_call is not None:
            return "on_call"
        if agent.ringing is not None:
            return "ringing"
        now = self.now
        if agent.wrapup_until is not None and now is not None and now < agent.wrapup_until:
            return "wrapup"
        paused = queue in agent.paused if queue else agent.queues <= set(agent.paused)
        if paused:
            return "paused"
        if agent.device_status in UNAVAILABLE_DEVICE:
            return "unavailable"
        return "available"

    def _agent_doc(self, agent: _Agent) -> dict[str, Any]:
        state = self._agent_state(agent)
        if state != agent.state:
            agent.state, agent.since = state, self.now
        reason = next(iter(agent.paused.values()), "") if state == "paused" else ""
        return {
            "interface": agent.interface,
            "member_name": agent.member_name,
            "state": state,
            "since": _iso(agent.since),
            "paused_reason": reason,
            "paused_since": _iso(agent.paused_since) if agent.paused else None,
            "current_call": agent.on_call or agent.ringing,
            "wrapup_until": _iso(agent.wrapup_until) if state == "wrapup" else None,
            "device_status": agent.device_status,
            "queues": sorted(agent.queues),
        }

    def _queue_doc(self, queue: str) -> dict[str, Any]:
        now = self.now
        entries = sorted(
            self.waiting.get(queue, {}).values(), key=lambda w: (w.joined_at, w.position)
        )
        waiting = [
            {
                "linkedid": w.linkedid,
                "caller_number": w.caller_number,
                "position": i,
                "joined_at": w.joined_at.isoformat(),
                "wait_s": int((now - w.joined_at).total_seconds()) if now else 0,
            }
            for i, w in enumerate(entries, 1)
        ]
        by_state: dict[str, list[str]] = {
            s: [] for s in ("available", "ringing", "on_call", "wrapup", "paused", "unavailable")
        }
        logged_out: list[str] = []
        members: list[dict[str, Any]] = []
        for agent in sorted(self.agents.values(), key=lambda a: a.interface):
            if queue in agent.queues:
                state = self._agent_state(agent, queue)
                by_state[state].append(agent.interface)
                members.append(
                    {
                        "interface": agent.interface,
                        "member_name": agent.member_name,
                        "state": state,
                        "since": _iso(agent.since),
                        "paused_reason": agent.paused.get(queue, "") if state == "paused" else "",
                    }
                )
            elif agent.interface in self.members_seen.get(queue, set()):
                logged_out.append(agent.interface)
        oldest = entries[0].joined_at if entries else None
        aht = self.handle_times.recent(queue, now)
        return {
            "queue": queue,
            "waiting": waiting,
            "waiting_count": len(waiting),
            "longest_wait_s": waiting[0]["wait_s"] if waiting else 0,
            "longest_waiting_since": _iso(oldest),
            "agents": by_state,
            "members": members,
            "logged_out": logged_out,
            "counts": {state: len(members) for state, members in by_state.items()},
            "aht_recent_s": aht.mean_s,
            "aht_calls": aht.calls,
            "as_of": _iso(now),
        }

    def _call_doc(self, call: _Call) -> dict[str, Any]:
        return {
            "linkedid": call.linkedid,
            "caller_number": call.caller_number,
            "state": call.state,
            "since": _iso(call.since),
            "queue": call.queue,
            "agent": call.agent,
        }

    def _emit(self, t: _Touched) -> list[LiveUpdate]:
        updates = [
            LiveUpdate("agents", i, self._agent_doc(self.agents[i])) for i in sorted(t.agents)
        ]
        queues = set(t.queues)
        for interface in t.agents:
            queues |= self.agents[interface].queues
        updates += [LiveUpdate("queues", q, self._queue_doc(q)) for q in sorted(queues)]
        updates += [
            LiveUpdate("calls", c, self._call_doc(self.calls[c]))
            for c in sorted(t.calls)
            if c in self.calls
        ]
        updates += [LiveUpdate("calls", c, None) for c in sorted(t.deleted_calls)]
        updates += [LiveUpdate("system", k, doc) for k, doc in sorted(t.system.items())]
        return updates
