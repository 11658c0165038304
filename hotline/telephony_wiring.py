"""AMI bridge wiring: client + bridge → SqlCallEventStore, bus, live state; call records;
ASR taps fed by the bridge's raw AMI messages; IVR intake subscribers (voicemail → draft,
online diversion → SMS). Used by the demo (against the PBX simulator) and the ``ami-bridge``
role (against a real Asterisk)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from asr.tap import TapCoordinator
from core.call_records import CallRecordReducer
from core.calls import (
    CallDiverted,
    CallEnded,
    CallOffered,
    DiversionTarget,
    VoicemailLeft,
)
from core.events import DomainEvent
from core.handle_time import AhtWindow
from core.ports import Clock, VoicemailReceived
from core.use_cases.voicemail_intake import IntakeVoicemail
from hotline.bootstrap import Container
from ivr_flows.flow import Flow
from ivr_flows.online import send_online_link
from ivr_flows.voicemail import callable_number, recording_file
from storage.call_record_store import SqlCallRecordStore
from telephony.ami_client import AmiClient, AmiConfig
from telephony.ami_codec import AmiMessage
from telephony.bridge import Bridge
from telephony.commands import AgentCommands
from telephony.live_sync import LiveSync
from telephony.queue_log_tail import QueueLogTail
from telephony.translate import Translator

log = logging.getLogger(__name__)


@dataclass(slots=True)
class CallRecorder:
    """Folds the bridge's accepted events into one record per call; dirty records are
    upserted every ``interval_s`` and when the call ends."""

    store: SqlCallRecordStore
    short_abandon_s: int = 5
    reducer: CallRecordReducer = field(init=False)
    dirty: set[str] = field(default_factory=set)
    saved: int = 0
    failures: int = 0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.reducer = CallRecordReducer(short_abandon_s=self.short_abandon_s)

    async def on_event(self, event: DomainEvent) -> None:
        """Called by the bridge's consumer: must never raise (it would stop the bridge)."""
        try:
            record = self.reducer.apply(event)
            if record is not None:
                self.dirty.add(record.linkedid)
            if isinstance(event, CallEnded):
                await self.flush()
        except Exception:
            self.failures += 1
            log.exception("call record of %s not updated", getattr(event, "linkedid", "?"))

    async def flush(self) -> None:
        # one writer at a time: the periodic flush and a call-end flush must not both
        # insert the same new record
        async with self._lock:
            if not self.dirty:
                return
            ids, self.dirty = self.dirty, set()
            records = [self.reducer.records[i] for i in ids if i in self.reducer.records]
            try:
                await self.store.save(records)
            except Exception:
                self.dirty |= ids  # retried at the next flush
                raise
            self.saved += len(records)

    async def run(self, interval_s: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.flush()
            except Exception:
                log.exception("saving call records failed; retrying")


def ami_config_from_settings(container: Container) -> AmiConfig:
    ami = container.settings.ami
    return AmiConfig(
        host=ami.host,
        port=ami.port,
        username=ami.username,
        secret=ami.secret.get_secret_value(),
        auth=ami.auth,
        login_timeout_s=ami.login_timeout_s,
        action_timeout_s=ami.action_timeout_s,
        ping_interval_s=ami.ping_interval_s,
        queue_maxsize=ami.queue_maxsize,
    )


@dataclass(slots=True)
class TelephonyLink:
    client: AmiClient
    bridge: Bridge
    commands: AgentCommands
    recorder: CallRecorder
    clock: Clock  # the bridge's: simulated time when the PBX simulator runs
    # raw AMI messages with the time the bridge consumed them (taps time their gaps by it)
    raw: asyncio.Queue[tuple[AmiMessage, datetime]] = field(
        default_factory=lambda: asyncio.Queue(10_000)
    )
    raw_dropped: int = 0

    def _on_message(self, message: AmiMessage) -> None:
        try:
            self.raw.put_nowait((message, self.clock.now()))
        except asyncio.QueueFull:
            self.raw_dropped += 1


def start_bridge(
    container: Container,
    config: AmiConfig,
    *,
    clock: Clock | None = None,
    queue_log: Path | None = None,
    tail_interval_s: float = 1.0,
) -> TelephonyLink:
    """Start client + bridge (stopped by the container) and the call-record flusher."""
    clock = clock or container.clock
    ivr = container.settings.ivr
    client = AmiClient(config, clock)
    recorder = CallRecorder(container.call_records)
    bridge = Bridge(
        client,
        Translator(),
        bus=container.bus,
        store=container.call_events,
        live=LiveSync(
            container.live,
            aht_window=AhtWindow(ivr.aht_window_calls, ivr.aht_window_s),
        ),
        clock=clock,
        queue_log=QueueLogTail(queue_log) if queue_log is not None else None,
        queue=container.settings.ami.queue,
        resync_interval_s=container.settings.ami.resync_interval_s,
        tail_interval_s=tail_interval_s,
    )
    link = TelephonyLink(
        client, bridge, AgentCommands(client, queue=container.settings.ami.queue), recorder, clock
    )
    fanout = EventFanout()
    fanout.handlers.append(recorder.on_event)
    intake = container.extras.get("intake")
    if isinstance(intake, IntakeSubscriber):  # started before the bridge: sees every call
        fanout.handlers.append(intake.offer)
    bridge.on_event = fanout
    bridge.on_message = link._on_message
    bridge.start()
    container.on_stop(bridge.stop)
    container.on_stop(recorder.flush)
    container.spawn(recorder.run(), name="call-records")
    container.extras["telephony"] = link
    container.extras["bridge_events"] = fanout
    return link


def _first_values(message: AmiMessage) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in message.headers:
        out.setdefault(key, value)
    return out


async def feed_taps(link: TelephonyLink, taps: TapCoordinator) -> None:
    """Every raw AMI message to the tap coordinator; on ``AgentConnect`` send its Originate
    actions through the telephony client (failures become gaps, the call is never touched).
    Events are timed with the bridge's clock, as they were consumed: a tap lost 3 s before
    its leg ended is a gap of 3 s of *call* time, also in the simulator's compressed time."""
    while True:
        message, at = await link.raw.get()
        event = _first_values(message)
        try:
            await taps.on_event(event, at)
            if event.get("Event") == "AgentConnect":
                for action in await taps.on_agent_connect(event, at):
                    try:
                        reply = await link.commands.originate_prepared(action)
                    except Exception as exc:  # the tap fails, the call is never touched
                        log.warning("ASR tap Originate failed: %s", exc)
                        reply = None
                    if reply is not None:
                        await taps.on_event(_first_values(reply), at)
        except Exception:
            log.exception("tap coordinator failed on %s", event.get("Event"))


@dataclass(slots=True)
class IntakeSubscriber:
    """The bridge's accepted events → ``VoicemailLeft`` to :class:`IntakeVoicemail`;
    ``CallDiverted`` to online → the flow's SMS link through the SMS gateway (outbox).

    Fed by the bridge in-process (``offer``), not through the lossy bus: a voicemail must
    never be dropped with a slow consumer. The bounded queue backpressures the bridge."""

    container: Container
    intake: IntakeVoicemail
    flow: Flow
    drafts: int = 0
    sms_sent: int = 0
    failures: int = 0
    queue: asyncio.Queue[tuple[VoicemailLeft | CallDiverted, str]] = field(
        default_factory=lambda: asyncio.Queue(10_000)
    )
    _callers: dict[str, str] = field(default_factory=dict)

    async def offer(self, event: DomainEvent) -> None:
        """Called by the bridge's consumer; only bookkeeping and a queue put (cannot fail)."""
        if isinstance(event, CallOffered):
            self._callers[event.linkedid] = event.caller_number
        elif isinstance(event, VoicemailLeft | CallDiverted):
            # the caller's number is taken now: the call may end before the task runs
            await self.queue.put((event, self._callers.get(event.linkedid, "")))
        elif isinstance(event, CallEnded):
            self._callers.pop(event.linkedid, None)

    async def run(self) -> None:
        while True:
            event, caller = await self.queue.get()
            try:
                if isinstance(event, VoicemailLeft):
                    await self._voicemail(event)
                elif isinstance(event, CallDiverted) and event.target is DiversionTarget.ONLINE:
                    await self._online(event.linkedid, caller)
            except Exception:  # one bad call must not stop intake
                self.failures += 1
                log.exception("intake failed for call %s (%s)", event.linkedid, event.name)
            finally:
                self.queue.task_done()

    async def _voicemail(self, event: VoicemailLeft) -> None:
        await self.intake.receive(
            VoicemailReceived(
                call_id=event.linkedid,
                caller_number=event.caller_number,
                recording_path=recording_file(event.message_file),
                received_at=event.occurred_at,
            )
        )
        self.drafts += 1

    async def _online(self, linkedid: str, caller: str) -> None:
        if not callable_number(caller):
            log.info("online diversion of %s: no SMS (number %r)", linkedid, caller)
            return
        await send_online_link(self.container.sms, self.flow.sms, caller, linkedid)
        self.sms_sent += 1


class EventFanout:
    """The bridge has one ``on_event`` hook; this calls several handlers in order."""

    def __init__(self) -> None:
        self.handlers: list[Callable[[DomainEvent], Awaitable[None]]] = []

    async def __call__(self, event: DomainEvent) -> None:
        for handler in self.handlers:
            try:
                await handler(event)
            except Exception:  # a failing handler must not stop the bridge's consumer
                log.exception("bridge event handler %r failed", handler)
