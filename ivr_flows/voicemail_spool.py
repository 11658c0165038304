"""Asterisk's file-based voicemail spool, read for the re-import (留言补录).

Layout (app_voicemail, FILE_STORAGE): ``<spool>/voicemail/<context>/<mailbox>/<folder>/``
holds ``msgNNNN.txt`` plus one audio file per configured format (``msgNNNN.wav``, ``.WAV`` for
wav49, ``.gsm`` …). A message is recorded in ``<mailbox>/tmp/`` and renamed into the folder
audio first, ``.txt`` last, so a ``.txt`` in a folder is complete. ``leave_voicemail()`` writes
it as::

    ;
    ; Message Information file
    ;
    [message]
    origmailbox=12345
    context=hotline-voicemail
    macrocontext=
    exten=s
    rdnis=unknown
    priority=2
    callerchan=PJSIP/pstn-00000007
    callerid="Citizen 13800137" <13800137>
    origdate=Sat Nov 21 06:17:22 AM UTC 2026
    origtime=1795241842
    category=call:1795241780.7
    msg_id=1795241842-00000000
    flag=
    duration=7

``category`` is the channel's ``VM_CATEGORY`` (the dialplan puts the linkedid there),
``callerid`` is ``ast_callerid_merge``'s ``"name" <number>`` / ``number`` / ``name`` /
``Unknown``, ``msg_id`` exists since Asterisk 11. Asterisk reads the file with its config
parser: ``;`` starts a comment unless escaped as ``\\;``; ``key=value`` and ``key => value``.

:func:`parse_message` is pure; :func:`scan_spool_blocking` walks the directories (run it in an
executor: :class:`AsteriskVoicemailSpool` does).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import NotFoundError, ValidationError
from core.use_cases.voicemail_reimport import SpoolMessage, SpoolProblem, SpoolScan

__all__ = [
    "CATEGORY_CALL_PREFIX",
    "MESSAGE_FOLDERS",
    "AsteriskVoicemailSpool",
    "SpoolFileError",
    "caller_number",
    "parse_message",
    "scan_spool_blocking",
]

CATEGORY_CALL_PREFIX = "call:"  # extensions.conf: Set(VM_CATEGORY=call:${CHANNEL(linkedid)})
# app_voicemail's folders that hold messages. "Deleted" (backupdeleted=) holds what a mailbox
# user deleted on purpose; tmp/ holds recordings in progress.
MESSAGE_FOLDERS = (
    "INBOX", "Urgent", "Old", "Work", "Family", "Friends",
    "Cust1", "Cust2", "Cust3", "Cust4", "Cust5",
)  # fmt: skip
AUDIO_PREFERENCE = ("wav", "WAV", "gsm")  # first found is the recording; else any other
_MESSAGE_FILE = re.compile(r"^msg\d{4,}\.txt$")
_NUMBER_IN_BRACKETS = re.compile(r"<([^<>]*)>\s*$")
_BARE_NUMBER = re.compile(r"^\+?[\d*#]+$")
_LINKEDID_MAX = 64  # our call ids are stored in 64 characters


class SpoolFileError(ValueError):
    """A message file that cannot be read as one; ``str()`` names the file."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(slots=True)
class _Found:
    messages: list[SpoolMessage]
    problems: list[SpoolProblem]


def caller_number(callerid: str) -> str:
    """The number in app_voicemail's ``callerid=`` value ("" when there is none)."""
    value = callerid.strip()
    match = _NUMBER_IN_BRACKETS.search(value)
    if match:
        return match.group(1).strip()
    return value if _BARE_NUMBER.match(value) else ""


def _strip_comment(line: str) -> str:
    """Asterisk's config parser: ``;`` starts a comment, ``\\;`` is a literal semicolon."""
    out: list[str] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and line[i + 1 : i + 2] == ";":
            out.append(";")
            i += 2
            continue
        if char == ";":
            break
        out.append(char)
        i += 1
    return "".join(out).strip()


def _sections(text: str, path: str) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        if not line:
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                raise SpoolFileError(path, f"line {number}: bad section header {raw.strip()!r}")
            current = sections.setdefault(line[1:-1].strip(), {})
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise SpoolFileError(path, f"line {number}: expected key=value, got {raw.strip()!r}")
        if current is None:
            raise SpoolFileError(path, f"line {number}: {key.strip()!r} before any [section]")
        # "key => value" is the same as "key = value"; the first occurrence wins, as in
        # ast_variable_retrieve()
        current.setdefault(key.strip(), value.removeprefix(">").strip())
    return sections


def _whole_number(fields: dict[str, str], key: str, path: str) -> int | None:
    raw = fields.get(key, "")
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise SpoolFileError(path, f"{key}={raw!r} is not a whole number") from None
    if value < 0:
        raise SpoolFileError(path, f"{key}={raw!r} is negative")
    return value


