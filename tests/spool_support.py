"""Asterisk voicemail spool trees for tests, written the way app_voicemail's
``leave_voicemail()`` writes them (fprintf of the header and fields, then ``flag=`` and
``duration=`` after the recording; audio renamed in before the .txt)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

MAILBOX = "12345@hotline"
LINKEDID = "1795241780.7"  # the lab call of ../shared/ami-traces/03 and fixtures/agi
ORIGTIME = 1795241842  # the lab call's VoiceMail() start + greeting, epoch seconds


def silent_wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A valid PCM WAV (format=wav in voicemail.conf: 8 kHz, 16-bit, mono)."""
    frames = int(seconds * rate)
    data = b"\0\0" * frames
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(data)) + data


def message_text(
    *,
    origtime: int = ORIGTIME,
    callerid: str = '"Citizen 13800137" <13800137>',
    category: str = f"call:{LINKEDID}",
    msg_id: str | None = "1795241842-00000000",
    duration: int | None = 7,
    callerchan: str = "PJSIP/pstn-00000007",
) -> str:
    text = (
        ";\n"
        "; Message Information file\n"
        ";\n"
        "[message]\n"
        "origmailbox=12345\n"
        "context=hotline-voicemail\n"
        "macrocontext=\n"
        "exten=s\n"
        "rdnis=unknown\n"
        "priority=3\n"
        f"callerchan={callerchan}\n"
        f"callerid={callerid}\n"
        "origdate=Sat Nov 21 06:17:22 AM UTC 2026\n"
        f"origtime={origtime}\n"
        f"category={category}\n"
    )
    if msg_id is not None:  # Asterisk 11 and later
        text += f"msg_id={msg_id}\n"
    text += "flag=\n"
    if duration is not None:
        text += f"duration={duration}\n"
    return text


def write_message(
    spool: Path,
    number: int = 0,
    *,
    folder: str = "INBOX",
    mailbox: str = MAILBOX,
    audio: tuple[str, ...] = ("wav",),
    text: str | None = None,
    **fields: Any,
) -> Path:
    """``<spool>/voicemail/<context>/<box>/<folder>/msgNNNN.txt`` (+ audio); returns the .txt."""
    box, _, context = mailbox.partition("@")
    directory = spool / "voicemail" / context / box / folder
    directory.mkdir(parents=True, exist_ok=True)
    base = directory / f"msg{number:04d}"
    for ext in audio:
        base.with_suffix(f".{ext}").write_bytes(silent_wav())
    txt = base.with_suffix(".txt")
    txt.write_text(text if text is not None else message_text(**fields), encoding="utf-8")
    return txt
