"""Call, queue and agent domain events (past tense), keyed by the call's ``Linkedid``.

These are what the AMI translator (``telephony.translate``) emits and what the call-record
reducer, the live-state reducer and the call KPIs consume. They are also the stored call-event
log (``core.ports.StoredCallEvent``): :func:`to_stored` / :func:`from_stored` convert both ways,
so every KPI can be recomputed from storage.

Units: all ``*_s`` fields are whole seconds as Asterisk reports them (queue_log and
``AgentConnect``/``AgentComplete``/``QueueCallerAbandon`` use seconds); ``ring_ms`` is
milliseconds (``AgentRingNoAnswer`` RingTime, queue_log RINGNOANSWER/RINGCANCELED).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.events import DomainEvent
from core.ports import StoredCallEvent


class ExitReason(StrEnum):
    """Why a caller left a queue without being answered (queue_log verb in brackets)."""

    TIMEOUT = "timeout"  # EXITWITHTIMEOUT; AMI: QueueCallerAbandon + QUEUESTATUS=TIMEOUT
    KEY = "key"  # EXITWITHKEY: the caller pressed a digit (queue context=)
    JOINEMPTY = "joinempty"  # JOINEMPTY / QUEUESTATUS=JOINEMPTY|JOINUNAVAIL
    LEAVEEMPTY = "leaveempty"  # EXITEMPTY / QUEUESTATUS=LEAVEEMPTY|LEAVEUNAVAIL
    FULL = "full"  # FULL / QUEUESTATUS=FULL
    UNKNOWN = "unknown"  # left without any signal we recognise (kept, never dropped)


class DiversionTarget(StrEnum):
    VOICEMAIL = "voicemail"
    ONLINE = "online"  # 引导至网上渠道 (SMS link / app)
    CALLBACK = "callback"


class HangupParty(StrEnum):
    CALLER = "caller"
    AGENT = "agent"
    TRANSFER = "transfer"
    SYSTEM = "system"


# -- call events (keyed by linkedid) ----------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class CallEvent(DomainEvent):
    linkedid: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOffered(CallEvent):
    """A citizen's call reached the hotline (first channel of the linkedid, inbound context)."""

    uniqueid: str  # the caller channel's Uniqueid = queue_log callid
    channel: str
    caller_number: str
    caller_name: str
    dialed: str  # the number called (Exten), e.g. 12345


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrEntered(CallEvent):
    menu: str  # dialplan context of the menu


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrLeft(CallEvent):
    menu: str
    choice: str | None  # last digit pressed in the menu (None: no input / timeout path)
    destination: str  # context the caller went to


@dataclass(frozen=True, slots=True, kw_only=True)
class CallDiversionOffered(CallEvent):
    """The dialplan offered the caller a way out of waiting (busy menu: voicemail / online)."""

    reason: str  # e.g. the UserEvent name "HotlineBusyDivertOffered"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallQueued(CallEvent):
    queue: str
    uniqueid: str
    position: int
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRinging(CallEvent):
    queue: str
    interface: str  # queue member interface, e.g. PJSIP/agent8001 (the agent's stable key)
    member_name: str
    agent_uniqueid: str
    agent_channel: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRingNoAnswer(CallEvent):
    queue: str
    interface: str
    member_name: str
    ring_ms: int  # AMI AgentRingNoAnswer RingTime is MILLISECONDS


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRingCanceled(CallEvent):
    """A ringing member stopped ringing because the caller left/was answered elsewhere.

    AMI has no dedicated event (two ``DialEnd`` CANCEL); ``ring_ms`` is measured from
    ``AgentCalled`` to the first ``DialEnd`` by receive time (queue_log RINGCANCELED).
    """

    queue: str
    interface: str
    member_name: str
    ring_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAnswered(CallEvent):
    queue: str
    interface: str
    member_name: str
    agent_uniqueid: str
    wait_s: int  # AgentConnect HoldTime (seconds)
    ring_s: int  # AgentConnect RingTime (SECONDS, unlike AgentRingNoAnswer)


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAbandoned(CallEvent):
    """The caller hung up while waiting in the queue (queue_log ABANDON)."""

    queue: str
    position: int
    original_position: int
    wait_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CallExitedQueue(CallEvent):
    """The caller left the queue unanswered for a reason other than hanging up."""

    queue: str
    reason: ExitReason
    position: int
    original_position: int
    wait_s: int
    key: str | None = None  # digit pressed for ExitReason.KEY


