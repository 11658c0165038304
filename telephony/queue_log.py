"""Asterisk ``queue_log``: parse it into call outcomes / domain events, and export ours as it.

Line format (``../shared/ami-traces/README.md``)::

    epoch|callid|queue|agent|VERB|data1|data2|…

``callid`` is the caller channel's Uniqueid (= the call's Linkedid for inbound calls), or
``NONE``/``MANAGER`` for member events. ``agent`` is the MemberName for call and pause events,
the interface for ADDMEMBER/REMOVEMEMBER/PENALTY of dynamic members. Data by verb::

    ENTERQUEUE   url|callerid|position          CONNECT        hold|member-uniqueid|ring(s)
    COMPLETECALLER / COMPLETEAGENT hold|talk|origpos
    TRANSFER     exten|context|hold|talk|origpos
    ABANDON / EXITWITHTIMEOUT / EXITEMPTY  pos|origpos|wait
    EXITWITHKEY  key|pos|origpos|wait          RINGNOANSWER / RINGCANCELED  ms
    PAUSE / PAUSEALL reason   UNPAUSE / UNPAUSEALL   ADDMEMBER PAUSED|   REMOVEMEMBER
    PENALTY n    QUEUESTART   JOINEMPTY / FULL (refused at the door)

The bridge reconciles calls that ended while AMI was down with
:func:`outcomes_from_queue_log` / :func:`events_from_queue_log`;
:mod:`telephony.queue_log_export` writes our own timeline in the same format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.calls import (
    AgentRingCanceled,
    AgentRingNoAnswer,
    CallAbandoned,
    CallAnswered,
    CallCompleted,
    CallExitedQueue,
    CallOffered,
    CallQueued,
    CallTransferred,
    ExitReason,
    HangupParty,
)
from core.events import DomainEvent

NO_CALL = frozenset({"NONE", "MANAGER", ""})
EXIT_VERBS = {
    "EXITWITHTIMEOUT": ExitReason.TIMEOUT,
    "EXITEMPTY": ExitReason.LEAVEEMPTY,
    "JOINEMPTY": ExitReason.JOINEMPTY,
    "FULL": ExitReason.FULL,
}
# An answered visit ended: who hung up, by verb.
HANGUP_BY_VERB = {
    "COMPLETECALLER": HangupParty.CALLER,
    "COMPLETEAGENT": HangupParty.AGENT,
    "TRANSFER": HangupParty.TRANSFER,
}
# A member's ring that ended unanswered: same fields, the verb says how.
_RING_EVENTS: dict[str, type[AgentRingNoAnswer] | type[AgentRingCanceled]] = {
    "RINGNOANSWER": AgentRingNoAnswer,
    "RINGCANCELED": AgentRingCanceled,
}
# A visit is done in queue_log once it is answered-and-completed or left unanswered.
CLOSING_VERBS = frozenset({*HANGUP_BY_VERB, "ABANDON", "EXITWITHKEY", *EXIT_VERBS})


class QueueLogError(ValueError):
    """A queue_log line that cannot be parsed (the caller keeps the line and reports it)."""


@dataclass(frozen=True, slots=True)
class QueueLogEntry:
    time: int
    callid: str
    queue: str
    agent: str
    verb: str
    data: tuple[str, ...] = ()

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.time, UTC)

    def to_line(self) -> str:
        return "|".join(
            [str(self.time), self.callid, self.queue, self.agent, self.verb, *self.data]
        )

    def field(self, index: int, default: str = "") -> str:
        return self.data[index] if index < len(self.data) else default

    def int_field(self, index: int, default: int = 0) -> int:
        value = self.field(index)
        return int(value) if value.lstrip("-").isdigit() else default


def parse_line(line: str) -> QueueLogEntry:
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5:
        raise QueueLogError(f"queue_log line needs at least 5 fields: {line!r}")
    if not parts[0].isdigit():
        raise QueueLogError(f"queue_log line has no epoch time: {line!r}")
    # kept verbatim: "UNPAUSE|" carries one empty field, so to_line() gives the line back
    return QueueLogEntry(int(parts[0]), parts[1], parts[2], parts[3], parts[4], tuple(parts[5:]))


@dataclass(frozen=True, slots=True)
class QueueLogIssue:
    line_no: int
    line: str
    reason: str


def parse_lines(lines: Iterable[str]) -> tuple[list[QueueLogEntry], list[QueueLogIssue]]:
    """Parse lines, skipping blanks; bad lines become issues (nothing is silently lost)."""
    entries: list[QueueLogEntry] = []
    issues: list[QueueLogIssue] = []
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entries.append(parse_line(line))
        except QueueLogError as exc:
            issues.append(QueueLogIssue(no, line, str(exc)))
    return entries, issues


@dataclass(slots=True)
class QueueCallOutcome:
    """One queue visit of a call (ENTERQUEUE … closing verb) as queue_log tells it."""

    callid: str
    queue: str
    entered_at: datetime
    caller_number: str = ""
    position: int = 0
    outcome: str = "in_queue"  # answered|abandoned|timeout|exit_key|leaveempty|joinempty|full
    ended_at: datetime | None = None
    wait_s: int | None = None
    talk_s: int | None = None
    agent: str = ""
    agent_uniqueid: str = ""
    hung_up_by: str = ""
    original_position: int | None = None
    key: str | None = None
    rings: list[tuple[str, str, int]] = field(default_factory=list)  # (agent, verb, ms)
    lines: list[QueueLogEntry] = field(default_factory=list)


def _visits(entries: Iterable[QueueLogEntry]) -> list[QueueCallOutcome]:
    open_: dict[str, QueueCallOutcome] = {}
    visits: list[QueueCallOutcome] = []
    for e in entries:
        if e.callid in NO_CALL:
            continue
        visit = open_.get(e.callid)
        if e.verb == "ENTERQUEUE" or (visit is None and e.verb in ("JOINEMPTY", "FULL")):
            visit = QueueCallOutcome(
                callid=e.callid,
                queue=e.queue,
                entered_at=e.at,
                caller_number=e.field(1),
                position=e.int_field(2),
            )
            open_[e.callid] = visit
            visits.append(visit)
        if visit is None:
            continue  # lines of a visit that started before the log we were given
        visit.lines.append(e)
        _fold(visit, e)
        if e.verb in CLOSING_VERBS:
            visit.ended_at = e.at
            del open_[e.callid]
    return visits


def _fold(v: QueueCallOutcome, e: QueueLogEntry) -> None:
    verb = e.verb
    if verb == "CONNECT":
        v.outcome = "answered"
        v.wait_s = e.int_field(0)
        v.agent_uniqueid = e.field(1)
        v.agent = e.agent
    elif verb in HANGUP_BY_VERB:
        offset = 2 if verb == "TRANSFER" else 0
        v.outcome = "answered"
        v.agent = e.agent
        v.wait_s = e.int_field(offset)
        v.talk_s = e.int_field(offset + 1)
        v.original_position = e.int_field(offset + 2)
        v.hung_up_by = HANGUP_BY_VERB[verb].value
    elif verb == "ABANDON" or verb in EXIT_VERBS:
        v.outcome = "abandoned" if verb == "ABANDON" else EXIT_VERBS[verb].value
        v.position = e.int_field(0, v.position)
        v.original_position = e.int_field(1)
        v.wait_s = e.int_field(2)
    elif verb == "EXITWITHKEY":
        v.outcome = "exit_key"
        v.key = e.field(0)
        v.position = e.int_field(1)
        v.original_position = e.int_field(2)
        v.wait_s = e.int_field(3)
    elif verb in _RING_EVENTS:
        v.rings.append((e.agent, verb, e.int_field(0)))


def _in_window(v: QueueCallOutcome, since: datetime | None, until: datetime | None) -> bool:
    """Any line of the visit inside ``[since, until]``: a visit that was entered before an
    outage and answered during it needs its CONNECT line even though it ended later."""
    return any(
        (since is None or e.at >= since) and (until is None or e.at <= until) for e in v.lines
    )


def outcomes_from_queue_log(
    lines: Iterable[str], since: datetime | None = None, until: datetime | None = None
) -> list[QueueCallOutcome]:
    """Queue visits with any line within ``[since, until]`` (inclusive, aware datetimes).

    Pass the whole log (or at least from before ``since``): a visit whose ENTERQUEUE line is
    missing cannot be reconstructed and is skipped. Unparseable lines are skipped here; use
    :func:`parse_lines` to get them reported.
    """
    entries, _ = parse_lines(lines)
    return [v for v in _visits(entries) if _in_window(v, since, until)]


def events_from_queue_log(
    lines: Iterable[str],
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    with_offered: bool = True,
) -> list[DomainEvent]:
    """Domain events for queue visits in the window (what reconciliation appends to the log).

    queue_log knows nothing of the IVR or the hang-up, so only queue events are produced, plus a
    ``CallOffered`` (from ENTERQUEUE, ``dialed`` empty) when ``with_offered``. Linkedid = callid.
    """
    out: list[DomainEvent] = []
    for v in outcomes_from_queue_log(lines, since, until):
        if with_offered:
            out.append(
                CallOffered(
                    occurred_at=v.entered_at,
                    linkedid=v.callid,
                    uniqueid=v.callid,
                    channel="",
                    caller_number=v.caller_number,
                    caller_name="",
                    dialed="",
                )
            )
        for e in v.lines:
            out.extend(_events_for_line(v, e))
    return out


def _events_for_line(v: QueueCallOutcome, e: QueueLogEntry) -> list[DomainEvent]:
    at, cid, queue = e.at, v.callid, e.queue
    verb = e.verb
    if verb == "ENTERQUEUE":
        return [
            CallQueued(
                occurred_at=at,
                linkedid=cid,
                queue=queue,
                uniqueid=cid,
                position=e.int_field(2),
                count=e.int_field(2),
            )
        ]
    if verb in _RING_EVENTS:
        return [
            _RING_EVENTS[verb](
                occurred_at=at,
                linkedid=cid,
                queue=queue,
                interface="",
                member_name=e.agent,
                ring_ms=e.int_field(0),
            )
        ]
    if verb == "CONNECT":
        return [
            CallAnswered(
                occurred_at=at,
                linkedid=cid,
                queue=queue,
                interface="",
                member_name=e.agent,
                agent_uniqueid=e.field(1),
                wait_s=e.int_field(0),
                ring_s=e.int_field(2),
            )
        ]
    if verb in HANGUP_BY_VERB:
        out: list[DomainEvent] = []
        if verb == "TRANSFER":
            out.append(
                CallTransferred(
                    occurred_at=at,
                    linkedid=cid,
                    kind="blind",
                    target=f"{e.field(0)}@{e.field(1)}",
                    by_channel="",
                    result="Success",
                )
            )
        out.append(
            CallCompleted(
                occurred_at=at,
                linkedid=cid,
                queue=queue,
                interface="",
                member_name=e.agent,
                wait_s=v.wait_s or 0,
                talk_s=v.talk_s or 0,
                hung_up_by=HANGUP_BY_VERB[verb],
                original_position=v.original_position,
            )
        )
        return out
    if verb == "ABANDON":
        return [
            CallAbandoned(
                occurred_at=at,
                linkedid=cid,
                queue=queue,
                position=e.int_field(0),
                original_position=e.int_field(1),
                wait_s=e.int_field(2),
            )
        ]
    if verb in EXIT_VERBS:
        return [
            CallExitedQueue(
                occurred_at=at,
                linkedid=cid,
                queue=queue,
                reason=EXIT_VERBS[verb],
                position=e.int_field(0),
                original_position=e.int_field(1),
                wait_s=e.int_field(2),
            )
        ]
    if verb == "EXITWITHKEY":
        return [
            CallExitedQueue(
                occurred_at=at,
                linkedid=cid,
                queue=queue,
                reason=ExitReason.KEY,
                position=e.int_field(1),
                original_position=e.int_field(2),
                wait_s=e.int_field(3),
                key=e.field(0),
            )
        ]
    return []
