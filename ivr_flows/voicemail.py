"""Voicemail (电话语音留言) helpers for the IVR: where Asterisk put the recording.

The intake itself (draft → transcription job → callback task) is one use case,
:class:`core.use_cases.voicemail_intake.IntakeVoicemail`, shared by the FastAGI route and the
AMI bridge.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from core.errors import ValidationError
from core.intake_ports import callable_number

__all__ = ["callable_number", "recording_file"]


def recording_file(vm_messagefile: str, fmt: str = "wav") -> str:
    """Asterisk's ``VM_MESSAGEFILE`` has no extension (``…/INBOX/msg0000``); add the format."""
    path = vm_messagefile.strip()
    if not path or not PurePosixPath(path).name.startswith("msg"):
        raise ValidationError(
            f"not a voicemail message file: {vm_messagefile!r}", code="ivr.voicemail_path"
        )
    return path if PurePosixPath(path).suffix else f"{path}.{fmt}"
