"""Ports (Protocols) the domain needs from the outside world.

Adapters implement these structurally; fakes in tests implement them too, so mypy checks them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

JSON = Any  # JSON-serialisable value (dict/list/str/int/float/bool/None)


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware."""
        ...


@dataclass(frozen=True, slots=True)
class BusMessage:
    """One message on the event bus. ``seq`` is monotonically increasing per bus instance."""

    topic: str
    payload: Mapping[str, JSON]
    seq: int = 0
    meta: Mapping[str, str] = field(default_factory=dict)


class EventBus(Protocol):
    """Fan-out publish/subscribe. Topics are dotted: ``call.answered``, ``asr.segment``.

    ``subscribe`` takes exact topics or prefixes ending in ``.*`` (``call.*``); ``*`` is all.
    Delivery is at-most-once to live subscribers; durable history belongs in storage.
    """

    async def publish(self, topic: str, payload: Mapping[str, JSON]) -> None: ...

    def subscribe(
        self, *patterns: str, maxsize: int = 1000
    ) -> AbstractAsyncContextManager[AsyncIterator[BusMessage]]: ...

    async def close(self) -> None: ...


def topic_matches(pattern: str, topic: str) -> bool:
    """The :class:`EventBus` pattern rule: ``*`` = everything, ``call.*`` = every topic
    starting with ``call.``, else exact."""
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return topic.startswith(pattern[:-1])
    return pattern == topic


class LiveState(Protocol):
    """Small documents of live state (queues, agents, calls) grouped by namespace.

    Writers replace or patch whole documents; readers get a consistent snapshot of one namespace.
    """

    async def put(self, namespace: str, key: str, doc: Mapping[str, JSON]) -> None: ...

    async def patch(self, namespace: str, key: str, fields: Mapping[str, JSON]) -> None: ...

    async def get(self, namespace: str, key: str) -> dict[str, JSON] | None: ...

    async def delete(self, namespace: str, key: str) -> None: ...

    async def all(self, namespace: str) -> dict[str, dict[str, JSON]]: ...

    async def clear(self, namespace: str) -> None: ...

    async def close(self) -> None: ...


class WorkingCalendar(Protocol):
    """Official working-day calendar (holidays and 调休 make-up days)."""

    def is_working_day(self, day: date) -> bool:
        """Raise :class:`core.errors.CalendarError` for a day the calendar has no data for."""
        ...


@dataclass(frozen=True, slots=True)
class StoredCallEvent:
    """One domain call event as persisted (the log call KPIs are recomputed from)."""

    linkedid: str
    name: str
    occurred_at: datetime
    payload: Mapping[str, JSON]
    id: int | None = None


class CallEventStore(Protocol):
    """Append-only log of call domain events, keyed by the call's ``Linkedid``."""

    async def append(self, events: list[StoredCallEvent]) -> None: ...

    async def between(self, start: datetime, end: datetime) -> list[StoredCallEvent]: ...

    async def for_call(self, linkedid: str) -> list[StoredCallEvent]: ...


@dataclass(frozen=True, slots=True)
class TranscriptSegment:
    """A recognised stretch of one leg. ``final`` False = partial (may be replaced)."""

    call_id: str
    speaker: str  # "caller" | "agent" | "voicemail"
    start_ms: int
    end_ms: int
    text: str
    final: bool
    confidence: float
    text_normalised: str = ""  # inverse-text-normalised (幺三八… → 138…), beside the raw text
    gap: bool = False  # True: a gap marker (ASR down/slow) rather than speech


class TranscriptStore(Protocol):
    async def add(self, segment: TranscriptSegment) -> None: ...

    async def for_call(self, call_id: str) -> list[TranscriptSegment]: ...

    async def search(self, text: str, limit: int = 50) -> list[TranscriptSegment]: ...


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    to: str
    body: str
    call_id: str | None = None


class SmsGateway(Protocol):
    """Sends SMS (online-channel links). Default adapter: an outbox table + log."""

    async def send(self, message: OutgoingSms) -> str:
        """Return the gateway's message id; raise ExternalServiceError when refused."""
        ...


@dataclass(frozen=True, slots=True)
class VoicemailReceived:
    """A caller left a voice message (电话语音留言); becomes a work-order draft."""

    call_id: str
    caller_number: str
    recording_path: str
    received_at: datetime
    duration_s: float | None = None
    # True when the message's audio file is gone (only its .txt was found in the spool):
    # the draft says so and no transcription job is queued; the callback still is.
    recording_missing: bool = False


class VoicemailIntake(Protocol):
    async def receive(self, voicemail: VoicemailReceived) -> str:
        """Create the work-order draft + transcription and callback tasks; return the draft id."""
        ...
