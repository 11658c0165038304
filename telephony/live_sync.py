"""Applies the bridge's domain events and resync snapshots to the live-state port through the
pure :class:`core.live.LiveReducer` (namespaces ``queues``, ``agents``, ``calls``, ``system``;
see :mod:`core.live`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from core.events import DomainEvent
from core.handle_time import AhtWindow
from core.live import LiveReducer, LiveUpdate
from core.ports import LiveState
from telephony.snapshots import channels_snapshot, queue_status_snapshots

if TYPE_CHECKING:
    from telephony.bridge import QueueSnapshot


class LiveSync:
    def __init__(
        self,
        live: LiveState,
        *,
        wrapup_s: Mapping[str, int] | None = None,
        aht_window: AhtWindow | None = None,
    ) -> None:
        self.live = live
        self.reducer = LiveReducer(wrapup_s or {"hotline": 3}, aht_window=aht_window)
        self.writes = 0

    async def apply(self, event: DomainEvent) -> None:
        await self._write(self.reducer.apply(event))

    async def resync(self, snapshot: QueueSnapshot) -> None:
        items = [*snapshot.queue_params, *snapshot.members, *snapshot.entries]
        for snap in queue_status_snapshots(items, snapshot.at):
            await self._write(self.reducer.apply_queue_status(snap))
        await self._write(
            self.reducer.apply_channels(channels_snapshot(snapshot.channels, snapshot.at))
        )

    async def tick(self, now: datetime) -> None:
        await self._write(self.reducer.tick(now))

    async def _write(self, updates: list[LiveUpdate]) -> None:
        for u in updates:
            if u.doc is None:
                await self.live.delete(u.namespace, u.key)
            else:
                await self.live.put(u.namespace, u.key, u.doc)
            self.writes += 1
