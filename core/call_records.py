"""One record per citizen call (legs, timeline, outcome), reduced from call domain events.

The outcome is decided from what happened at the queue first (answered / abandoned / timeout /
exit with key / no-agent exits) and, for calls that never queued, from the IVR (diverted to
online / voicemail / callback, or hung up in the menu). ``short_abandon`` is an abandon with a
wait strictly below the threshold (default 5 s; the same threshold the KPIs use).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.calls import (
    AgentRingCanceled,
    AgentRinging,
    AgentRingNoAnswer,
    CallAbandoned,
    CallAnswered,
    CallCompleted,
    CallDiversionOffered,
    CallDiverted,
    CallEnded,
    CallEvent,
    CallExitedQueue,
    CallOffered,
    CallQueued,
    CallTransferred,
    DiversionTarget,
    ExitReason,
    IvrEntered,
    IvrLeft,
    VoicemailLeft,
)
from core.events import DomainEvent

DEFAULT_SHORT_ABANDON_S = 5


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    SHORT_ABANDON = "short_abandon"
    TIMEOUT = "timeout"
    EXIT_KEY = "exit_key"  # caller chose to leave the queue (voicemail/online/callback)
    JOINEMPTY = "joinempty"
    LEAVEEMPTY = "leaveempty"
    FULL = "full"
    QUEUE_EXIT_UNKNOWN = "queue_exit_unknown"
    DIVERTED_IVR = "diverted_ivr"  # took a diversion offered by the busy menu before queueing
    ONLINE = "online"  # chose the online channel in the IVR
    VOICEMAIL = "voicemail"  # chose voicemail in the IVR
    CALLBACK = "callback"  # asked for a callback in the IVR
    IVR_HANGUP = "ivr_hangup"  # hung up before reaching a queue or a diversion
    IN_PROGRESS = "in_progress"


_EXIT_OUTCOME = {
    ExitReason.TIMEOUT: CallOutcome.TIMEOUT,
    ExitReason.KEY: CallOutcome.EXIT_KEY,
    ExitReason.JOINEMPTY: CallOutcome.JOINEMPTY,
    ExitReason.LEAVEEMPTY: CallOutcome.LEAVEEMPTY,
    ExitReason.FULL: CallOutcome.FULL,
    ExitReason.UNKNOWN: CallOutcome.QUEUE_EXIT_UNKNOWN,
}
_IVR_OUTCOME = {
    DiversionTarget.ONLINE: CallOutcome.ONLINE,
    DiversionTarget.VOICEMAIL: CallOutcome.VOICEMAIL,
    DiversionTarget.CALLBACK: CallOutcome.CALLBACK,
}


@dataclass(slots=True)
class AgentLeg:
    """One ring attempt of a queue member; ``result``: ringing/no_answer/canceled/answered."""

    interface: str
    member_name: str
    agent_uniqueid: str
    rang_at: datetime
    result: str = "ringing"
    ring_ms: int | None = None


@dataclass(slots=True)
class CallRecord:
    linkedid: str
    caller_uniqueid: str = ""
    caller_number: str = ""
    dialed: str = ""
    offered_at: datetime | None = None
    ended_at: datetime | None = None
    ivr_choices: list[str] = field(default_factory=list)
    queue: str = ""
    queued_at: datetime | None = None
    original_position: int | None = None
    wait_s: int | None = None  # answered: HoldTime; abandoned/exited: wait at leaving
    answered_at: datetime | None = None
    agent_interface: str = ""
    agent_name: str = ""
    talk_s: int | None = None
    hung_up_by: str = ""
    abandoned: bool = False
    exit_reason: ExitReason | None = None
    exit_key: str | None = None
    diversion_offered: bool = False
    diversions: list[DiversionTarget] = field(default_factory=list)
    voicemail_files: list[str] = field(default_factory=list)
    transfers: list[str] = field(default_factory=list)
    legs: list[AgentLeg] = field(default_factory=list)
    timeline: list[tuple[datetime, str]] = field(default_factory=list)
    short_abandon_s: int = DEFAULT_SHORT_ABANDON_S

    @property
    def queued(self) -> bool:
        return self.queued_at is not None

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def outcome(self) -> CallOutcome:
        return self.outcome_with(self.short_abandon_s)

    def outcome_with(self, short_abandon_s: int) -> CallOutcome:
        """The outcome under a given short-abandon threshold (KPI settings may differ)."""
        if self.answered:
            return CallOutcome.ANSWERED
        if self.abandoned:
            wait = self.wait_s or 0
            short = wait < short_abandon_s
            return CallOutcome.SHORT_ABANDON if short else CallOutcome.ABANDONED
        if self.exit_reason is not None:
            return _EXIT_OUTCOME[self.exit_reason]
        if self.ended_at is None:
            return CallOutcome.IN_PROGRESS
        if self.queued:
            # queued, ended, and no queue outcome known (e.g. lost in an AMI outage and not in
            # queue_log): never silently counted as an IVR hang-up
            return CallOutcome.QUEUE_EXIT_UNKNOWN
        if self.diversions:
            if self.diversion_offered:
                return CallOutcome.DIVERTED_IVR
            return _IVR_OUTCOME[self.diversions[0]]
        return CallOutcome.IVR_HANGUP

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "linkedid": self.linkedid,
            "caller_uniqueid": self.caller_uniqueid,
            "caller_number": self.caller_number,
            "dialed": self.dialed,
            "offered_at": iso(self.offered_at),
            "ended_at": iso(self.ended_at),
            "outcome": self.outcome.value,
            "ivr_choices": list(self.ivr_choices),
            "queue": self.queue,
            "queued_at": iso(self.queued_at),
            "original_position": self.original_position,
            "wait_s": self.wait_s,
            "answered_at": iso(self.answered_at),
            "agent_interface": self.agent_interface,
            "agent_name": self.agent_name,
            "talk_s": self.talk_s,
            "hung_up_by": self.hung_up_by,
            "exit_reason": self.exit_reason.value if self.exit_reason else None,
            "exit_key": self.exit_key,
            "diversions": [d.value for d in self.diversions],
            "voicemail_files": list(self.voicemail_files),
            "transfers": list(self.transfers),
            "legs": [
                {
                    "interface": leg.interface,
                    "member_name": leg.member_name,
                    "agent_uniqueid": leg.agent_uniqueid,
                    "rang_at": leg.rang_at.isoformat(),
                    "result": leg.result,
                    "ring_ms": leg.ring_ms,
                }
                for leg in self.legs
            ],
            "timeline": [[at.isoformat(), what] for at, what in self.timeline],
        }


class CallRecordReducer:
    """Folds call events into :class:`CallRecord` objects keyed by linkedid."""

    def __init__(self, *, short_abandon_s: int = DEFAULT_SHORT_ABANDON_S) -> None:
        self.short_abandon_s = short_abandon_s
        self.records: dict[str, CallRecord] = {}

    def apply(self, event: DomainEvent) -> CallRecord | None:
        """Apply one event; returns the record it touched (None for non-call events)."""
        if not isinstance(event, CallEvent):
            return None
        rec = self.records.get(event.linkedid)
        if rec is None:
            rec = CallRecord(linkedid=event.linkedid, short_abandon_s=self.short_abandon_s)
            self.records[event.linkedid] = rec
        rec.timeline.append((event.occurred_at, event.name))
        _apply(rec, event)
        return rec

    def apply_all(self, events: Iterable[DomainEvent]) -> dict[str, CallRecord]:
        for event in events:
            self.apply(event)
        return self.records


def build_call_records(
    events: Iterable[DomainEvent], *, short_abandon_s: int = DEFAULT_SHORT_ABANDON_S
) -> dict[str, CallRecord]:
    return CallRecordReducer(short_abandon_s=short_abandon_s).apply_all(events)


def _leg(rec: CallRecord, interface: str) -> AgentLeg | None:
    for leg in reversed(rec.legs):
        if leg.interface == interface and leg.result == "ringing":
            return leg
    return None


def _apply(rec: CallRecord, event: CallEvent) -> None:
    at = event.occurred_at
    if isinstance(event, CallOffered):
        rec.caller_uniqueid = event.uniqueid
        rec.caller_number = event.caller_number
        rec.dialed = event.dialed
        rec.offered_at = at
    elif isinstance(event, IvrLeft):
        if event.choice is not None:
            rec.ivr_choices.append(event.choice)
    elif isinstance(event, CallQueued):
        rec.queue = event.queue
        rec.queued_at = at
        rec.original_position = event.position
        rec.caller_uniqueid = rec.caller_uniqueid or event.uniqueid
    elif isinstance(event, AgentRinging):
        rec.legs.append(AgentLeg(event.interface, event.member_name, event.agent_uniqueid, at))
    elif isinstance(event, AgentRingNoAnswer | AgentRingCanceled):
        leg = _leg(rec, event.interface)
        if leg is not None:
            leg.result = "no_answer" if isinstance(event, AgentRingNoAnswer) else "canceled"
            leg.ring_ms = event.ring_ms
    elif isinstance(event, CallAnswered):
        rec.answered_at = at
        rec.wait_s = event.wait_s
        rec.agent_interface = event.interface
        rec.agent_name = event.member_name
        rec.queue = rec.queue or event.queue
        leg = _leg(rec, event.interface)
        if leg is not None:
            leg.result = "answered"
            leg.ring_ms = event.ring_s * 1000
    elif isinstance(event, CallCompleted):
        rec.talk_s = event.talk_s
        rec.hung_up_by = event.hung_up_by.value
    elif isinstance(event, CallAbandoned):
        rec.abandoned = True
        rec.wait_s = event.wait_s
        rec.original_position = rec.original_position or event.original_position
    elif isinstance(event, CallExitedQueue):
        rec.exit_reason = event.reason
        rec.exit_key = event.key
        rec.wait_s = event.wait_s
        rec.queue = rec.queue or event.queue
    elif isinstance(event, CallDiversionOffered):
        rec.diversion_offered = True
    elif isinstance(event, CallDiverted):
        rec.diversions.append(event.target)
    elif isinstance(event, VoicemailLeft):
        rec.voicemail_files.append(event.message_file)
    elif isinstance(event, CallTransferred):
        rec.transfers.append(f"{event.kind}:{event.target}")
    elif isinstance(event, CallEnded):
        rec.ended_at = at
    elif isinstance(event, IvrEntered):
        pass  # kept in the timeline only
