"""In-process implementations of the ports the bridge writes to (event bus, call-event log,
live state), for the simulator harness, the CLI ``simulate`` command and tests. They
implement the :mod:`core.ports` Protocols; production wiring uses the storage adapters.

telephony may not import storage, so the bus and the call-event log are the simulator's own:
the bus is a plain at-most-once fan-out (storage's embedded bus adds drop-oldest mailboxes and
resync markers the simulator does not need). The live state is core's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from core.live_memory import InMemoryLiveState
from core.ports import JSON, BusMessage, StoredCallEvent, topic_matches


class MemoryEventBus:
    def __init__(self) -> None:
        self._subs: list[tuple[tuple[str, ...], asyncio.Queue[BusMessage]]] = []
        self._seq = 0
        self.published = 0
        self.dropped = 0

    async def publish(self, topic: str, payload: Mapping[str, JSON]) -> None:
        self._seq += 1
        self.published += 1
        message = BusMessage(topic, payload, self._seq)
        for patterns, queue in self._subs:
            if any(topic_matches(p, topic) for p in patterns):
                try:
                    queue.put_nowait(message)
                except asyncio.QueueFull:
                    self.dropped += 1  # at-most-once to slow subscribers

    @asynccontextmanager
    async def _subscribe(
        self, patterns: tuple[str, ...], maxsize: int
    ) -> AsyncIterator[AsyncIterator[BusMessage]]:
        queue: asyncio.Queue[BusMessage] = asyncio.Queue(maxsize)
        entry = (patterns, queue)
        self._subs.append(entry)

        async def messages() -> AsyncIterator[BusMessage]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self._subs.remove(entry)

    def subscribe(self, *patterns: str, maxsize: int = 1000) -> Any:
        return self._subscribe(patterns, maxsize)

    async def close(self) -> None:
        self._subs.clear()


class MemoryCallEventStore:
    def __init__(self) -> None:
        self.events: list[StoredCallEvent] = []

    async def append(self, events: list[StoredCallEvent]) -> None:
        start = len(self.events)
        self.events.extend(
            StoredCallEvent(e.linkedid, e.name, e.occurred_at, e.payload, start + i + 1)
            for i, e in enumerate(events)
        )

    async def between(self, start: datetime, end: datetime) -> list[StoredCallEvent]:
        return [e for e in self.events if start <= e.occurred_at < end]

    async def for_call(self, linkedid: str) -> list[StoredCallEvent]:
        return [e for e in self.events if e.linkedid == linkedid]


# The live state is core's in-process one (pure, shared with storage and the tests).
MemoryLiveState = InMemoryLiveState
