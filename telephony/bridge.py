"""The AMI bridge: one supervised consumer of the AMI client's queue.

Flow: AMI client queue → :class:`telephony.translate.Translator` → for each domain event:
dedupe → append to the :class:`CallEventStore` → publish on the :class:`EventBus`
(``call.*``, ``agent.*``) → live-state update.

After every (re)connect, and after the client's queue overflowed, the bridge

1. resyncs with ``QueueStatus`` and ``CoreShowChannels`` (the live snapshot is handed to the
   live-state applier; calls we still thought alive but that have no channel are ended);
2. reconciles from Asterisk's ``queue_log`` (tailed): every queue visit that was open at the
   gap's start or entered during the gap is *watched*; each queue milestone of a watched call
   (offered, queued, answered/abandoned/exited, completed) the bridge has not seen is
   appended from ``queue_log`` — until the visit is closed in ``queue_log``;
3. publishes a :class:`core.calls.DataGap` (start, end, calls reconciled).

Dedupe: per call, each milestone is accepted once, from whichever source comes first (AMI or
``queue_log``), so a call is never counted twice and never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from core.calls import (
    AgentEvent,
    CallAbandoned,
    CallAnswered,
    CallCompleted,
    CallEnded,
    CallEvent,
    CallExitedQueue,
    CallOffered,
    CallQueued,
    DataGap,
    to_stored,
)
from core.events import DomainEvent
from core.ports import CallEventStore, Clock, EventBus
from telephony.ami_client import AmiClient, LinkDown, LinkUp, Overflowed
from telephony.ami_codec import AmiMessage
from telephony.errors import AmiTimeoutError, AmiUnavailableError
from telephony.queue_log import CLOSING_VERBS, NO_CALL, events_from_queue_log
from telephony.queue_log_tail import QueueLogTail
from telephony.translate import Translator

log = logging.getLogger(__name__)

_MILESTONES: tuple[tuple[type[DomainEvent], str], ...] = (
    (CallOffered, "offered"),
    (CallQueued, "queued"),
    (CallAnswered, "outcome"),
    (CallAbandoned, "outcome"),
    (CallExitedQueue, "outcome"),
    (CallCompleted, "completed"),
    (CallEnded, "ended"),
)
_RECONCILED = (CallOffered, CallQueued, CallAnswered, CallAbandoned, CallExitedQueue, CallCompleted)


def milestone(event: DomainEvent) -> str | None:
    for cls, name in _MILESTONES:
        if isinstance(event, cls):
            return name
    return None


def topic_for(event: DomainEvent) -> str:
    """``CallAnswered`` → ``call.answered``; ``AgentPaused`` → ``agent.paused``;
    ``AgentRinging`` (a call event) → ``call.agent_ringing``; ``DataGap`` → ``call.data_gap``."""
    name = event.name
    if isinstance(event, AgentEvent):
        return "agent." + _snake(name.removeprefix("Agent"))
    return "call." + _snake(name.removeprefix("Call") if name.startswith("Call") else name)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """What ``QueueStatus`` + ``CoreShowChannels`` said right after a (re)connect."""

    at: datetime
    queue_params: list[AmiMessage]
    members: list[AmiMessage]
    entries: list[AmiMessage]
    channels: list[AmiMessage]


class LiveApplier(Protocol):
    """Applies domain events (and resync snapshots) to live state."""

    async def apply(self, event: DomainEvent) -> None: ...

    async def resync(self, snapshot: QueueSnapshot) -> None: ...

    async def tick(self, now: datetime) -> None: ...


@dataclass(slots=True)
class BridgeStats:
    ami_messages: int = 0
    domain_events: int = 0
    duplicates_suppressed: int = 0
    reconciled_events: int = 0
    calls_reconciled: int = 0
    ended_by_resync: int = 0
    abandons_corrected: int = 0
    resyncs: int = 0
    resync_failures: int = 0
    consumer_errors: int = 0
    gaps: list[DataGap] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.problems.append(text)
        del self.problems[:-50]


class Bridge:
    def __init__(
        self,
        client: AmiClient,
        translator: Translator,
        *,
        bus: EventBus,
        store: CallEventStore,
        live: LiveApplier,
        clock: Clock,
        queue_log: QueueLogTail | None = None,
        queue: str = "hotline",
        resync_interval_s: float = 60.0,
        tail_interval_s: float = 1.0,
        reconcile_margin_s: float = 60.0,
        batch_max: int = 500,
    ) -> None:
        self.client = client
        self.translator = translator
        self.bus, self.store, self.live, self.clock = bus, store, live, clock
        self.queue_log = queue_log
        self.queue_name = queue
        self.resync_interval_s = resync_interval_s
        self.tail_interval_s = tail_interval_s
        self.margin = timedelta(seconds=reconcile_margin_s)
        self.batch_max = batch_max
        self.stats = BridgeStats()
        self._seen: OrderedDict[str, set[str]] = OrderedDict()
        self._watch: dict[str, int] = {}  # callid → calls_reconciled already counted (0/1)
        self._tasks: list[asyncio.Task[None]] = []
        self._gap_start: datetime | None = None
        self._gap_reason = ""
        self._resync_lock = asyncio.Lock()
        # Held by the consumer while it translates and emits one batch, and by a resync from
        # before its snapshot request until the snapshot is applied: a snapshot describes the
        # PBX at one point of the event stream, so no event read after that point may be
        # translated before the snapshot is applied (else a call that started just after the
        # snapshot is "not alive" in it and would be ended by the resync, losing its queue
        # visit and outcome).
        self._stream_lock = asyncio.Lock()
        self._resync_tasks: set[asyncio.Task[None]] = set()
        self._sessions = 0
        self._alive: set[str] = set()
        self.on_event: Callable[[DomainEvent], Awaitable[None]] | None = None
        # sees every raw AMI message before translation (ASR taps); must only enqueue
        self.on_message: Callable[[AmiMessage], None] | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.client.start()
        self._tasks = [
            asyncio.create_task(self._consume(), name="ami-bridge-consumer"),
            asyncio.create_task(self._periodic(), name="ami-bridge-periodic"),
        ]

    async def stop(self) -> None:
        tasks = [*self._tasks, *self._resync_tasks]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self.client.stop()

    async def drain(self, idle_s: float = 0.2, within_s: float = 60.0) -> None:
        """Wait until nothing was read or queued for ``idle_s`` and no resync runs."""
        async with asyncio.timeout(within_s):
            quiet = 0.0
            seen = -1
            while quiet < idle_s:
                await asyncio.sleep(0.05)
                read = self.client.stats.messages
                busy = (
                    read != seen
                    or not self.client.queue.empty()
                    or self._resync_lock.locked()
                    or bool(self._resync_tasks)
                )
                seen = read
                quiet = 0.0 if busy else quiet + 0.05

    # -- consumer --------------------------------------------------------------------------
    async def _consume(self) -> None:
        queue = self.client.queue
        while True:
            first = await queue.get()
            async with self._stream_lock:
                await self._consume_batch(first)

    async def _consume_batch(self, first: object) -> None:
        queue = self.client.queue
        batch = [first]
        while len(batch) < self.batch_max and not queue.empty():
            batch.append(queue.get_nowait())
        out: list[DomainEvent] = []
        for item in batch:
            if self.on_message is not None and isinstance(item, AmiMessage):
                self.on_message(item)
            try:
                out.extend(self._translate(item))
            except Exception as exc:  # one bad message must not stop the bridge
                self.stats.consumer_errors += 1
                self.stats.note(f"translator failed on {item!r:.200}: {exc!r}")
                log.exception("bridge: translator failed on one message")
        if queue.empty():
            # only now: a hold (abandon vs timeout) may still be decided by queued messages
            out.extend(self.translator.expire(self.clock.now()))
            overflow = self.client.take_overflow()
            if overflow is not None:
                self._translate(overflow)
        if self.queue_log is not None and any(isinstance(e, CallAbandoned) for e in out):
            out = await self._check_abandons(out)
        await self._emit(out)

    async def _check_abandons(self, events: list[DomainEvent]) -> list[DomainEvent]:
        """A queue timeout looks like an abandon on AMI until ``QUEUESTATUS=TIMEOUT``; if that
        VarSet was lost (overflow, cut) the translator decides "abandon". queue_log says what
        it was (written by Asterisk with the event), so it overrules."""
        assert self.queue_log is not None
        await self.queue_log.read_new()
        out: list[DomainEvent] = []
        for event in events:
            closing = self.queue_log.closed.get(getattr(event, "linkedid", ""))
            enter = self.queue_log.entered.get(getattr(event, "linkedid", ""))
            if (
                isinstance(event, CallAbandoned)
                and closing
                and enter
                and "|ABANDON|" not in closing
            ):
                fixed = [
                    e
                    for e in events_from_queue_log([enter, closing])
                    if isinstance(e, CallExitedQueue)
                ]
                if fixed:
                    self.stats.abandons_corrected += 1
                    self.stats.note(
                        f"{event.linkedid}: AMI abandon is {closing.split('|')[4]} in queue_log"
                    )
                    out.extend(fixed)
                    continue
            out.append(event)
        return out

    def _translate(self, item: object) -> list[DomainEvent]:
        now = self.clock.now()
        if isinstance(item, AmiMessage):
            self.stats.ami_messages += 1
            return self.translator.feed(item, now)
        if isinstance(item, LinkDown):
            if self._gap_start is None:
                self._gap_start, self._gap_reason = item.at, item.reason
            log.warning("bridge: AMI link down at %s (%s)", item.at.isoformat(), item.reason)
        elif isinstance(item, LinkUp):
            self._sessions += 1
            self._spawn_resync(gap=self._gap_start is not None, at=item.at)
        elif isinstance(item, Overflowed):
            self.stats.note(f"{item.dropped} AMI messages dropped (queue full)")
            if self._gap_start is None:
                self._gap_start = item.first_at
                self._gap_reason = f"{item.dropped} events dropped: consumer queue full"
            self._spawn_resync(gap=True, at=item.last_at)
        return []

    async def _emit(
        self, events: list[DomainEvent], *, reconciled: bool = False
    ) -> list[DomainEvent]:
        accepted: list[DomainEvent] = []
        for event in events:
            if isinstance(event, CallEvent):
                kind = milestone(event)
                if kind is not None:
                    seen = self._seen.setdefault(event.linkedid, set())
                    if kind in seen:
                        self.stats.duplicates_suppressed += 1
                        continue
                    seen.add(kind)
                    if isinstance(event, CallAnswered):
                        seen.add("answered")
            accepted.append(event)
        if not accepted:
            return accepted
        self._prune()
        await self.store.append([to_stored(e) for e in accepted])
        for event in accepted:
            payload = event.to_dict()
            if reconciled:
                payload["reconciled"] = True
            await self.bus.publish(topic_for(event), payload)
            await self.live.apply(event)
            if self.on_event is not None:
                await self.on_event(event)
        self.stats.domain_events += len(accepted)
        if reconciled:
            self.stats.reconciled_events += len(accepted)
        return accepted

    def _prune(self, keep: int = 200_000) -> None:
        while len(self._seen) > keep:
            self._seen.popitem(last=False)

    # -- resync / reconcile ----------------------------------------------------------------
    def _spawn_resync(self, *, gap: bool, at: datetime) -> None:
        task = asyncio.create_task(self._resync(gap=gap, at=at), name="ami-bridge-resync")
        self._resync_tasks.add(task)
        task.add_done_callback(self._resync_tasks.discard)

    async def _resync(self, *, gap: bool, at: datetime) -> None:
        async with self._resync_lock, self._stream_lock:
            await self._resync_locked(gap=gap)

    async def _resync_locked(self, *, gap: bool) -> None:
        try:
            snapshot = await self._snapshot()
        except (AmiTimeoutError, AmiUnavailableError) as exc:
            self.stats.resync_failures += 1
            self.stats.note(f"resync failed: {exc.message}")
            log.warning("bridge: resync failed: %s", exc.message)
            return  # the next LinkUp (or the periodic resync) tries again
        self.stats.resyncs += 1
        await self.live.resync(snapshot)
        if not gap or self._gap_start is None:
            await self._tail_and_reconcile()
            return
        start, reason = self._gap_start, self._gap_reason
        self._gap_start = None
        self._alive = {m.get("Linkedid") or "" for m in snapshot.channels}
        # the translator ends the calls it tracked whose channels are gone (their queue
        # outcome comes from queue_log below); calls it never knew are ended by us
        await self._emit(self.translator.resync(self._alive, snapshot.at), reconciled=True)
        await self._end_vanished_calls(snapshot)
        before = self.stats.calls_reconciled
        await self._watch_gap()
        await self._tail_and_reconcile()
        end = max(snapshot.at, start)  # state is known good again from the snapshot on
        gap_event = DataGap(
            occurred_at=self.clock.now(),
            start=start,
            end=end,
            calls_reconciled=self.stats.calls_reconciled - before,
            reason=reason,
        )
        self.stats.gaps.append(gap_event)
        await self._emit([gap_event])
        log.warning(
            "bridge: data gap %s → %s (%s); %d calls reconciled from queue_log",
            start.isoformat(),
            end.isoformat(),
            reason,
            gap_event.calls_reconciled,
        )

    async def _snapshot(self) -> QueueSnapshot:
        status = await self.client.action("QueueStatus", {"Queue": self.queue_name})
        channels = await self.client.action("CoreShowChannels")

        def named(items: list[AmiMessage], name: str) -> list[AmiMessage]:
            return [m for m in items if m.event == name]

        return QueueSnapshot(
            at=self.clock.now(),
            queue_params=named(status, "QueueParams"),
            members=named(status, "QueueMember"),
            entries=named(status, "QueueEntry"),
            channels=named(channels, "CoreShowChannel"),
        )

    async def _end_vanished_calls(self, snapshot: QueueSnapshot) -> None:
        """Calls we saw start but whose channels are gone ended while we were away."""
        alive = {m.get("Linkedid") for m in snapshot.channels}
        ended: list[DomainEvent] = []
        for linkedid, seen in list(self._seen.items()):
            if "offered" in seen and "ended" not in seen and linkedid not in alive:
                ended.append(
                    CallEnded(
                        occurred_at=snapshot.at,
                        linkedid=linkedid,
                        uniqueid=linkedid,
                        cause=0,
                        cause_text="ended while the AMI link was down (resync)",
                    )
                )
        self.stats.ended_by_resync += len(await self._emit(ended, reconciled=True))

    async def _watch_gap(self) -> None:
        """Watch every queue visit the gap may have touched.

        AMI carries no timestamps, and whatever sat unread in socket buffers when the link
        dropped is lost too, so the loss can reach back well before ``start``. Hence: watch
        every visit in the retained queue_log that the bridge has not seen finished (queue
        outcome, and completion for answered calls). Over-watching is harmless —
        reconciliation only appends milestones the bridge has not seen."""
        if self.queue_log is None:
            return
        await self.queue_log.read_new()
        for line in self.queue_log.lines:
            parts = line.split("|", 5)
            if len(parts) < 5 or parts[4] != "ENTERQUEUE" or parts[1] in NO_CALL:
                continue
            if not self._finished(parts[1]):
                self._watch.setdefault(parts[1], 0)

    def _finished(self, linkedid: str) -> bool:
        seen = self._seen.get(linkedid)
        if not seen or not {"offered", "queued", "outcome"} <= seen:
            return False
        return "answered" not in seen or "completed" in seen

    async def _tail_and_reconcile(self) -> None:
        if self.queue_log is None:
            return
        await self.queue_log.read_new()
        if not self._watch:
            return
        watched = set(self._watch)
        lines = [ln for ln in self.queue_log.lines if _field(ln, 1) in watched]
        by_call: dict[str, list[DomainEvent]] = {}
        for event in events_from_queue_log(lines):
            if isinstance(event, _RECONCILED) and isinstance(event, CallEvent):
                by_call.setdefault(event.linkedid, []).append(event)
        for callid, call_events in by_call.items():
            added = await self._emit(call_events, reconciled=True)
            if added:
                # calls still up: later AMI events must attach to what queue_log supplied
                self.translator.absorb(added, self._alive)
            if added and not self._watch.get(callid):
                self._watch[callid] = 1
                self.stats.calls_reconciled += 1
        for line in lines:
            if _field(line, 4) in CLOSING_VERBS:
                self._watch.pop(_field(line, 1), None)

    # -- periodic --------------------------------------------------------------------------
    async def _periodic(self) -> None:
        loop = asyncio.get_running_loop()
        next_resync = loop.time() + self.resync_interval_s
        while True:
            await asyncio.sleep(self.tail_interval_s)
            await self.live.tick(self.clock.now())  # wrap-up ends without an AMI event
            if self._resync_lock.locked():
                continue
            if loop.time() >= next_resync and self.client.connected:
                next_resync = loop.time() + self.resync_interval_s
                self._spawn_resync(gap=False, at=self.clock.now())
            elif self._watch:
                async with self._resync_lock:
                    await self._tail_and_reconcile()

    def health(self) -> dict[str, object]:
        """What happened on the link and in the bridge, for logs and the health page."""
        c, b = self.client.stats, self.stats
        return {
            "connected": self.client.connected,
            "sessions": c.sessions,
            "disconnects": c.disconnects,
            "connect_failures": c.connect_failures,
            "login_timeouts": c.login_timeouts,
            "login_refusals": c.login_refusals,
            "ping_timeouts": c.ping_timeouts,
            "ami_messages": c.messages,
            "wire_issues": dict(c.issues),
            "overflow_dropped": c.overflow_dropped,
            "unknown_events": dict(self.translator.unknown_events),
            "domain_events": b.domain_events,
            "duplicates_suppressed": b.duplicates_suppressed,
            "reconciled_events": b.reconciled_events,
            "calls_reconciled": b.calls_reconciled,
            "abandons_corrected": b.abandons_corrected,
            "resyncs": b.resyncs,
            "resync_failures": b.resync_failures,
            "consumer_errors": b.consumer_errors,
            "gaps": [g.to_dict() for g in b.gaps[-10:]],
            "watched_calls": len(self._watch),
            "recent_problems": [*c.problems[-10:], *b.problems[-10:]],
        }

    async def reconcile_now(self) -> None:
        """Tail queue_log and reconcile watched calls now (e.g. before reporting KPIs)."""
        async with self._resync_lock:
            await self._tail_and_reconcile()


def _field(line: str, index: int) -> str:
    parts = line.split("|", index + 1)
    return parts[index] if len(parts) > index else ""
