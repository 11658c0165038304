"""Pieces shared by the bus adapters: topic patterns and a bounded drop-oldest mailbox."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Mapping
from typing import Any

from core.ports import BusMessage
from core.ports import topic_matches as topic_matches

RESYNC_TOPIC = "bus.resync"
"""Topic of the marker a subscriber receives after messages were lost (overflow, reconnect).

Its payload says why (``reason``) and how many messages were dropped (``dropped``; -1 = unknown).
A consumer that sees it must re-read live state instead of trusting its incremental view.
"""


def validate_patterns(patterns: tuple[str, ...]) -> None:
    if not patterns:
        raise ValueError("subscribe() needs at least one topic pattern")
    for p in patterns:
        if not p or ("*" in p and p != "*" and not (p.endswith(".*") and "*" not in p[:-2])):
            raise ValueError(f"bad topic pattern {p!r}: use 'a.b', 'a.*' or '*'")


class Mailbox:
    """Per-subscriber bounded queue. A full mailbox drops its OLDEST message and remembers the
    loss, so a slow consumer gets a resync marker instead of stalling the publisher."""

    def __init__(self, patterns: tuple[str, ...], maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.patterns = patterns
        self._items: deque[BusMessage] = deque()
        self._maxsize = maxsize
        self._wakeup = asyncio.Event()
        self._dropped = 0
        self._resync_reason: str | None = None
        self._closed = False

    def wants(self, topic: str) -> bool:
        return any(topic_matches(p, topic) for p in self.patterns)

    def offer(self, message: BusMessage) -> None:
        if self._closed:
            return
        if len(self._items) >= self._maxsize:
            self._items.popleft()
            self._dropped += 1
            self._resync_reason = self._resync_reason or "overflow"
        self._items.append(message)
        self._wakeup.set()

    def mark_gap(self, reason: str) -> None:
        """Messages may have been lost outside the mailbox (e.g. a reconnect)."""
        self._resync_reason = reason
        self._dropped = -1 if self._dropped == 0 else self._dropped
        self._wakeup.set()

    def close(self) -> None:
        self._closed = True
        self._wakeup.set()

    def _resync(self) -> BusMessage:
        payload: Mapping[str, Any] = {"reason": self._resync_reason, "dropped": self._dropped}
        self._dropped = 0
        self._resync_reason = None
        return BusMessage(topic=RESYNC_TOPIC, payload=payload, meta={"marker": "resync"})

    async def messages(self) -> AsyncIterator[BusMessage]:
        while True:
            if self._resync_reason is not None:
                yield self._resync()
                continue
            if self._items:
                yield self._items.popleft()
                continue
            if self._closed:
                return
            self._wakeup.clear()
            await self._wakeup.wait()