def _linkedid(category: str) -> str:
    if not category.startswith(CATEGORY_CALL_PREFIX):
        return ""
    linkedid = category.removeprefix(CATEGORY_CALL_PREFIX).strip()
    return linkedid if len(linkedid) <= _LINKEDID_MAX else ""


def parse_message(
    text: str,
    path: str,
    *,
    context: str,
    mailbox: str,
    folder: str,
    recording_path: str | None,
) -> SpoolMessage:
    """One ``msgNNNN.txt``; :class:`SpoolFileError` (naming ``path``) when it is not one."""
    if not text.strip():
        raise SpoolFileError(path, "empty file")
    fields = _sections(text, path).get("message")
    if fields is None:
        raise SpoolFileError(path, "no [message] section")
    origtime = _whole_number(fields, "origtime", path)
    if origtime is None:
        raise SpoolFileError(path, "no origtime (when the message was left)")
    try:
        when = datetime.fromtimestamp(origtime, UTC)
    except (OverflowError, OSError, ValueError):
        raise SpoolFileError(path, f"origtime={origtime} is not a time") from None
    duration = _whole_number(fields, "duration", path)
    return SpoolMessage(
        path=path,
        context=context,
        mailbox=mailbox,
        folder=folder,
        number=Path(path).stem,
        origtime=when,
        caller_number=caller_number(fields.get("callerid", "")),
        duration_s=float(duration) if duration is not None else None,
        msg_id=fields.get("msg_id", ""),
        linkedid=_linkedid(fields.get("category", "")),
        recording_path=recording_path,
    )


def _decode(data: bytes) -> str:
    # Caller names from the PSTN are not always UTF-8; a name must not cost the message.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _recording(stem: str, siblings: Iterable[Path]) -> Path | None:
    audio = {p.suffix[1:]: p for p in siblings if p.stem == stem and p.suffix != ".txt"}
    for ext in AUDIO_PREFERENCE:
        if ext in audio:
            return audio[ext]
    return audio[min(audio)] if audio else None


def _voicemail_root(spool: Path) -> Path:
    """``spool`` is Asterisk's spool directory (with ``voicemail/``) or that ``voicemail/``."""
    if not spool.is_dir():
        raise NotFoundError(f"voicemail spool {spool} is not a directory", code="ivr.spool")
    nested = spool / "voicemail"
    return nested if nested.is_dir() else spool


def _mailbox_dir(root: Path, mailbox: str) -> tuple[str, str, Path]:
    box, _, context = mailbox.partition("@")
    context = context or "default"
    if not box or "/" in box or "/" in context or box in {".", ".."} or context in {".", ".."}:
        raise ValidationError(f"not a mailbox: {mailbox!r} (box@context)", code="ivr.mailbox")
    return context, box, root / context / box


def _scan_folder(context: str, mailbox: str, folder: Path, out: _Found) -> None:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        out.problems.append(SpoolProblem(str(folder), f"cannot list: {exc.strerror or exc}"))
        return
    for entry in entries:
        if not _MESSAGE_FILE.match(entry.name):
            continue
        path = str(entry)
        try:
            text = _decode(entry.read_bytes())
            audio = _recording(entry.stem, entries)
            out.messages.append(
                parse_message(
                    text,
                    path,
                    context=context,
                    mailbox=mailbox,
                    folder=folder.name,
                    recording_path=str(audio) if audio is not None else None,
                )
            )
        except SpoolFileError as exc:
            out.problems.append(SpoolProblem(exc.path, exc.reason))
        except OSError as exc:
            out.problems.append(SpoolProblem(path, f"cannot read: {exc.strerror or exc}"))


def scan_spool_blocking(spool: Path, mailboxes: Sequence[str]) -> SpoolScan:
    """Every message file of ``mailboxes`` (``box@context``) under ``spool``. One bad file is
    a problem in the result, never an exception; a missing spool directory is one."""
    root = _voicemail_root(spool)
    out = _Found([], [])
    for mailbox in mailboxes:
        context, box, directory = _mailbox_dir(root, mailbox)
        for name in MESSAGE_FOLDERS:
            folder = directory / name
            if folder.is_dir():
                _scan_folder(context, box, folder, out)
    return SpoolScan(messages=out.messages, problems=out.problems)


class AsteriskVoicemailSpool:
    """:class:`core.use_cases.voicemail_reimport.VoicemailSpool` over a directory."""

    def __init__(self, spool: Path, mailboxes: Sequence[str]) -> None:
        self.spool = spool
        self.mailboxes = tuple(mailboxes)

    async def scan(self) -> SpoolScan:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, scan_spool_blocking, self.spool, self.mailboxes)
