"""Voicemail spool re-import (留言补录): every message in Asterisk's voicemail spool ends up as
exactly one work-order draft, also when the FastAGI server and the AMI bridge were both down
while it was left.

Identity. The dialplan sets ``VM_CATEGORY=call:${CHANNEL(linkedid)}`` before ``VoiceMail()``,
and app_voicemail writes it to the message's ``category=`` line, so a message in the spool
carries the same call id (linkedid) the live paths use: re-importing it goes through the same
idempotency key (``voicemail:<linkedid>``) and can never make a second order. Messages
without it (left before the dialplan set it) get ``vm:<msg_id>``; such a message counts as
imported live when a voicemail stored within minutes of its ``origtime`` has its very
recording slot (``context/mailbox/folder/msgNNNN``). The rule errs towards a second draft,
never towards a lost appeal.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Protocol

from core.ports import Clock, VoicemailIntake, VoicemailReceived

log = logging.getLogger(__name__)

# A live import happens when the caller hangs up: after origtime (written before the beep)
# plus the recording. These margins bound "the same message" for the legacy slot rule.
LIVE_BEFORE = timedelta(seconds=60)
LIVE_AFTER = timedelta(seconds=600)


@dataclass(frozen=True, slots=True)
class SpoolMessage:
    """One ``msgNNNN.txt`` of the spool, parsed."""

    path: str  # the .txt file
    context: str
    mailbox: str
    folder: str  # INBOX, Old, Urgent …
    number: str  # "msg0000"
    origtime: datetime  # aware; when app_voicemail started the message
    caller_number: str = ""
    duration_s: float | None = None
    msg_id: str = ""  # Asterisk's own message id ("" before Asterisk 11)
    linkedid: str = ""  # from category=call:<linkedid>; "" when the dialplan did not set it
    recording_path: str | None = None  # None: no audio file next to the .txt

    @property
    def call_id(self) -> str:
        """The call id the draft is keyed on: the live paths' linkedid whenever known."""
        if self.linkedid:
            return self.linkedid
        if self.msg_id:
            return f"vm:{self.msg_id}"
        seed = f"{self.context}/{self.mailbox}/{self.origtime.timestamp():.0f}/{self.caller_number}"
        return f"vm:{hashlib.sha256(seed.encode()).hexdigest()[:20]}"

    @property
    def slot(self) -> tuple[str, str, str, str]:
        return (self.context, self.mailbox, self.folder, self.number)

    @property
    def ends_at(self) -> datetime:
        return self.origtime + timedelta(seconds=self.duration_s or 0)

    def voicemail(self) -> VoicemailReceived:
        base = str(PurePosixPath(self.path).with_suffix(""))
        return VoicemailReceived(
            call_id=self.call_id,
            caller_number=self.caller_number,
            recording_path=self.recording_path or base,
            received_at=self.origtime,
            duration_s=self.duration_s,
            recording_missing=self.recording_path is None,
        )


@dataclass(frozen=True, slots=True)
class SpoolProblem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SpoolScan:
    messages: Sequence[SpoolMessage]
    problems: Sequence[SpoolProblem]  # files that could not be read as a message


class VoicemailSpool(Protocol):
    async def scan(self) -> SpoolScan:
        """Every message file of the hotline's mailboxes; never raises for one bad file."""
        ...


class StoredVoicemails(Protocol):
    async def get(self, call_id: str) -> tuple[VoicemailReceived, str | None, str] | None:
        """(voicemail, linked work-order id, status), or None."""
        ...

    async def received_between(
        self, since: datetime, until: datetime
    ) -> list[VoicemailReceived]: ...


def recording_slot(path: str) -> tuple[str, str, str, str] | None:
    """``…/<context>/<mailbox>/<folder>/msgNNNN[.ext]`` → its last four parts."""
    parts = PurePosixPath(path).with_suffix("").parts
    if len(parts) < 4 or not parts[-1].startswith("msg"):
        return None
    return (parts[-4], parts[-3], parts[-2], parts[-1])


@dataclass(slots=True)
class ReimportReport:
    imported: list[tuple[SpoolMessage, str]] = field(default_factory=list)  # (message, draft)
    present: list[SpoolMessage] = field(default_factory=list)
    recent: list[SpoolMessage] = field(default_factory=list)  # left to the live paths for now
    broken: list[SpoolProblem] = field(default_factory=list)  # unreadable message files
    failed: list[SpoolProblem] = field(default_factory=list)  # readable, but the import failed

    def summary(self) -> str:
        return (
            f"imported {len(self.imported)}, already present {len(self.present)}, "
            f"broken {len(self.broken)}, failed {len(self.failed)}, too recent {len(self.recent)}"
        )


class ReimportVoicemail:
    """Import the spool's messages that have no draft yet. ``settle`` leaves messages younger
    than that to the live paths (FastAGI ``voicemail-done``, the AMI bridge)."""

    def __init__(
        self,
        spool: VoicemailSpool,
        stored: StoredVoicemails,
        intake: VoicemailIntake,
        clock: Clock,
        *,
        settle: timedelta = timedelta(seconds=120),
    ) -> None:
        self._spool = spool
        self._stored = stored
        self._intake = intake
        self._clock = clock
        self._settle = settle

    async def execute(self) -> ReimportReport:
        scan = await self._spool.scan()
        report = ReimportReport(broken=list(scan.problems))
        cutoff = self._clock.now() - self._settle
        for message in sorted(scan.messages, key=lambda m: (m.origtime, m.path)):
            if message.ends_at > cutoff:
                report.recent.append(message)
                continue
            try:
                draft_id = await self._import(message)
            except Exception as exc:  # one bad message must not stop the sweep
                log.exception("voicemail %s not imported", message.path)
                report.failed.append(SpoolProblem(message.path, f"import failed: {exc}"))
                continue
            if draft_id is None:
                report.present.append(message)
            else:
                log.info("voicemail %s imported from the spool: draft %s", message.path, draft_id)
                report.imported.append((message, draft_id))
        return report

    async def _import(self, message: SpoolMessage) -> str | None:
        """The draft id when this run created (or completed) it; None when it was there."""
        voicemail = message.voicemail()
        stored = await self._stored.get(message.call_id)
        if stored is None and not message.linkedid:
            twin = await self._live_twin(message)
            if twin is not None:
                voicemail, stored = twin[0], twin
        if stored is not None and stored[1] is not None:
            return None
        # new, or an earlier import stopped half-way: every intake step is idempotent
        return await self._intake.receive(voicemail)

    async def _live_twin(
        self, message: SpoolMessage
    ) -> tuple[VoicemailReceived, str | None, str] | None:
        """The live import of a message whose .txt carries no linkedid: same recording slot,
        stored within minutes of its origtime."""
        live = await self._stored.received_between(
            message.origtime - LIVE_BEFORE, message.ends_at + LIVE_AFTER
        )
        for vm in live:
            if recording_slot(vm.recording_path) == message.slot:
                return await self._stored.get(vm.call_id)
        return None
