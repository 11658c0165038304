"""In-memory fakes of core.ports Protocols used by the ASR tests (mypy checks them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.ports import JSON, BusMessage, EventBus, TranscriptSegment, TranscriptStore
from storage.bus_memory import InMemoryEventBus


class MemoryBus(InMemoryEventBus):
    """The embedded event bus, keeping every published message for assertions."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[BusMessage] = []

    async def publish(self, topic: str, payload: Mapping[str, JSON]) -> None:
        await super().publish(topic, payload)
        self.published.append(BusMessage(topic, dict(payload), self._seq))


@dataclass
class MemoryTranscriptStore:
    segments: list[TranscriptSegment] = field(default_factory=list)

    async def add(self, segment: TranscriptSegment) -> None:
        self.segments.append(segment)

    async def for_call(self, call_id: str) -> list[TranscriptSegment]:
        return sorted((s for s in self.segments if s.call_id == call_id), key=lambda s: s.start_ms)

    async def search(self, text: str, limit: int = 50) -> list[TranscriptSegment]:
        return [s for s in self.segments if text in s.text or text in s.text_normalised][:limit]


def _typecheck() -> None:  # mypy: the fakes satisfy the ports
    bus: EventBus = MemoryBus()
    store: TranscriptStore = MemoryTranscriptStore()
    del bus, store
