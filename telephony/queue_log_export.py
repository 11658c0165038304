"""Export our domain timeline as Asterisk ``queue_log`` lines (QueueMetrics/Asternic input).

The inverse of :mod:`telephony.queue_log`; the replay tests check that exporting the events
translated from each recorded trace reproduces that trace's own queue_log.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from core.calls import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentRingCanceled,
    AgentRingNoAnswer,
    AgentUnpaused,
    CallAbandoned,
    CallAnswered,
    CallCompleted,
    CallExitedQueue,
    CallOffered,
    CallQueued,
    ExitReason,
    HangupParty,
)
from core.events import DomainEvent
from telephony.queue_log import EXIT_VERBS, QueueLogEntry

_VERB_BY_EXIT = {reason: verb for verb, reason in EXIT_VERBS.items()}


def _epoch(at: datetime) -> int:
    return math.floor(at.timestamp())


class QueueLogExporter:
    """Our domain timeline → queue_log entries (stateful: remembers callers' numbers/ids).

    Not exported (no AMI source): PAUSEALL/UNPAUSEALL (AMI reports per-queue pauses, which
    become PAUSE/UNPAUSE), PENALTY, QUEUESTART, and CONNECT/COMPLETE member *uniqueids* are
    exported only when AMI gave them.
    """

    def __init__(self) -> None:
        self._numbers: dict[str, str] = {}
        self._callids: dict[str, str] = {}

    def export(self, event: DomainEvent) -> list[QueueLogEntry]:
        t = _epoch(event.occurred_at)
        if isinstance(event, CallOffered):
            self._numbers[event.linkedid] = event.caller_number
            self._callids[event.linkedid] = event.uniqueid
            return []
        if isinstance(event, CallQueued):
            self._callids[event.linkedid] = event.uniqueid
            number = self._numbers.get(event.linkedid, "")
            return [
                QueueLogEntry(
                    t,
                    event.uniqueid,
                    event.queue,
                    "NONE",
                    "ENTERQUEUE",
                    ("", number, str(event.position)),
                )
            ]
        if isinstance(event, AgentPaused | AgentUnpaused):
            verb, data = (
                ("PAUSE", (event.reason,)) if isinstance(event, AgentPaused) else ("UNPAUSE", ("",))
            )
            return [QueueLogEntry(t, "NONE", event.queue, event.member_name, verb, data)]
        if isinstance(event, AgentLoggedIn):
            return [
                QueueLogEntry(
                    t,
                    "MANAGER",
                    event.queue,
                    event.interface,
                    "ADDMEMBER",
                    ("PAUSED" if event.paused else "",),
                )
            ]
        if isinstance(event, AgentLoggedOut):
            return [
                QueueLogEntry(t, "MANAGER", event.queue, event.interface, "REMOVEMEMBER", ("",))
            ]
        linkedid = getattr(event, "linkedid", None)
        if linkedid is None:
            return []
        cid = self._callids.get(linkedid, linkedid)
        if isinstance(event, AgentRingNoAnswer | AgentRingCanceled):
            verb = "RINGNOANSWER" if isinstance(event, AgentRingNoAnswer) else "RINGCANCELED"
            return [
                QueueLogEntry(t, cid, event.queue, event.member_name, verb, (str(event.ring_ms),))
            ]
        if isinstance(event, CallAnswered):
            return [
                QueueLogEntry(
                    t,
                    cid,
                    event.queue,
                    event.member_name,
                    "CONNECT",
                    (str(event.wait_s), event.agent_uniqueid, str(event.ring_s)),
                )
            ]
        if isinstance(event, CallCompleted):
            verb = "COMPLETEAGENT" if event.hung_up_by is HangupParty.AGENT else "COMPLETECALLER"
            done = (str(event.wait_s), str(event.talk_s), str(event.original_position or 1))
            return [QueueLogEntry(t, cid, event.queue, event.member_name, verb, done)]
        if isinstance(event, CallAbandoned):
            return [
                QueueLogEntry(
                    t,
                    cid,
                    event.queue,
                    "NONE",
                    "ABANDON",
                    (str(event.position), str(event.original_position), str(event.wait_s)),
                )
            ]
        if isinstance(event, CallExitedQueue):
            tail = (str(event.position), str(event.original_position), str(event.wait_s))
            if event.reason is ExitReason.KEY:
                return [
                    QueueLogEntry(
                        t, cid, event.queue, "NONE", "EXITWITHKEY", (event.key or "", *tail)
                    )
                ]
            exit_verb = _VERB_BY_EXIT.get(event.reason)
            if exit_verb is None:
                return []
            return [QueueLogEntry(t, cid, event.queue, "NONE", exit_verb, tail)]
        return []

    def export_all(self, events: Iterable[DomainEvent]) -> list[QueueLogEntry]:
        return [entry for event in events for entry in self.export(event)]


def export_queue_log(events: Iterable[DomainEvent]) -> list[str]:
    """queue_log lines (no newline) for a timeline of domain events, in event order."""
    return [entry.to_line() for entry in QueueLogExporter().export_all(events)]
