"""Voicemail (电话语音留言) → work-order draft + batch transcription + callback task.

:class:`VoicemailToWorkOrder` implements :class:`core.ports.VoicemailIntake`. Order matters:
the draft is created first (the durable record), then the transcription job and the callback
task reference it. Adapters are expected to be idempotent per call id, so a failed step can be
retried by calling :meth:`receive` again without creating a second draft.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import PurePosixPath

from core.errors import ValidationError
from core.intake_ports import (
    CallbackRequest,
    CallbackTasks,
    TranscriptionJob,
    TranscriptionQueue,
    WorkOrderDraftRequest,
    WorkOrderDrafts,
)
from core.ports import VoicemailReceived

# A number we can call back: digits, optionally a leading +; not "anonymous"/"unknown".
_CALLABLE = re.compile(r"^\+?\d{3,20}$")


def recording_file(vm_messagefile: str, fmt: str = "wav") -> str:
    """Asterisk's ``VM_MESSAGEFILE`` has no extension (``…/INBOX/msg0000``); add the format."""
    path = vm_messagefile.strip()
    if not path or not PurePosixPath(path).name.startswith("msg"):
        raise ValidationError(
            f"not a voicemail message file: {vm_messagefile!r}", code="ivr.voicemail_path"
        )
    return path if PurePosixPath(path).suffix else f"{path}.{fmt}"


class VoicemailToWorkOrder:
    """VoicemailIntake over the work-order, transcription and callback ports."""

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
        self._callback_within = callback_within

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
            )
        )
        await self._transcription.enqueue(
            TranscriptionJob(voicemail.call_id, voicemail.recording_path, draft_id)
        )
        if _CALLABLE.match(voicemail.caller_number):
            await self._callbacks.add(
                CallbackRequest(
                    call_id=voicemail.call_id,
                    caller_number=voicemail.caller_number,
                    requested_at=voicemail.received_at,
                    reason="voicemail",
                    draft_id=draft_id,
                    due_at=voicemail.received_at + self._callback_within,
                )
            )
        return draft_id


def callable_number(number: str) -> bool:
    """True when ``number`` can be called back / sent an SMS."""
    return bool(_CALLABLE.match(number))
