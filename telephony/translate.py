"""AMI messages → call/agent domain events. Pure and stateful: no IO, no clock.

Feed every received message with the time it was received
(``Translator.feed(message, received_at)``); it returns the domain events it completes.
Asterisk runs with ``timestampevents = no`` (no ``Timestamp:`` header), so the receive time is
the only clock; durations Asterisk reports (HoldTime, TalkTime, RingTime) are taken as given.

What the recorded traffic (``../shared/ami-traces``) forced on this design:

* **Timeout vs abandon.** A queue timeout raises ``QueueCallerAbandon`` exactly like a caller
  hang-up; only ``VarSet QUEUESTATUS=TIMEOUT`` (which arrives AFTER the abandon and after
  ``QueueCallerLeave``) tells them apart. The abandon is therefore held per call and decided by
  the next relevant event of that caller: ``QUEUESTATUS`` (TIMEOUT → exit ``timeout``;
  LEAVEEMPTY → ``leaveempty``), the caller's ``Hangup`` (→ ``CallAbandoned``), or the caller's
  channel going on in the dialplan without any QUEUESTATUS (→ the caller did not hang up, so it
  is a timeout). :meth:`Translator.expire` decides holds older than ``abandon_grace_s`` as
  abandons, so a lost Hangup cannot keep a call pending for ever.
* **Exit with a key** has no abandon: DTMF, then ``QueueCallerLeave`` whose own
  ``Context``/``Exten`` are already the queue's exit context and the digit.
* **Answer**: ``DialEnd ANSWER`` → ``QueueCallerLeave`` → ``AgentConnect``; the leave after an
  answered dial is not an exit. ``AgentConnect``/``AgentComplete`` times are seconds,
  ``AgentRingNoAnswer`` RingTime is milliseconds. One ``AgentComplete`` in the traces has no
  ``Dest*`` fields: nothing here needs them.
* **Ring canceled** has no event of its own: the first ``DialEnd`` CANCEL of a ringing member that
  did not time out; its duration is measured from ``AgentCalled`` (queue_log RINGCANCELED).
* **Ids** are opaque strings (``cb-ticket-0001``, ``snoop-…``). A call is a ``Linkedid`` whose
  first channel starts in an inbound context; agent legs share it with their own Uniqueid.
  Originated callbacks, ASR taps and snoop channels start their own Linkedid in other contexts
  and are not citizen calls.
* **Async events** caused by actions (QueueMemberPause, QueueMemberAdded) carry no ActionID and
  may come after the next action's response: they are translated like any other event.
* **Noise** (VarSet, Newexten, RTCP*, Cdr, security events, …) is dropped by a set lookup; only
  the few VarSet variables and Newexten facts (context change, VoiceMail/Queue app) we need are
  looked at. Unknown events are counted in ``unknown_events``, never fatal.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

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
    CallExitedQueue,
    CallOffered,
    CallQueued,
    CallTransferred,
    DiversionTarget,
    ExitReason,
    HangupParty,
    IvrEntered,
    IvrLeft,
    VoicemailLeft,
)
from core.events import DomainEvent
from telephony.ami_codec import AmiMessage
from telephony.ami_noise import NOISE_EVENTS
from telephony.translate_members import MEMBER_HANDLERS

AmiLike = AmiMessage | Mapping[str, str]

_EXIT_BY_QUEUESTATUS = {
    "TIMEOUT": ExitReason.TIMEOUT,
    "FULL": ExitReason.FULL,
    "JOINEMPTY": ExitReason.JOINEMPTY,
    "JOINUNAVAIL": ExitReason.JOINEMPTY,
    "LEAVEEMPTY": ExitReason.LEAVEEMPTY,
    "LEAVEUNAVAIL": ExitReason.LEAVEEMPTY,
}
_HANGUP_PARTY = {
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
class _Ring:
    queue: str
    interface: str
    member_name: str
    started: datetime
    ended: bool = False


@dataclass(slots=True)
class _Hold:
    """A queue departure whose meaning is not known yet (abandon vs timeout, bare leave)."""

    queue: str
    position: int
    original_position: int
    wait_s: int
    at: datetime
    abandon: bool  # True: QueueCallerAbandon seen; False: only QueueCallerLeave


@dataclass(slots=True)
class _Call:
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
    hold: _Hold | None = None
    rings: dict[str, _Ring] = field(default_factory=dict)
    via: str = "ivr"  # how a later diversion came about
    diverted: set[DiversionTarget] = field(default_factory=set)
    vm_file: str = ""
    vm_reported: set[str] = field(default_factory=set)
    ended: bool = False


def _epoch_s(at: datetime) -> int:
    return math.floor(at.timestamp())


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


class Translator:
    """Stateful AMI → domain-event translator. One instance per AMI connection history."""

    def __init__(self, dialplan: DialplanMap | None = None, *, abandon_grace_s: float = 5.0):
        self.dialplan = dialplan or DialplanMap()
        self.abandon_grace_s = abandon_grace_s
        self._calls: dict[str, _Call] = {}
        self._channel_call: dict[str, str] = {}  # Uniqueid → Linkedid (caller and agent legs)
        self.unknown_events: Counter[str] = Counter()
        self.handled_events: Counter[str] = Counter()
        self._handlers = {
            "Newchannel": self._newchannel,
            "Newexten": self._newexten,
            "VarSet": self._varset,
            "DTMFEnd": self._dtmf_end,
            "UserEvent": self._user_event,
            "QueueCallerJoin": self._queue_join,
            "QueueCallerLeave": self._queue_leave,
            "QueueCallerAbandon": self._queue_abandon,
            "AgentCalled": self._agent_called,
            "AgentRingNoAnswer": self._agent_ring_no_answer,
            "DialEnd": self._dial_end,
            "AgentConnect": self._agent_connect,
            "AgentComplete": self._agent_complete,
            "MessageWaiting": self._message_waiting,
            "BlindTransfer": self._blind_transfer,
            "AttendedTransfer": self._attended_transfer,
            "Hangup": self._hangup,
        }

    # -- public API ----------------------------------------------------------------------------
    @property
    def active_calls(self) -> list[str]:
        """Linkedids of citizen calls not ended yet."""
        return [c.linkedid for c in self._calls.values() if not c.ended]

    def feed(self, message: AmiLike, received_at: datetime) -> list[DomainEvent]:
        get = message.get
        name = get("Event")
        if name is None or name in NOISE_EVENTS:
            return []  # responses are the client's business; noise is dropped here
        member = MEMBER_HANDLERS.get(name)
        if member is not None:
            self.handled_events[name] += 1
            return [member(message, received_at)]
        handler = self._handlers.get(name)
        if handler is None:
            self.unknown_events[name] += 1
            return []
        self.handled_events[name] += 1
        out: list[DomainEvent] = []
        handler(message, received_at, out)
        return out

    def expire(self, now: datetime) -> list[DomainEvent]:
        """Decide holds older than ``abandon_grace_s`` (a QueueCallerAbandon whose caller never
        sent Hangup or QUEUESTATUS) as abandons. Call it periodically from the bridge."""
        out: list[DomainEvent] = []
        for call in list(self._calls.values()):
            hold = call.hold
            if hold is not None and (now - hold.at).total_seconds() >= self.abandon_grace_s:
                self._resolve_hold(call, None, out)
        return out

    def finish(self) -> list[DomainEvent]:
        """End of a recorded stream: decide every hold with what is known (abandon)."""
        out: list[DomainEvent] = []
        for call in list(self._calls.values()):
            if call.hold is not None:
                self._resolve_hold(call, None, out)
        return out

    # -- helpers ---------------------------------------------------------------------------------
    def _caller_call(self, msg: AmiLike) -> _Call | None:
        """The call if ``msg`` is about the citizen's own channel (not an agent leg)."""
        call = self._calls.get(msg.get("Linkedid") or "")
        if call is None or msg.get("Uniqueid") != call.uniqueid:
            return None
        return call

    def _observe_context(
        self, call: _Call, context: str | None, at: datetime, out: list[DomainEvent]
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
        self, call: _Call, target: DiversionTarget, at: datetime, out: list[DomainEvent]
    ) -> None:
        if target in call.diverted:
            return
        call.diverted.add(target)
        out.append(
            CallDiverted(occurred_at=at, linkedid=call.linkedid, target=target, via=call.via)
        )

    def _resolve_hold(self, call: _Call, queuestatus: str | None, out: list[DomainEvent]) -> None:
        hold, call.hold = call.hold, None
        if hold is None:
            return
        reason = _EXIT_BY_QUEUESTATUS.get(queuestatus or "")
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
    def _newchannel(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        uniqueid = msg.get("Uniqueid") or ""
        linkedid = msg.get("Linkedid") or uniqueid
        call = self._calls.get(linkedid)
        if call is not None:
            call.channels.add(uniqueid)
            self._channel_call[uniqueid] = linkedid
            return
        context = msg.get("Context") or ""
        if uniqueid != linkedid or context not in self.dialplan.inbound_contexts:
            return  # agent-side, originated, tap or snoop channel: not a citizen call
        call = _Call(
            linkedid=linkedid,
            uniqueid=uniqueid,
            caller_number=msg.get("CallerIDNum") or "",
            context=context,
            channels={uniqueid},
        )
        self._calls[linkedid] = call
        self._channel_call[uniqueid] = linkedid
        out.append(
            CallOffered(
                occurred_at=at,
                linkedid=linkedid,
                uniqueid=uniqueid,
                channel=msg.get("Channel") or "",
                caller_number=call.caller_number,
                caller_name=msg.get("CallerIDName") or "",
                dialed=msg.get("Exten") or "",
            )
        )

    def _newexten(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        if call.hold is not None and call.hold.abandon:
            # The caller's channel runs dialplan after QueueCallerAbandon: it did not hang up.
            self._resolve_hold(call, "TIMEOUT", out)
        self._observe_context(call, msg.get("Context"), at, out)
        app = msg.get("Application")
        if app in self.dialplan.voicemail_applications:
            self._divert(call, DiversionTarget.VOICEMAIL, at, out)
        elif app == "Queue" and not call.queue:
            call.queue = (msg.get("AppData") or "").split(",", 1)[0]

    def _varset(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        variable = msg.get("Variable")
        if variable not in ("QUEUESTATUS", "VM_MESSAGEFILE"):
            return
        call = self._caller_call(msg)
        if call is None:
            return
        value = msg.get("Value") or ""
        if variable == "VM_MESSAGEFILE":
            call.vm_file = value
            return
        if call.hold is not None:
            self._resolve_hold(call, value, out)
            return
        reason = _EXIT_BY_QUEUESTATUS.get(value)
        if reason in (ExitReason.FULL, ExitReason.JOINEMPTY) and not call.join_epoch:
            # refused at the door: no QueueCallerJoin ever came
            call.via = f"queue_{reason.value}"
            out.append(
                CallExitedQueue(
                    occurred_at=at,
                    linkedid=call.linkedid,
                    queue=call.queue,
                    reason=reason,
                    position=0,
                    original_position=0,
                    wait_s=0,
                )
            )

    def _dtmf_end(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None or msg.get("Direction") != "Received":
            return
        self._observe_context(call, msg.get("Context"), at, out)
        call.last_digit = msg.get("Digit")

    def _user_event(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        self._observe_context(call, msg.get("Context"), at, out)
        name = msg.get("UserEvent") or ""
        dp = self.dialplan
        if name in dp.online_user_events:
            self._divert(call, DiversionTarget.ONLINE, at, out)
        elif name in dp.callback_user_events:
            self._divert(call, DiversionTarget.CALLBACK, at, out)
        elif name in dp.divert_offered_user_events:
            call.via = "busy_menu"
            out.append(CallDiversionOffered(occurred_at=at, linkedid=call.linkedid, reason=name))

    # -- queue -------------------------------------------------------------------------------------
    def _queue_join(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        self._observe_context(call, msg.get("Context"), at, out)
        call.queue = msg.get("Queue") or call.queue
        call.join_epoch = _epoch_s(at)
        call.original_position = _int(msg.get("Position"))
        call.dial_answered = False
        call.via = "queue"
        out.append(
            CallQueued(
                occurred_at=at,
                linkedid=call.linkedid,
                queue=call.queue,
                uniqueid=call.uniqueid,
                position=call.original_position,
                count=_int(msg.get("Count")),
            )
        )

    def _queue_abandon(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        call.hold = _Hold(
            queue=msg.get("Queue") or call.queue,
            position=_int(msg.get("Position")),
            original_position=_int(msg.get("OriginalPosition"), call.original_position),
            wait_s=_int(msg.get("HoldTime")),
            at=at,
            abandon=True,
        )

    def _queue_leave(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        if call.dial_answered or call.hold is not None:
            return  # AgentConnect follows / the abandon hold decides
        context = msg.get("Context")
        position = _int(msg.get("Position"))
        wait_s = max(0, _epoch_s(at) - call.join_epoch)
        queue = msg.get("Queue") or call.queue
        if context in self.dialplan.queue_exit_contexts:
            key = msg.get("Exten") or call.last_digit
            call.via = "queue_exit_key"
            self._observe_context(call, context, at, out)
            out.append(
                CallExitedQueue(
                    occurred_at=at,
                    linkedid=call.linkedid,
                    queue=queue,
                    reason=ExitReason.KEY,
                    position=position,
                    original_position=call.original_position,
                    wait_s=wait_s,
                    key=key,
                )
            )
            return
        call.hold = _Hold(queue, position, call.original_position, wait_s, at, abandon=False)

    def _agent_called(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        ring = _Ring(
            queue=msg.get("Queue") or call.queue,
            interface=msg.get("Interface") or "",
            member_name=msg.get("MemberName") or "",
            started=at,
        )
        dest = msg.get("DestUniqueid") or ""
        call.rings[dest] = ring
        out.append(
            AgentRinging(
                occurred_at=at,
                linkedid=call.linkedid,
                queue=ring.queue,
                interface=ring.interface,
                member_name=ring.member_name,
                agent_uniqueid=dest,
                agent_channel=msg.get("DestChannel") or "",
            )
        )

    def _agent_ring_no_answer(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        ring = call.rings.get(msg.get("DestUniqueid") or "")
        if ring is not None:
            ring.ended = True
        out.append(
            AgentRingNoAnswer(
                occurred_at=at,
                linkedid=call.linkedid,
                queue=msg.get("Queue") or call.queue,
                interface=msg.get("Interface") or "",
                member_name=msg.get("MemberName") or "",
                ring_ms=_int(msg.get("RingTime")),  # milliseconds on this event
            )
        )

    def _dial_end(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        self._observe_context(call, msg.get("Context"), at, out)
        ring = call.rings.get(msg.get("DestUniqueid") or "")
        status = msg.get("DialStatus")
        if status == "ANSWER":
            call.dial_answered = True
            if ring is not None:
                ring.ended = True
            return
        if ring is None or ring.ended:
            return
        ring.ended = True
        if status == "CANCEL":
            ms = int((at - ring.started).total_seconds() * 1000)
            out.append(
                AgentRingCanceled(
                    occurred_at=at,
                    linkedid=call.linkedid,
                    queue=ring.queue,
                    interface=ring.interface,
                    member_name=ring.member_name,
                    ring_ms=ms,
                )
            )

    def _agent_connect(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        call.hold = None
        call.via = "answered"
        out.append(
            CallAnswered(
                occurred_at=at,
                linkedid=call.linkedid,
                queue=msg.get("Queue") or call.queue,
                interface=msg.get("Interface") or "",
                member_name=msg.get("MemberName") or "",
                agent_uniqueid=msg.get("DestUniqueid") or "",
                wait_s=_int(msg.get("HoldTime")),
                ring_s=_int(msg.get("RingTime")),  # seconds on this event
            )
        )

    def _agent_complete(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None:
            return
        out.append(
            CallCompleted(
                occurred_at=at,
                linkedid=call.linkedid,
                queue=msg.get("Queue") or call.queue,
                interface=msg.get("Interface") or "",
                member_name=msg.get("MemberName") or "",
                wait_s=_int(msg.get("HoldTime")),
                talk_s=_int(msg.get("TalkTime")),
                hung_up_by=_HANGUP_PARTY.get(msg.get("Reason") or "", HangupParty.SYSTEM),
                original_position=call.original_position or None,
            )
        )

    # -- voicemail / transfer / hangup -------------------------------------------------------------
    def _message_waiting(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)
        if call is None or call.vm_file in call.vm_reported:
            return
        call.vm_reported.add(call.vm_file)
        self._divert(call, DiversionTarget.VOICEMAIL, at, out)
        out.append(
            VoicemailLeft(
                occurred_at=at,
                linkedid=call.linkedid,
                mailbox=msg.get("Mailbox") or "",
                message_file=call.vm_file,
                caller_number=call.caller_number,
            )
        )

    def _transfer_call(self, *linkedids: str | None) -> _Call | None:
        for linkedid in linkedids:
            call = self._calls.get(linkedid or "")
            if call is not None:
                return call
        return None

    def _blind_transfer(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._transfer_call(msg.get("TransfereeLinkedid"), msg.get("TransfererLinkedid"))
        if call is None:
            return
        out.append(
            CallTransferred(
                occurred_at=at,
                linkedid=call.linkedid,
                kind="blind",
                target=f"{msg.get('Extension') or ''}@{msg.get('Context') or ''}",
                by_channel=msg.get("TransfererChannel") or "",
                result=msg.get("Result") or "",
            )
        )

    def _attended_transfer(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._transfer_call(
            msg.get("TransfereeLinkedid"),
            msg.get("OrigTransfererLinkedid"),
            msg.get("SecondTransfererLinkedid"),
        )
        if call is None:
            return
        target = (
            msg.get("SecondTransfererChannel")
            or msg.get("DestApp")
            or msg.get("TransferTargetChannel")
            or ""
        )
        out.append(
            CallTransferred(
                occurred_at=at,
                linkedid=call.linkedid,
                kind="attended",
                target=target,
                by_channel=msg.get("OrigTransfererChannel") or "",
                result=msg.get("Result") or "",
            )
        )

    def _hangup(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        uniqueid = msg.get("Uniqueid") or ""
        linkedid = self._channel_call.pop(uniqueid, None)
        if linkedid is None:
            return
        call = self._calls[linkedid]
        call.channels.discard(uniqueid)
        if uniqueid == call.uniqueid and not call.ended:
            self._resolve_hold(call, None, out)
            call.ended = True
            out.append(
                CallEnded(
                    occurred_at=at,
                    linkedid=linkedid,
                    uniqueid=uniqueid,
                    cause=_int(msg.get("Cause")),
                    cause_text=msg.get("Cause-txt") or "",
                )
            )
        if not call.channels:
            del self._calls[linkedid]
