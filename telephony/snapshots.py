"""AMI list answers → AMI-independent snapshots for the live-state reducer.

Pass the list items of ONE action (all messages carrying its ActionID, up to and including the
``…Complete`` event): ``QueueStatus`` → :func:`queue_status_snapshots` (one snapshot per
queue, including queues with no members/callers), ``CoreShowChannels`` →
:func:`channels_snapshot`. A ``QueueStatus`` filtered by ``Member`` is partial: do not feed it
to ``LiveReducer.apply_queue_status`` (it would log the other members out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from core.live_snapshots import (
    ChannelSnapshot,
    ChannelsSnapshot,
    QueueEntrySnapshot,
    QueueMemberSnapshot,
    QueueStatusSnapshot,
)
from telephony.ami_codec import AmiMessage

AmiLike = AmiMessage | Mapping[str, str]


def _int(value: str | None) -> int:
    return int(value) if value and value.lstrip("-").isdigit() else 0


def _hms(value: str | None) -> int:
    """``00:01:05`` (CoreShowChannel Duration) → seconds."""
    if not value:
        return 0
    total = 0
    for part in value.split(":"):
        total = total * 60 + _int(part)
    return total


def member_snapshot(msg: AmiLike) -> QueueMemberSnapshot:
    return QueueMemberSnapshot(
        queue=msg.get("Queue") or "",
        interface=msg.get("Location") or msg.get("Interface") or "",
        member_name=msg.get("Name") or msg.get("MemberName") or "",
        membership=msg.get("Membership") or "static",
        status=_int(msg.get("Status")),
        in_call=msg.get("InCall") == "1",
        paused=msg.get("Paused") == "1",
        paused_reason=msg.get("PausedReason") or "",
        last_pause=_int(msg.get("LastPause")),
        last_call=_int(msg.get("LastCall")),
        calls_taken=_int(msg.get("CallsTaken")),
        login_time=_int(msg.get("LoginTime")),
        wrapup_s=_int(msg.get("Wrapuptime")),
    )


def entry_snapshot(msg: AmiLike) -> QueueEntrySnapshot:
    return QueueEntrySnapshot(
        queue=msg.get("Queue") or "",
        position=_int(msg.get("Position")),
        uniqueid=msg.get("Uniqueid") or "",
        channel=msg.get("Channel") or "",
        caller_number=msg.get("CallerIDNum") or "",
        wait_s=_int(msg.get("Wait")),
    )


def queue_status_snapshots(messages: Iterable[AmiLike], at: datetime) -> list[QueueStatusSnapshot]:
    params: dict[str, dict[str, str]] = {}
    members: dict[str, list[QueueMemberSnapshot]] = {}
    entries: dict[str, list[QueueEntrySnapshot]] = {}
    order: list[str] = []
    for msg in messages:
        event = msg.get("Event")
        queue = msg.get("Queue") or ""
        if event in ("QueueParams", "QueueMember", "QueueEntry") and queue not in params:
            params[queue] = {}
            order.append(queue)
        if event == "QueueParams":
            items = msg.headers if isinstance(msg, AmiMessage) else msg.items()
            params[queue] = {k: v for k, v in items if k not in ("Event", "ActionID")}
        elif event == "QueueMember":
            members.setdefault(queue, []).append(member_snapshot(msg))
        elif event == "QueueEntry":
            entries.setdefault(queue, []).append(entry_snapshot(msg))
    return [
        QueueStatusSnapshot(
            at=at,
            queue=q,
            members=tuple(members.get(q, ())),
            entries=tuple(entries.get(q, ())),
            params=params[q],
        )
        for q in order
    ]


def channels_snapshot(messages: Iterable[AmiLike], at: datetime) -> ChannelsSnapshot:
    channels = tuple(
        ChannelSnapshot(
            uniqueid=msg.get("Uniqueid") or "",
            linkedid=msg.get("Linkedid") or msg.get("Uniqueid") or "",
            channel=msg.get("Channel") or "",
            context=msg.get("Context") or "",
            exten=msg.get("Exten") or "",
            state=msg.get("ChannelStateDesc") or "",
            caller_number=msg.get("CallerIDNum") or "",
            application=msg.get("Application") or "",
            duration_s=_hms(msg.get("Duration")),
        )
        for msg in messages
        if msg.get("Event") == "CoreShowChannel"
    )
    return ChannelsSnapshot(at=at, channels=channels)
