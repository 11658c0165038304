"""AMI messages → call/agent domain events. Pure and stateful: no IO, no clock.

Feed every received message with the time it was received
(``Translator.feed(message, received_at)``); it returns the domain events it completes.
Asterisk runs with ``timestampevents = no`` (no ``Timestamp:`` header), so the receive time is
the only clock; durations Asterisk reports (HoldTime, TalkTime, RingTime) are taken as given.

What the recorded traffic (``../shared/ami-traces``) forced on this design:

* **Timeout vs abandon.** A queue timeout raises ``QueueCallerAbandon`` exactly like a caller
  hang-up; only ``VarSet QUEUESTATUS=TIMEOUT`` (which arrives AFTER the abandon and after
  ``QueueCallerLeave``, before the next ``Newexten``) tells them apart. The abandon is therefore
  held per call and decided by the next relevant event of that caller: ``QUEUESTATUS``
  (TIMEOUT → exit ``timeout``; LEAVEEMPTY → ``leaveempty``), the caller's ``Hangup``
  (→ ``CallAbandoned``), or the caller's channel going on in the dialplan without a QUEUESTATUS.
  Queue() sets QUEUESTATUS whenever it returns normally; it returns without one only when the
  channel was hung up or sent elsewhere by an async goto (AMI ``Redirect``, e.g. a supervisor
  moving a waiting caller to voicemail) — and app_queue logs that as ABANDON. So dialplan going
  on without QUEUESTATUS → ``CallAbandoned`` (and a diversion that follows has
  ``via="queue_redirect"``), as queue_log counts it. Only when no ``VarSet`` has reached this
  translator at all (filtered upstream) is it read as a timeout, the caller still being there.
  :meth:`Translator.expire` decides holds older than ``abandon_grace_s`` as abandons, so a lost
  Hangup cannot keep a call pending for ever.
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

from collections import Counter
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from core.calls import (
    CallDiversionOffered,
    CallEnded,
    CallEvent,
    CallExitedQueue,
    CallOffered,
    CallQueued,
    CallTransferred,
    DiversionTarget,
    ExitReason,
    VoicemailLeft,
)
from core.events import DomainEvent
from telephony.ami_codec import AmiMessage
from telephony.ami_noise import NOISE_EVENTS
from telephony.translate_members import MEMBER_HANDLERS
from telephony.translate_queue import QueueTranslation
from telephony.translate_state import (
    EXIT_BY_QUEUESTATUS,
    AmiLike,
    CallState,
    DialplanMap,
    epoch_s,
    to_int,
)

__all__ = ["AmiLike", "DialplanMap", "Translator"]


class Translator(QueueTranslation):
    """Stateful AMI → domain-event translator. One instance per AMI connection history."""

    # how long after a reconciled queue_log line the same fact may still arrive on AMI
    RECONCILE_OVERLAP = timedelta(seconds=3)

    def __init__(self, dialplan: DialplanMap | None = None, *, abandon_grace_s: float = 5.0):
        super().__init__(dialplan, abandon_grace_s=abandon_grace_s)
        self._already_logged: dict[str, tuple[datetime, Counter[tuple[str, str]]]] = {}
        # VarSet events reach us (not filtered upstream): a missing QUEUESTATUS means something
        self._varsets_seen = False
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
        """Translate one received message. ``message``: an :class:`AmiMessage`, or any mapping
        (a panoramisk ``Message``: repeated keys arrive as lists and are unfolded)."""
        if not isinstance(message, AmiMessage):
            message = AmiMessage.from_mapping(message)
        name = message.get("Event")
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
        if self._already_logged:
            out = self._drop_already_logged(out)
        return out

    def _drop_already_logged(self, events: list[DomainEvent]) -> list[DomainEvent]:
        """Drop events queue_log reconciliation already put in the log: around the reconnect
        second the same fact can come from both (queue_log written, AMI event still queued)."""
        kept: list[DomainEvent] = []
        for event in events:
            linkedid = getattr(event, "linkedid", None)
            pending = self._already_logged.get(linkedid) if linkedid else None
            if pending is not None:
                until, keys = pending
                key = (event.name, str(getattr(event, "member_name", "")))
                if event.occurred_at > until:
                    del self._already_logged[linkedid]  # type: ignore[arg-type]
                elif keys[key] > 0:
                    keys[key] -= 1
                    continue
            kept.append(event)
        return kept

    def expire(self, now: datetime) -> list[DomainEvent]:
        """Decide holds older than ``abandon_grace_s`` (a QueueCallerAbandon whose caller never
        sent Hangup or QUEUESTATUS) as abandons. Call it periodically from the bridge."""
        out: list[DomainEvent] = []
        for call in list(self._calls.values()):
            hold = call.hold
            if hold is not None and (now - hold.at).total_seconds() >= self.abandon_grace_s:
                self._resolve_hold(call, None, out)
        return out

    def undecided_since(self) -> datetime | None:
        """Receive time of the oldest undecided queue departure (abandon-vs-timeout hold), if
        any: queue_log reconciliation after an outage must reach back to it."""
        times = [c.hold.at for c in self._calls.values() if c.hold is not None]
        return min(times) if times else None

    def resync(self, alive_linkedids: Collection[str], at: datetime) -> list[DomainEvent]:
        """After a reconnect: end every tracked call whose channels are gone (per
        CoreShowChannels). Its queue outcome is NOT guessed here — a pending abandon/leave hold
        is dropped — because queue_log reconciliation supplies it. Emits ``CallEnded`` with
        cause -1 for each such call."""
        out: list[DomainEvent] = []
        for linkedid, call in list(self._calls.items()):
            if linkedid in alive_linkedids:
                continue
            call.hold = None
            if not call.ended:
                out.append(
                    CallEnded(
                        occurred_at=at,
                        linkedid=linkedid,
                        uniqueid=call.uniqueid,
                        cause=-1,
                        cause_text="ended while AMI was disconnected",
                    )
                )
            for uniqueid in call.channels:
                self._channel_call.pop(uniqueid, None)
            del self._calls[linkedid]
            self._remember_ended(linkedid)
        return out

    def absorb(self, reconciled: Iterable[DomainEvent], alive_linkedids: Collection[str]) -> None:
        """Take note of events reconciled from queue_log (already in the log) for calls that are
        still up, so their later AMI events attach to them: no second ``CallOffered``, and the
        queue join time/position needed for an exit-with-key wait are known."""
        reconciled = list(reconciled)
        offered = {e.linkedid: e for e in reconciled if isinstance(e, CallOffered)}
        for event in reconciled:
            if isinstance(event, CallEvent) and event.linkedid in alive_linkedids:
                until = event.occurred_at + self.RECONCILE_OVERLAP
                previous_until, keys = self._already_logged.get(event.linkedid, (until, Counter()))
                keys[(event.name, str(getattr(event, "member_name", "")))] += 1
                self._already_logged[event.linkedid] = (max(until, previous_until), keys)
        for event in reconciled:
            if not isinstance(event, CallQueued) or event.linkedid not in alive_linkedids:
                continue
            call = self._calls.get(event.linkedid)
            if call is None:
                source = offered.get(event.linkedid)
                call = CallState(
                    linkedid=event.linkedid,
                    uniqueid=event.uniqueid,
                    caller_number=source.caller_number if source else "",
                    context="",
                    channels={event.uniqueid},
                    adopted=True,
                )
                self._calls[event.linkedid] = call
                self._channel_call[event.uniqueid] = event.linkedid
            call.queue = event.queue
            call.join_epoch = epoch_s(event.occurred_at)
            call.original_position = event.position

    def finish(self) -> list[DomainEvent]:
        """End of a recorded stream: decide every hold with what is known (abandon)."""
        out: list[DomainEvent] = []
        for call in list(self._calls.values()):
            if call.hold is not None:
                self._resolve_hold(call, None, out)
        return out

    def _newchannel(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        uniqueid = msg.get("Uniqueid") or ""
        linkedid = msg.get("Linkedid") or uniqueid
        call = self._calls.get(linkedid)
        if call is not None:
            call.channels.add(uniqueid)
            self._channel_call[uniqueid] = linkedid
            return
        context = msg.get("Context") or ""
        if (
            uniqueid != linkedid
            or context not in self.dialplan.inbound_contexts
            or linkedid in self._ended
        ):
            return  # agent-side, originated, tap or snoop channel: not a citizen call
        call = CallState(
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
            self._dialplan_after_abandon(call, out)
        self._observe_context(call, msg.get("Context"), at, out)
        app = msg.get("Application")
        if app in self.dialplan.voicemail_applications:
            self._divert(call, DiversionTarget.VOICEMAIL, at, out)
        elif app == "Queue" and not call.queue:
            call.queue = (msg.get("AppData") or "").split(",", 1)[0]

    def _dialplan_after_abandon(self, call: CallState, out: list[DomainEvent]) -> None:
        """The caller's channel runs dialplan after ``QueueCallerAbandon`` and no QUEUESTATUS
        came first. Queue() sets QUEUESTATUS before every normal return (timeout, leave-empty,
        …; trace 03: it precedes the next ``Newexten``), so it returned -1: the channel was
        redirected (async goto) or hung up and runs its ``h`` extension. app_queue logs both
        as ABANDON; so do we. If VarSet events never reach us at all, the missing QUEUESTATUS
        proves nothing: the dialplan going on then means the caller is still there (timeout)."""
        if not self._varsets_seen:
            self._resolve_hold(call, "TIMEOUT", out)
            return
        call.via = "queue_redirect"  # only a redirected caller can be diverted after this
        self._resolve_hold(call, None, out)

    def _varset(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        self._varsets_seen = True
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
        reason = EXIT_BY_QUEUESTATUS.get(value)
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

    def _transfer_call(self, *linkedids: str | None) -> CallState | None:
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
            self._remember_ended(linkedid)
            out.append(
                CallEnded(
                    occurred_at=at,
                    linkedid=linkedid,
                    uniqueid=uniqueid,
                    cause=to_int(msg.get("Cause")),
                    cause_text=msg.get("Cause-txt") or "",
                )
            )
        if not call.channels:
            del self._calls[linkedid]
