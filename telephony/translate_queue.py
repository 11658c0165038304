"""Queue handlers of the translator: join, abandon/leave (held decisions), ring attempts,
answer and completion. Times: AgentConnect/AgentComplete in seconds, AgentRingNoAnswer in ms."""

from __future__ import annotations

from datetime import datetime

from core.calls import (
    AgentRingCanceled,
    AgentRinging,
    AgentRingNoAnswer,
    CallAnswered,
    CallCompleted,
    CallExitedQueue,
    CallQueued,
    ExitReason,
    HangupParty,
)
from core.events import DomainEvent
from telephony.translate_state import (
    HANGUP_PARTY,
    AmiLike,
    CallTracker,
    HoldState,
    RingState,
    epoch_s,
    to_int,
)


class QueueTranslation(CallTracker):
    def _queue_join(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg, (at, out))
        if call is None:
            return
        self._observe_context(call, msg.get("Context"), at, out)
        call.queue = msg.get("Queue") or call.queue
        call.join_epoch = epoch_s(at)
        call.original_position = to_int(msg.get("Position"))
        call.dial_answered = False
        call.via = "queue"
        out.append(
            CallQueued(
                occurred_at=at,
                linkedid=call.linkedid,
                queue=call.queue,
                uniqueid=call.uniqueid,
                position=call.original_position,
                count=to_int(msg.get("Count")),
            )
        )

    def _queue_abandon(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg, (at, out))
        if call is None:
            return
        call.hold = HoldState(
            queue=msg.get("Queue") or call.queue,
            position=to_int(msg.get("Position")),
            original_position=to_int(msg.get("OriginalPosition"), call.original_position),
            wait_s=to_int(msg.get("HoldTime")),
            at=at,
            abandon=True,
        )

    def _queue_leave(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg, (at, out))
        if call is None:
            return
        if call.dial_answered or call.hold is not None:
            return  # AgentConnect follows / the abandon hold decides
        context = msg.get("Context")
        position = to_int(msg.get("Position"))
        wait_s = max(0, epoch_s(at) - call.join_epoch)
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
        call.hold = HoldState(queue, position, call.original_position, wait_s, at, abandon=False)

    def _agent_called(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg, (at, out))
        if call is None:
            return
        ring = RingState(
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
        call = self._caller_call(msg, (at, out))
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
                ring_ms=to_int(msg.get("RingTime")),  # milliseconds on this event
            )
        )

    def _dial_end(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg)  # any Dial() raises DialEnd: never adopt on it
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
        call = self._caller_call(msg, (at, out))
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
                wait_s=to_int(msg.get("HoldTime")),
                ring_s=to_int(msg.get("RingTime")),  # seconds on this event
            )
        )

    def _agent_complete(self, msg: AmiLike, at: datetime, out: list[DomainEvent]) -> None:
        call = self._caller_call(msg, (at, out))
        if call is None:
            return
        out.append(
            CallCompleted(
                occurred_at=at,
                linkedid=call.linkedid,
                queue=msg.get("Queue") or call.queue,
                interface=msg.get("Interface") or "",
                member_name=msg.get("MemberName") or "",
                wait_s=to_int(msg.get("HoldTime")),
                talk_s=to_int(msg.get("TalkTime")),
                hung_up_by=HANGUP_PARTY.get(msg.get("Reason") or "", HangupParty.SYSTEM),
                original_position=call.original_position or None,
            )
        )

    # -- voicemail / transfer / hangup -------------------------------------------------------------
