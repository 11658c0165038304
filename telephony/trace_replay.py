"""Load a recorded AMI trace (``../shared/ami-traces``) as timed messages and translate it.

The ``.rx.raw`` bytes are the wire; the ``.jsonl`` record holds the receive time of every
message (``timestampevents = no``, so that is the only clock). :func:`load_trace` parses the
bytes with our codec and pairs message *i* with the *i*-th received jsonl record, checking
that both hold the same message. Used by the replay tests, the bridge's benchmark and the demo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.events import DomainEvent
from telephony.ami_codec import AmiMessage, AmiStreamParser, ProtocolIssue, parse_message_text
from telephony.translate import DialplanMap, Translator


@dataclass(frozen=True, slots=True)
class Trace:
    name: str
    banner: str | None
    messages: tuple[tuple[datetime, AmiMessage], ...]
    issues: tuple[ProtocolIssue, ...]
    raw: bytes


class TraceMismatchError(ValueError):
    """The .rx.raw stream and the .jsonl record disagree."""


def load_trace(directory: Path, name: str) -> Trace:
    """``name`` without suffix, e.g. ``02-abandon-in-queue``."""
    raw = (directory / f"{name}.rx.raw").read_bytes()
    parser = AmiStreamParser()
    messages = parser.feed(raw)
    issues = [*parser.take_issues(), *parser.close()]
    times: list[datetime] = []
    recorded: list[str] = []
    for line in (directory / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["dir"] == "rx" and record["raw"].endswith("\r\n\r\n"):
            times.append(datetime.fromtimestamp(record["t"], UTC))
            recorded.append(record["raw"])
    if len(times) != len(messages):
        raise TraceMismatchError(
            f"{name}: {len(messages)} messages on the wire, {len(times)} in jsonl"
        )
    for i, (msg, text) in enumerate(zip(messages, recorded, strict=True)):
        if parse_message_text(text) != msg:
            raise TraceMismatchError(f"{name}: message {i} differs between .rx.raw and .jsonl")
    return Trace(
        name=name,
        banner=parser.banner,
        messages=tuple(zip(times, messages, strict=True)),
        issues=tuple(issues),
        raw=raw,
    )


def translate_trace(
    trace: Trace, dialplan: DialplanMap | None = None
) -> tuple[list[DomainEvent], Translator]:
    """All domain events of a trace, holds decided at the end (``Translator.finish``)."""
    translator = Translator(dialplan)
    events: list[DomainEvent] = []
    for at, msg in trace.messages:
        events.extend(translator.feed(msg, at))
    events.extend(translator.finish())
    return events, translator
