"""Voicemail intake (电话语音留言受理): VoicemailReceived → work-order draft, batch transcription
job and a callback task (回电) agents work through.

:class:`IntakeVoicemail` (the :class:`core.ports.VoicemailIntake`) orders the steps: the draft
first (the durable record), then the transcription job and the callback task that reference
it. Every step is idempotent per call id, so a retried delivery (a repeated AGI request, a
bridge replay) never makes a second order. :class:`VoicemailDrafts` is the draft step over the
work-order use case: the voicemail log + :class:`CreateWorkOrder` with an idempotency key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from core.errors import ConflictError, ValidationError
from core.intake_ports import (
    CallbackRequest,
    CallbackTasks,
    TranscriptionJob,
    TranscriptionQueue,
    WorkOrderDraftRequest,
    WorkOrderDrafts,
    callable_number,
)
from core.ports import VoicemailReceived
from core.privacy import Viewer
from core.use_cases.create_work_order import CreateWorkOrder, NewWorkOrder
from core.work_order_model import Appellant, Channel
from core.work_order_rules import Actor, Role

# The intake acts as a system user: it only drafts (受理 stays with an agent).
INTAKE_ACTOR = Actor(user_id="system:voicemail", role=Role.AGENT)
# Draft attribute set when the recording's audio file is gone (spool re-import).
RECORDING, MISSING = "recording", "missing"


class VoicemailLog(Protocol):
    async def add(self, voicemail: VoicemailReceived) -> int: ...

    async def link_work_order(self, call_id: str, work_order_id: str) -> None: ...


class IntakeVoicemail:
    """:class:`core.ports.VoicemailIntake`: returns the draft work order's id."""

    def __init__(
        self,
        drafts: WorkOrderDrafts,
        transcription: TranscriptionQueue,
        callbacks: CallbackTasks,
        *,
        callback_within: timedelta = timedelta(hours=2),
    ) -> None:
        self._drafts = drafts
        self._transcription = transcription
        self._callbacks = callbacks
        self._within = callback_within

    async def receive(self, voicemail: VoicemailReceived) -> str:
        if voicemail.received_at.tzinfo is None:
            raise ValidationError("voicemail time must be timezone-aware", code="ivr.voicemail")
        if not voicemail.call_id or not voicemail.recording_path:
            raise ValidationError(
                "voicemail needs a call id and a recording path", code="ivr.voicemail"
            )
        draft_id = await self._drafts.create_draft(
            WorkOrderDraftRequest(
                channel="voicemail",
                call_id=voicemail.call_id,
                caller_number=voicemail.caller_number,
                received_at=voicemail.received_at,
                recording_path=voicemail.recording_path,
                duration_s=voicemail.duration_s,
                attributes={RECORDING: MISSING} if voicemail.recording_missing else {},
            )
        )
        if not voicemail.recording_missing:  # nothing to transcribe: the callback is the remedy
            await self._transcription.enqueue(
                TranscriptionJob(voicemail.call_id, voicemail.recording_path, draft_id)
            )
        if callable_number(voicemail.caller_number):
            await self._callbacks.add(
                CallbackRequest(
                    call_id=voicemail.call_id,
                    caller_number=voicemail.caller_number,
                    requested_at=voicemail.received_at,
                    reason="voicemail",
                    draft_id=draft_id,
                    due_at=voicemail.received_at + self._within,
                )
            )
        return draft_id


class VoicemailDrafts:
    """:class:`core.intake_ports.WorkOrderDrafts` for voicemail: logs the message and drafts
    the order through :class:`CreateWorkOrder` (idempotency key per call)."""

    def __init__(self, voicemails: VoicemailLog, create: CreateWorkOrder) -> None:
        self._voicemails = voicemails
        self._create = create

    async def create_draft(self, request: WorkOrderDraftRequest) -> str:
        if request.recording_path is None:
            raise ValidationError("voicemail needs a recording path", code="ivr.voicemail")
        voicemail = VoicemailReceived(
            call_id=request.call_id,
            caller_number=request.caller_number,
            recording_path=request.recording_path,
            received_at=request.received_at,
            duration_s=request.duration_s,
        )
        try:
            await self._voicemails.add(voicemail)
        except ConflictError as exc:  # received before: carry on, every step is idempotent
            if exc.code != "voicemail.duplicate":
                raise
        caller = request.caller_number
        if request.attributes.get(RECORDING) == MISSING:
            content = f"语音留言录音文件缺失（{request.recording_path}），请回电核实诉求"
        else:
            content = f"语音留言待转写（录音 {request.recording_path}）"
        try:
            view, _ = await self._create.execute(
                Viewer(INTAKE_ACTOR, sees_personal_data=True),
                NewWorkOrder(
                    title=f"电话语音留言 {caller or '未知号码'}",
                    content=content,
                    channel=Channel.VOICEMAIL,
                    appellant=Appellant(phone=caller if callable_number(caller) else ""),
                    call_id=request.call_id,
                    accept=False,
                ),
                idempotency_key=f"voicemail:{request.call_id}",
            )
            draft_id = view.order.id
        except ConflictError as exc:
            # Reported twice with slightly different data (FastAGI voicemail-done and the AMI
            # bridge's MessageWaiting): the first draft stands.
            if exc.code != "idempotency.key_reused":
                raise
            draft_id = str(exc.details["order_id"])
        await self._voicemails.link_work_order(request.call_id, draft_id)
        return draft_id
