"""In-memory fakes of core.ports Protocols used by the ASR tests (mypy checks them)."""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from core.ports import BusMessage, EventBus, TranscriptSegment, TranscriptStore


def _matches(topic: str, pattern: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return topic.startswith(pattern[:-1])
    return fnmatch.fnmatchcase(topic, pattern)


@dataclass
class MemoryBus:
    published: list[BusMessage] = field(default_factory=list)
    _subscribers: list[tuple[tuple[str, ...], asyncio.Queue[BusMessage]]] = field(
        default_factory=list
    )
    _seq: int = 0

    async def publish(self, topic: str, payload: Mapping[str, Any]) -> None:
        self._seq += 1
        message = BusMessage(topic, dict(payload), self._seq)
        self.published.append(message)
        for patterns, queue in self._subscribers:
            if any(_matches(topic, p) for p in patterns) and not queue.full():
                queue.put_nowait(message)

    @asynccontextmanager
    async def _subscription(
        self, patterns: tuple[str, ...], maxsize: int
    ) -> AsyncIterator[AsyncIterator[BusMessage]]:
        queue: asyncio.Queue[BusMessage] = asyncio.Queue(maxsize)
        entry = (patterns, queue)
        self._subscribers.append(entry)

        async def iterate() -> AsyncIterator[BusMessage]:
            while True:
                yield await queue.get()

        try:
            yield iterate()
        finally:
            self._subscribers.remove(entry)

    def subscribe(self, *patterns: str, maxsize: int = 1000) -> Any:
        return self._subscription(patterns, maxsize)

    async def close(self) -> None:
        self._subscribers.clear()


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
