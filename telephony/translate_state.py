"""Translator state: which dialplan parts mean what, per-call state and the decisions shared
by all handlers (context changes, diversions, the abandon-vs-timeout hold)."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.calls import (
    CallAbandoned,
    CallDiverted,
    CallExitedQueue,
    CallOffered,
    DiversionTarget,
    ExitReason,
    HangupParty,
    IvrEntered,
    IvrLeft,
)
from core.events import DomainEvent
from telephony.ami_codec import AmiMessage

AmiLike = AmiMessage | Mapping[str, Any]

EXIT_BY_QUEUESTATUS = {
    "TIMEOUT": ExitReason.TIMEOUT,
    "FULL": ExitReason.FULL,
    "JOINEMPTY": ExitReason.JOINEMPTY,
    "JOINUNAVAIL": ExitReason.JOINEMPTY,
    "LEAVEEMPTY": ExitReason.LEAVEEMPTY,
    "LEAVEUNAVAIL": ExitReason.LEAVEEMPTY,
}
HANGUP_PARTY = {
    "caller": HangupParty.CALLER,
    "agent": HangupParty.AGENT,
    "transfer": HangupParty.TRANSFER,
}


@dataclass(frozen=True, slots=True)
class DialplanMap:
    """Which dialplan contexts / applications / UserEvents mean what (defaults: the lab)."""

    inbound_contexts: frozenset[str] = frozenset({"from-pstn"})
    ivr_contexts: frozenset[str] = frozenset({"hotline-ivr"})
    queue_exit_contexts: frozenset[str] = frozenset({"hotline-queue-exit"})
    voicemail_contexts: frozenset[str] = frozenset({"hotline-voicemail"})
    voicemail_applications: frozenset[str] = frozenset({"VoiceMail"})
    online_user_events: frozenset[str] = frozenset({"HotlineOnlineChannel"})
    callback_user_events: frozenset[str] = frozenset({"HotlineCallbackRequested"})
    divert_offered_user_events: frozenset[str] = frozenset({"HotlineBusyDivertOffered"})
    busy_contexts: frozenset[str] = frozenset({"hotline-busy"})


@dataclass(slots=True)
class RingState:
    queue: str
    interface: str
    member_name: str
    started: datetime
    ended: bool = False


@dataclass(slots=True)
class HoldState:
    """A queue departure whose meaning is not known yet (abandon vs timeout, bare leave)."""

    queue: str
    position: int
    original_position: int
    wait_s: int
    at: datetime
    abandon: bool  # True: QueueCallerAbandon seen; False: only QueueCallerLeave


@dataclass(slots=True)
class CallState:
    linkedid: str
    uniqueid: str
    caller_number: str
    context: str
    channels: set[str] = field(default_factory=set)
    last_digit: str | None = None
    queue: str = ""
    join_epoch: int = 0
    original_position: int = 0
    dial_answered: bool = False
    hold: HoldState | None = None
    rings: dict[str, RingState] = field(default_factory=dict)
    via: str = "ivr"  # how a later diversion came about
    diverted: set[DiversionTarget] = field(default_factory=set)
    vm_file: str = ""
    vm_reported: set[str] = field(default_factory=set)
    ended: bool = False
    adopted: bool = False  # first seen mid-call (after a reconnect)


def started_at(uniqueid: str, fallback: datetime) -> datetime:
    """Creation time encoded in an Asterisk Uniqueid (``1795241965.30``), else ``fallback``."""
    head, dot, _ = uniqueid.partition(".")
    if dot and head.isdigit() and len(head) >= 9:
        created = datetime.fromtimestamp(int(head), fallback.tzinfo)
        if timedelta(0) <= fallback - created <= timedelta(days=1):
            return created
    return fallback


def epoch_s(at: datetime) -> int:
    return math.floor(at.timestamp())


def to_int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


class CallTracker:
    """Per-call state shared by the translator's handlers (see :mod:`telephony.translate`)."""

    def __init__(self, dialplan: DialplanMap | None = None, *, abandon_grace_s: float = 5.0):
        self.dialplan = dialplan or DialplanMap()
        self.abandon_grace_s = abandon_grace_s
        self._calls: dict[str, CallState] = {}
        self._channel_call: dict[str, str] = {}  # Uniqueid → Linkedid (caller and agent legs)
        # Linkedids of calls already ended: late or reordered events must not revive them
        self._ended: OrderedDict[str, None] = OrderedDict()

    ENDED_MEMORY = 10_000

    def _remember_ended(self, linkedid: str) -> None:
        self._ended[linkedid] = None
        if len(self._ended) > self.ENDED_MEMORY:
            self._ended.popitem(last=False)

    # -- helpers ---------------------------------------------------------------------------------
    def _caller_call(
        self, msg: AmiLike, adopt: tuple[datetime, list[DomainEvent]] | None = None
    ) -> CallState | None:
        """The call if ``msg`` is about the citizen's own channel (not an agent leg).

        ``adopt=(at, out)``: a queue event of a caller channel we never saw start (it began
        while AMI was disconnected) starts tracking it and emits its ``CallOffered`` into
        ``out``, dated from the Uniqueid's epoch prefix when it has one (``<epoch>.<seq>``).
        """
        linkedid = msg.get("Linkedid") or ""
        call = self._calls.get(linkedid)
        uniqueid = msg.get("Uniqueid") or ""
        if (
            call is None
            and adopt
            and uniqueid
            and uniqueid == linkedid
            and linkedid not in self._ended
        ):
            call = CallState(
                linkedid=linkedid,
                uniqueid=uniqueid,
                caller_number=msg.get("CallerIDNum") or "",
                context=msg.get("Context") or "",
                channels={uniqueid},
                adopted=True,
            )
            self._calls[linkedid] = call
            self._channel_call[uniqueid] = linkedid
            at, out = adopt
            out.append(
                CallOffered(
                    occurred_at=started_at(uniqueid, at),
                    linkedid=linkedid,
                    uniqueid=uniqueid,
                    channel=msg.get("Channel") or "",
                    caller_number=call.caller_number,
                    caller_name=msg.get("CallerIDName") or "",
                    dialed="",
                )
            )
        if call is None or uniqueid != call.uniqueid:
            return None
        return call

    def _observe_context(
        self, call: CallState, context: str | None, at: datetime, out: list[DomainEvent]
    ) -> None:
        if not context or context == call.context:
            return
        old, call.context = call.context, context
        dp = self.dialplan
        if old in dp.ivr_contexts and context not in dp.ivr_contexts:
            out.append(
                IvrLeft(
                    occurred_at=at,
                    linkedid=call.linkedid,
                    menu=old,
                    choice=call.last_digit,
                    destination=context,
                )
            )
        if context in dp.ivr_contexts and old not in dp.ivr_contexts:
            call.last_digit = None
            out.append(IvrEntered(occurred_at=at, linkedid=call.linkedid, menu=context))
        if context in dp.busy_contexts:
            call.via = "busy_menu"
        if context in dp.voicemail_contexts:
            self._divert(call, DiversionTarget.VOICEMAIL, at, out)

    def _divert(
        self, call: CallState, target: DiversionTarget, at: datetime, out: list[DomainEvent]
    ) -> None:
        if target in call.diverted:
            return
        call.diverted.add(target)
        out.append(
            CallDiverted(occurred_at=at, linkedid=call.linkedid, target=target, via=call.via)
        )

    def _resolve_hold(
        self, call: CallState, queuestatus: str | None, out: list[DomainEvent]
    ) -> None:
        hold, call.hold = call.hold, None
        if hold is None:
            return
        reason = EXIT_BY_QUEUESTATUS.get(queuestatus or "")
        if hold.abandon and reason is None:
            out.append(
                CallAbandoned(
                    occurred_at=hold.at,
                    linkedid=call.linkedid,
                    queue=hold.queue,
                    position=hold.position,
                    original_position=hold.original_position,
                    wait_s=hold.wait_s,
                )
            )
            return
        reason = reason or ExitReason.UNKNOWN
        call.via = f"queue_{reason.value}"
        out.append(
            CallExitedQueue(
                occurred_at=hold.at,
                linkedid=call.linkedid,
                queue=hold.queue,
                reason=reason,
                position=hold.position,
                original_position=hold.original_position,
                wait_s=hold.wait_s,
            )
        )

    # -- channel / dialplan --------------------------------------------------------------------
