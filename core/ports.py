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
