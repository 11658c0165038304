"""Readable one-line renderings of domain events, for exact sequence assertions in tests."""

from __future__ import annotations

from functools import cache
from pathlib import PurePosixPath

from core.calls import (
    AgentDeviceStateChanged,
    AgentEvent,
    AgentLoggedIn,
    AgentPaused,
    AgentRingCanceled,
    AgentRinging,
    AgentRingNoAnswer,
    CallAbandoned,
    CallAnswered,
    CallCompleted,
    CallDiversionOffered,
    CallDiverted,
    CallEnded,
    CallExitedQueue,
    CallOffered,
    CallQueued,
    CallTransferred,
    IvrEntered,
    IvrLeft,
    VoicemailLeft,
)
from core.events import DomainEvent
from telephony.trace_replay import Trace, load_trace, translate_trace
from tests.conftest import AMI_TRACES, shared_path


def describe(e: DomainEvent) -> str:
    who = getattr(e, "linkedid", "")
    if isinstance(e, CallOffered):
        return f"{who} CallOffered {e.caller_number} -> {e.dialed}"
    if isinstance(e, IvrEntered):
        return f"{who} IvrEntered {e.menu}"
    if isinstance(e, IvrLeft):
        return f"{who} IvrLeft {e.menu} choice={e.choice} -> {e.destination}"
    if isinstance(e, CallDiversionOffered):
        return f"{who} CallDiversionOffered {e.reason}"
    if isinstance(e, CallQueued):
        return f"{who} CallQueued {e.queue} pos={e.position} count={e.count}"
    if isinstance(e, AgentRinging):
        return f"{who} AgentRinging {e.member_name} leg={e.agent_uniqueid}"
    if isinstance(e, AgentRingNoAnswer):
        return f"{who} AgentRingNoAnswer {e.member_name} {e.ring_ms}ms"
    if isinstance(e, AgentRingCanceled):
        return f"{who} AgentRingCanceled {e.member_name} {e.ring_ms}ms"
    if isinstance(e, CallAnswered):
        return f"{who} CallAnswered {e.member_name} wait={e.wait_s} ring={e.ring_s}s"
    if isinstance(e, CallCompleted):
        return (
            f"{who} CallCompleted {e.member_name} wait={e.wait_s} talk={e.talk_s} "
            f"by={e.hung_up_by.value}"
        )
    if isinstance(e, CallAbandoned):
        return f"{who} CallAbandoned pos={e.position} orig={e.original_position} wait={e.wait_s}"
    if isinstance(e, CallExitedQueue):
        key = f" key={e.key}" if e.key else ""
        return (
            f"{who} CallExitedQueue {e.reason.value} pos={e.position} "
            f"orig={e.original_position} wait={e.wait_s}{key}"
        )
    if isinstance(e, CallDiverted):
        return f"{who} CallDiverted {e.target.value} via={e.via}"
    if isinstance(e, VoicemailLeft):
        return f"{who} VoicemailLeft {e.mailbox} {PurePosixPath(e.message_file).name}"
    if isinstance(e, CallTransferred):
        return f"{who} CallTransferred {e.kind} {e.target}"
    if isinstance(e, CallEnded):
        return f"{who} CallEnded cause={e.cause}"
    if isinstance(e, AgentDeviceStateChanged):
        return f"{e.member_name} DeviceState status={e.status} in_call={int(e.in_call)}"
    if isinstance(e, AgentPaused):
        return f"{e.member_name} Paused {e.queue} reason={e.reason!r}"
    if isinstance(e, AgentLoggedIn):
        return f"{e.member_name} LoggedIn {e.queue} paused={int(e.paused)}"
    if isinstance(e, AgentEvent):
        return f"{e.member_name} {e.name.removeprefix('Agent')} {e.queue}"
    return e.name


@cache
def trace(name: str) -> Trace:
    shared_path("ami-traces", f"{name}.rx.raw")
    return load_trace(AMI_TRACES, name)


@cache
def trace_events(name: str) -> tuple[DomainEvent, ...]:
    events, _ = translate_trace(trace(name))
    return tuple(events)
