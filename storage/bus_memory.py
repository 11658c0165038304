"""In-process event bus (the embedded default): fan-out to bounded per-subscriber mailboxes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from core.ports import JSON, BusMessage
from storage.bus_common import Mailbox, validate_patterns


class InMemoryEventBus:
    """Implements :class:`core.ports.EventBus` inside one process.

    ``publish`` never blocks on a slow subscriber: its mailbox drops the oldest message and the
    subscriber later receives a ``bus.resync`` marker.
    """

    def __init__(self) -> None:
        self._mailboxes: set[Mailbox] = set()
        self._seq = 0
        self._closed = False

    async def publish(self, topic: str, payload: Mapping[str, JSON]) -> None:
        if self._closed:
            raise RuntimeError("event bus is closed")
        # A JSON round trip, as over Redis: non-JSON payloads fail here too, and subscribers
        # never share (or mutate) the publisher's objects.
        data = json.loads(json.dumps(dict(payload), ensure_ascii=False))
        self._seq += 1
        message = BusMessage(topic=topic, payload=data, seq=self._seq)
        for box in tuple(self._mailboxes):
            if box.wants(topic):
                box.offer(message)

    @asynccontextmanager
    async def subscribe(
        self, *patterns: str, maxsize: int = 1000
    ) -> AsyncIterator[AsyncIterator[BusMessage]]:
        validate_patterns(patterns)
        box = Mailbox(patterns, maxsize)
        self._mailboxes.add(box)
        try:
            yield box.messages()
        finally:
            self._mailboxes.discard(box)
            box.close()

    async def close(self) -> None:
        self._closed = True
        for box in tuple(self._mailboxes):
            box.close()
        self._mailboxes.clear()

    async def ping(self) -> None:
        """Health check: an in-process bus is up while it is not closed."""
        if self._closed:
            raise RuntimeError("event bus is closed")
