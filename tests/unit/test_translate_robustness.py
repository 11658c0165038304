"""Bad or partial AMI input never stops the translator, and damaged bytes lose only themselves."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from core.calls import CallEnded, CallOffered, CallQueued
from core.events import DomainEvent
from telephony.ami_codec import (
    INVALID_UTF8,
    MALFORMED_LINE,
    OVERSIZED_LINE,
    TRUNCATED_MESSAGE,
    AmiMessage,
    AmiStreamParser,
)
from telephony.translate import Translator
from tests.unit.trace_helpers import describe, trace, trace_events

MIXED = ("02-abandon-in-queue", "03-queue-timeout-to-voicemail", "06-concurrent-20-calls")


def _all_messages() -> list[tuple[datetime, AmiMessage]]:
    return [m for name in MIXED for m in trace(name).messages]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.floats(min_value=0.0, max_value=0.9))
def test_any_loss_or_reordering_is_survived(seed: int, loss: float) -> None:
    rng = random.Random(seed)
    messages = [m for m in _all_messages() if rng.random() >= loss]
    if rng.random() < 0.5:
        rng.shuffle(messages)
    translator = Translator()
    events: list[DomainEvent] = []
    for at, msg in messages:
        events.extend(translator.feed(msg, at))
    events.extend(translator.finish())
    offered = Counter(e.linkedid for e in events if isinstance(e, CallOffered))
    ended = Counter(e.linkedid for e in events if isinstance(e, CallEnded))
    assert all(n == 1 for n in offered.values())  # never offered twice
    assert all(n == 1 for n in ended.values())  # never ended twice
    assert set(translator.active_calls) <= set(offered)


def test_missing_fields_do_not_break_handlers() -> None:
    translator = Translator()
    at = trace("02-abandon-in-queue").messages[0][0]
    names = [
        "Newchannel", "Newexten", "VarSet", "DTMFEnd", "UserEvent", "QueueCallerJoin",
        "QueueCallerLeave", "QueueCallerAbandon", "AgentCalled", "AgentRingNoAnswer", "DialEnd",
        "AgentConnect", "AgentComplete", "MessageWaiting", "BlindTransfer", "AttendedTransfer",
        "Hangup", "QueueMemberAdded", "QueueMemberRemoved", "QueueMemberPause", "QueueMemberStatus",
    ]  # fmt: skip
    for name in names:
        translator.feed(AmiMessage.of(("Event", name)), at)
        translator.feed(AmiMessage.of(("Event", name), ("Uniqueid", "x"), ("Linkedid", "x")), at)
    assert translator.unknown_events == Counter()


def test_damaged_stream_loses_only_the_damaged_bytes() -> None:
    clean = trace("02-abandon-in-queue").raw
    # garbage between two messages, a non-UTF-8 value inside one, an oversized header line,
    # and the stream cut in the middle of the final Logoff answer
    cut = clean.index(b"Event: QueueCallerJoin")
    damaged = (
        clean[:cut]
        + b"%%% line noise %%%\r\n\r\n"
        + clean[cut:].replace(b"Class: default", b"Class: defaul\xff", 1)
    )
    damaged = damaged.replace(
        b"Event: SuccessfulAuth\r\n", b"Event: SuccessfulAuth\r\nX-Pad: " + b"p" * 5000 + b"\r\n"
    )
    damaged = damaged[: damaged.rindex(b"Message: Thanks") + 10]
    parser = AmiStreamParser(max_line_bytes=4096)
    messages = parser.feed(damaged)
    issues = [*parser.take_issues(), *parser.close()]
    assert [i.kind for i in issues] == [
        OVERSIZED_LINE,
        MALFORMED_LINE,
        INVALID_UTF8,
        TRUNCATED_MESSAGE,
    ]
    times = [at for at, _ in trace("02-abandon-in-queue").messages]
    assert len(messages) == len(times) - 1  # only the truncated Goodbye is missing
    translator = Translator()
    events = [e for at, msg in zip(times, messages, strict=False) for e in translator.feed(msg, at)]
    assert [describe(e) for e in events] == [
        describe(e) for e in trace_events("02-abandon-in-queue")
    ]
    assert any(isinstance(e, CallQueued) for e in events)
