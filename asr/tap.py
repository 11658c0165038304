"""Tapping each answered leg for ASR, the AMI-only way (trace 09).

On ``AgentConnect`` we originate, per leg, a Local channel whose ``;2`` half runs
``ChanSpy(<leg channel>,qESo)`` and whose ``;1`` half runs ``AudioSocket(<uuid>,host:port)``.
Caller and agent are tapped separately (option ``o``: only the audio *coming from* the spied
channel — without it, as in trace 09's ``qES``, one stream carries both voices), so each stream
has one speaker. The UUID is registered in the :class:`asr.legs.LegDirectory` before the action is
returned, so the AudioSocket server knows the stream when Asterisk connects.

The actions are plain dicts (``panoramisk`` sends a list value as repeated headers); this
package does not import telephony — the wiring in ``hotline/`` passes AMI events in and sends the
actions out. Dialplan needed (see docs/asr.md)::

    [asr-tap]
    exten => tap,1,Answer()
     same => n,ChanSpy(${SPY_TARGET},${SPY_OPTIONS})
     same => n,Hangup()
    exten => audiosocket,1,Answer()
     same => n,AudioSocket(${ASR_UUID},${ASR_SERVICE})
     same => n,Hangup()

Fail-open: the tap is its own channel; the caller's channel never waits for it. If the ASR
worker is unreachable or dies, AudioSocket() returns, the tap channel hangs up, and the
:class:`TapCoordinator` sees that hangup before the tapped leg's and records a gap segment.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from asr.legs import Leg, LegDirectory
from asr.session import SegmentSink
from core.ports import Clock, TranscriptSegment

log = logging.getLogger(__name__)

AmiAction = dict[str, str | list[str]]
ACTION_PREFIX = "asr-tap-"


@dataclass(frozen=True, slots=True)
class TapConfig:
    audiosocket_host: str = "127.0.0.1"
    audiosocket_port: int = 9092
    context: str = "asr-tap"
    spy_exten: str = "tap"
    socket_exten: str = "audiosocket"
    spy_options: str = "qESo"  # quiet, exit with the spied channel, stop when none, one direction
    gap_grace_s: float = 2.0  # tap ending this close to the leg's end is a normal hangup

    @property
    def service(self) -> str:
        return f"{self.audiosocket_host}:{self.audiosocket_port}"


@dataclass(frozen=True, slots=True)
class TapPlan:
    stream_id: str
    leg: Leg
    target_uniqueid: str
    action: AmiAction

    @property
    def action_id(self) -> str:
        return str(self.action["ActionID"])

    @property
    def tap_uniqueid(self) -> str:
        return str(self.action["ChannelId"])


def originate_tap_action(target_channel: str, stream_id: str, config: TapConfig) -> AmiAction:
    """The ``Originate`` for one tapped leg (shape of trace 09's action, plus ids to track it)."""
    return {
        "Action": "Originate",
        "ActionID": f"{ACTION_PREFIX}{stream_id}",
        "Channel": f"Local/{config.spy_exten}@{config.context}/n",
        "Context": config.context,
        "Exten": config.socket_exten,
        "Priority": "1",
        "Async": "true",
        # Uniqueids of the ;1 (AudioSocket) and ;2 (ChanSpy) halves, so Hangup events name the tap.
        "ChannelId": f"asr-{stream_id}",
        "OtherChannelId": f"asr-{stream_id}-spy",
        "Variable": [
            f"SPY_TARGET={target_channel}",
            f"SPY_OPTIONS={config.spy_options}",
            f"ASR_UUID={stream_id}",
            f"ASR_SERVICE={config.service}",
        ],
    }


def plan_taps(
    event: Mapping[str, str],
    config: TapConfig,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> list[TapPlan]:
    """Two plans (caller, agent) for an ``AgentConnect`` event; the call id is its Linkedid."""
    if event.get("Event") != "AgentConnect":
        raise ValueError(f"expected an AgentConnect event, got {event.get('Event')!r}")
    call_id = event.get("Linkedid") or event["Uniqueid"]
    legs = [("caller", event["Channel"], event["Uniqueid"])]
    if event.get("DestChannel"):
        legs.append(("agent", event["DestChannel"], event.get("DestUniqueid", "")))
    plans = []
    for speaker, channel, uniqueid in legs:
        stream_id = new_id()
        plans.append(
            TapPlan(
                stream_id=stream_id,
                leg=Leg(call_id, speaker, channel),
                target_uniqueid=uniqueid,
                action=originate_tap_action(channel, stream_id, config),
            )
        )
    return plans


@dataclass(slots=True)
class _TapState:
    plan: TapPlan
    started_at: datetime
    tap_ids: set[str] = field(default_factory=set)
    tap_ended_at: datetime | None = None
    why: str = ""


class TapCoordinator:
    """Owns the taps of live calls: plans them, and turns a tap lost mid-call into a gap."""

    def __init__(
        self,
        legs: LegDirectory,
        sink: SegmentSink,
        clock: Clock,
        config: TapConfig | None = None,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.legs = legs
        self.sink = sink
        self.clock = clock
        self.config = config or TapConfig()
        self._new_id = new_id
        self._taps: dict[str, _TapState] = {}  # stream id → state

    @property
    def active(self) -> int:
        return len(self._taps)

    async def on_agent_connect(
        self, event: Mapping[str, str], at: datetime | None = None
    ) -> list[AmiAction]:
        """Register both legs and return the Originate actions for the bridge to send."""
        plans = plan_taps(event, self.config, self._new_id)
        for plan in plans:
            await self.legs.register(plan.stream_id, plan.leg)
            self._taps[plan.stream_id] = _TapState(
                plan, at or self.clock.now(), {plan.tap_uniqueid, f"{plan.tap_uniqueid}-spy"}
            )
        return [plan.action for plan in plans]

    async def on_event(
        self, event: Mapping[str, str], at: datetime | None = None
    ) -> list[TranscriptSegment]:
        """Feed every AMI event (cheap for unrelated ones); returns gap segments recorded."""
        name = event.get("Event", "")
        when = at or self.clock.now()
        if name == "OriginateResponse" and event.get("ActionID", "").startswith(ACTION_PREFIX):
            state = self._taps.get(event["ActionID"][len(ACTION_PREFIX) :])
            if state is not None:
                if event.get("Response") == "Success":
                    state.tap_ids.add(event.get("Uniqueid", ""))
                else:
                    state.tap_ended_at = state.started_at
                    state.why = f"tap originate failed (Reason {event.get('Reason', '?')})"
            return []
        if name != "Hangup":
            return []
        uniqueid = event.get("Uniqueid", "")
        recorded: list[TranscriptSegment] = []
        for stream_id, state in list(self._taps.items()):
            if uniqueid in state.tap_ids and state.tap_ended_at is None:
                state.tap_ended_at = when
                state.why = "tap channel hung up before the leg"
            elif uniqueid == state.plan.target_uniqueid:
                del self._taps[stream_id]
                await self.legs.forget(stream_id)
                gap = await self._gap_if_lost(state, when)
                if gap is not None:
                    recorded.append(gap)
        return recorded

    async def _gap_if_lost(
        self, state: _TapState, leg_ended_at: datetime
    ) -> TranscriptSegment | None:
        lost_at = state.tap_ended_at
        if lost_at is None:
            return None
        if (leg_ended_at - lost_at).total_seconds() <= self.config.gap_grace_s:
            return None
        start_ms = max(0, round((lost_at - state.started_at).total_seconds() * 1000))
        end_ms = round((leg_ended_at - state.started_at).total_seconds() * 1000)
        log.warning(
            "call %s %s: ASR tap lost (%s); gap %d–%d ms",
            state.plan.leg.call_id,
            state.plan.leg.speaker,
            state.why,
            start_ms,
            end_ms,
        )
        segment = TranscriptSegment(
            call_id=state.plan.leg.call_id,
            speaker=state.plan.leg.speaker,
            start_ms=start_ms,
            end_ms=end_ms,
            text="",
            final=True,
            confidence=0.0,
            gap=True,
        )
        return await self.sink.emit(
            segment, {"stream_id": state.plan.stream_id, "reason": state.why}
        )
