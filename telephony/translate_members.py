"""Queue-member AMI events → agent domain events (stateless, one message → one event).

``QueueMemberPause`` and ``QueueMemberAdded`` are asynchronous results of actions: they carry no
ActionID and may arrive after the next action's response (see the 05 trace), so they are
translated like unsolicited events and never matched to the action that caused them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from core.calls import (
    AgentDeviceStateChanged,
    AgentEvent,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentUnpaused,
)
from telephony.ami_codec import AmiMessage

AmiLike = AmiMessage | Mapping[str, str]


def _member(msg: AmiLike) -> tuple[str, str, str]:
    return (
        msg.get("Queue") or "",
        msg.get("Interface") or msg.get("Location") or "",
        msg.get("MemberName") or msg.get("Name") or "",
    )


def member_added(msg: AmiLike, at: datetime) -> AgentEvent:
    queue, interface, name = _member(msg)
    return AgentLoggedIn(
        occurred_at=at,
        queue=queue,
        interface=interface,
        member_name=name,
        paused=msg.get("Paused") == "1",
        dynamic=msg.get("Membership") != "static",
    )


def member_removed(msg: AmiLike, at: datetime) -> AgentEvent:
    queue, interface, name = _member(msg)
    return AgentLoggedOut(occurred_at=at, queue=queue, interface=interface, member_name=name)


def member_pause(msg: AmiLike, at: datetime) -> AgentEvent:
    queue, interface, name = _member(msg)
    if msg.get("Paused") == "1":
        reason = msg.get("PausedReason") or msg.get("Reason") or ""
        return AgentPaused(
            occurred_at=at, queue=queue, interface=interface, member_name=name, reason=reason
        )
    return AgentUnpaused(occurred_at=at, queue=queue, interface=interface, member_name=name)


def member_status(msg: AmiLike, at: datetime) -> AgentEvent:
    queue, interface, name = _member(msg)
    status = msg.get("Status") or "0"
    return AgentDeviceStateChanged(
        occurred_at=at,
        queue=queue,
        interface=interface,
        member_name=name,
        status=int(status) if status.isdigit() else 0,
        in_call=msg.get("InCall") == "1",
        paused=msg.get("Paused") == "1",
        paused_reason=msg.get("PausedReason") or "",
    )


MEMBER_HANDLERS: Mapping[str, Callable[[AmiLike, datetime], AgentEvent]] = {
    "QueueMemberAdded": member_added,
    "QueueMemberRemoved": member_removed,
    "QueueMemberPause": member_pause,
    "QueueMemberStatus": member_status,
}