@dataclass(frozen=True, slots=True, kw_only=True)
class CallDiverted(CallEvent):
    target: DiversionTarget
    # what showed it: "ivr", "queue_exit_key", "queue_timeout", "queue_redirect", "busy_menu", …
    via: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VoicemailLeft(CallEvent):
    mailbox: str
    message_file: str
    caller_number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallTransferred(CallEvent):
    kind: str  # "blind" | "attended"
    target: str  # extension@context or the other channel
    by_channel: str
    result: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallCompleted(CallEvent):
    """An answered queue call ended (AgentComplete)."""

    queue: str
    interface: str
    member_name: str
    wait_s: int
    talk_s: int
    hung_up_by: HangupParty
    original_position: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEnded(CallEvent):
    """The caller's channel hung up: the citizen call is over (whatever happened before)."""

    uniqueid: str
    cause: int
    cause_text: str


# -- agent events (keyed by interface) ---------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class AgentEvent(DomainEvent):
    queue: str
    interface: str
    member_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLoggedIn(AgentEvent):
    """Member added to a queue (QueueMemberAdded / queue_log ADDMEMBER)."""

    paused: bool = False
    dynamic: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLoggedOut(AgentEvent):
    """Member removed from a queue (QueueMemberRemoved / REMOVEMEMBER)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentPaused(AgentEvent):
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentUnpaused(AgentEvent):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentDeviceStateChanged(AgentEvent):
    """QueueMemberStatus: the member's device state as the queue sees it."""

    status: int  # ast_device_state number (1 NOT_INUSE, 2 INUSE, 3 BUSY, 6 RINGING, …)
    in_call: bool
    paused: bool
    paused_reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DataGap(DomainEvent):
    """The bridge lost AMI between ``start`` and ``end``; calls in between were reconciled."""

    start: datetime
    end: datetime
    calls_reconciled: int
    reason: str = ""


DEVICE_STATES: Mapping[int, str] = {
    0: "unknown",
    1: "not_inuse",
    2: "inuse",
    3: "busy",
    4: "invalid",
    5: "unavailable",
    6: "ringing",
    7: "ringinuse",
    8: "onhold",
}

CALL_EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        CallOffered,
        IvrEntered,
        IvrLeft,
        CallDiversionOffered,
        CallQueued,
        AgentRinging,
        AgentRingNoAnswer,
        AgentRingCanceled,
        CallAnswered,
        CallAbandoned,
        CallExitedQueue,
        CallDiverted,
        VoicemailLeft,
        CallTransferred,
        CallCompleted,
        CallEnded,
        AgentLoggedIn,
        AgentLoggedOut,
        AgentPaused,
        AgentUnpaused,
        AgentDeviceStateChanged,
        DataGap,
    )
}


def log_key(event: DomainEvent) -> str:
    """Key in the call-event log: the linkedid, ``agent:<interface>`` or ``gap:<start>``."""
    if isinstance(event, CallEvent):
        return event.linkedid
    if isinstance(event, AgentEvent):
        return f"agent:{event.interface}"
    if isinstance(event, DataGap):
        return f"gap:{event.start.isoformat()}"
    raise TypeError(f"not a call/agent event: {event.name}")


def to_stored(event: DomainEvent) -> StoredCallEvent:
    payload = event.to_dict()
    payload.pop("event", None)
    payload.pop("occurred_at", None)
    return StoredCallEvent(
        linkedid=log_key(event), name=event.name, occurred_at=event.occurred_at, payload=payload
    )


def from_stored(stored: StoredCallEvent) -> DomainEvent:
    """Rebuild a typed event from the log; raises ``ValueError`` for an unknown name."""
    cls = CALL_EVENT_TYPES.get(stored.name)
    if cls is None:
        raise ValueError(f"unknown call event {stored.name!r}")
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {"occurred_at": stored.occurred_at}
    for f in dataclasses.fields(cls):
        if f.name == "occurred_at" or f.name not in stored.payload:
            continue
        kwargs[f.name] = _revive(hints[f.name], stored.payload[f.name])
    return cls(**kwargs)


def _revive(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    for candidate in typing.get_args(hint) or (hint,):
        if candidate is datetime:
            return datetime.fromisoformat(value)
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            return candidate(value)
    return value
