"""AMI-independent snapshots of queue and channel state (answers to QueueStatus and
CoreShowChannels), fed to the live-state reducer after every (re)connect and periodically.

``telephony.snapshots`` builds them from AMI list events; the simulator can build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class QueueMemberSnapshot:
    queue: str
    interface: str
    member_name: str
    membership: str = "static"  # static | dynamic | realtime
    status: int = 0  # device state number (1 not in use, 3 busy here, 5 unavailable …)
    in_call: bool = False
    paused: bool = False
    paused_reason: str = ""
    last_pause: int = 0  # epoch seconds (0 = never)
    last_call: int = 0
    calls_taken: int = 0
    login_time: int = 0
    wrapup_s: int = 0


@dataclass(frozen=True, slots=True)
class QueueEntrySnapshot:
    queue: str
    position: int
    uniqueid: str
    channel: str
    caller_number: str
    wait_s: int


@dataclass(frozen=True, slots=True)
class QueueStatusSnapshot:
    """One queue's state at ``at`` (QueueParams + QueueMember* + QueueEntry*).

    ``partial``: the answer to a QueueStatus filtered by ``Member`` — it updates the members it
    lists and says nothing about the others or about waiting callers.
    """

    at: datetime
    queue: str
    members: tuple[QueueMemberSnapshot, ...] = ()
    entries: tuple[QueueEntrySnapshot, ...] = ()
    params: dict[str, str] = field(default_factory=dict)
    partial: bool = False


@dataclass(frozen=True, slots=True)
class ChannelSnapshot:
    uniqueid: str
    linkedid: str
    channel: str
    context: str
    exten: str
    state: str
    caller_number: str
    application: str
    duration_s: int


@dataclass(frozen=True, slots=True)
class ChannelsSnapshot:
    """Every channel Asterisk had at ``at`` (CoreShowChannels)."""

    at: datetime
    channels: tuple[ChannelSnapshot, ...] = ()
