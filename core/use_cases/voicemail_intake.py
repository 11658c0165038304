"""Voicemail intake (电话语音留言受理): VoicemailReceived → work-order draft, batch transcription
job and a callback task (回电) agents work through.

The draft is created first (the durable record) through :class:`CreateWorkOrder` with an
idempotency key per call, so receiving the same voicemail twice (a retried AGI request, a
bridge replay) never makes a second order. The transcription job and the callback task are
idempotent per call id in their adapters.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Protocol

from core.errors import ConflictError, ValidationError
from core.intake_ports import (
    CallbackRequest,
    CallbackTasks,
    TranscriptionJob,
    TranscriptionQueue,
)
from core.ports import VoicemailReceived
from core.privacy import Viewer
from core.use_cases.create_work_order import CreateWorkOrder, NewWorkOrder
from core.work_order_model import Appellant, Channel
from core.work_order_rules import Actor, Role

# The intake acts as a system user: it only drafts (受理 stays with an agent).
INTAKE_ACTOR = Actor(user_id="system:voicemail", role=Role.AGENT)
_CALLABLE = re.compile(r"^\+?\d{3,20}$")


class VoicemailLog(Protocol):
    async def add(self, voicemail: VoicemailReceived) -> int: ...

    async def link_work_order(self, call_id: str, work_order_id: str) -> None: ...


class IntakeVoicemail:
    """:class:`core.ports.VoicemailIntake`: returns the draft work order's id."""

    def __init__(
        self,
        voicemails: VoicemailLog,
        create: CreateWorkOrder,
        transcription: TranscriptionQueue,
        callbacks: CallbackTasks,
        *,
        callback_within: timedelta = timedelta(hours=2),
    ) -> None:
        self._voicemails = voicemails
        self._create = create
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
        try:
            await self._voicemails.add(voicemail)
        except ConflictError as exc:  # received before: carry on, every step is idempotent
            if exc.code != "voicemail.duplicate":
                raise
        caller = voicemail.caller_number
        try:
            view, _ = await self._create.execute(
                Viewer(INTAKE_ACTOR, sees_personal_data=True),
                NewWorkOrder(
                    title=f"电话语音留言 {caller or '未知号码'}",
                    content=f"语音留言待转写（录音 {voicemail.recording_path}）",
                    channel=Channel.VOICEMAIL,
                    appellant=Appellant(phone=caller if _CALLABLE.match(caller) else ""),
                    call_id=voicemail.call_id,
                    accept=False,
                ),
                idempotency_key=f"voicemail:{voicemail.call_id}",
            )
            draft_id = view.order.id
        except ConflictError as exc:
            # Reported twice with slightly different data (FastAGI voicemail-done and the AMI
            # bridge's MessageWaiting): the first draft stands.
            if exc.code != "idempotency.key_reused":
                raise
            draft_id = str(exc.details["order_id"])
        await self._voicemails.link_work_order(voicemail.call_id, draft_id)
        await self._transcription.enqueue(
            TranscriptionJob(voicemail.call_id, voicemail.recording_path, draft_id)
        )
        if _CALLABLE.match(caller):
            await self._callbacks.add(
                CallbackRequest(
                    call_id=voicemail.call_id,
                    caller_number=caller,
                    requested_at=voicemail.received_at,
                    reason="voicemail",
                    draft_id=draft_id,
                    due_at=voicemail.received_at + self._within,
                )
            )
        return draft_id
