"""AMI list answers → AMI-independent snapshots for the live-state reducer.

Pass the list items of ONE action (all messages carrying its ActionID, up to and including the
``…Complete`` event): ``QueueStatus`` → :func:`queue_status_snapshots` (one snapshot per
queue, including queues with no members/callers), ``CoreShowChannels`` →
:func:`channels_snapshot`. A ``QueueStatus`` filtered by ``Member`` is partial: pass
``member_filter`` so the snapshot is marked partial (otherwise the reducer would log every
other member out).
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


def queue_status_snapshots(
    messages: Iterable[AmiLike], at: datetime, *, member_filter: str | None = None
) -> list[QueueStatusSnapshot]:
    """``member_filter``: the ``Member`` the QueueStatus action was filtered by (→ partial)."""
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
            partial=member_filter is not None,
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


class ListCollector:
    """Gathers the items of AMI list answers (``EventList: start`` … ``EventList: Complete``).

    ``feed`` every received message; it returns ``(action_id, items)`` when a list completes.
    Items are recognised by ActionID only, so unrelated events interleaved in a list (not seen
    in the traces, not excluded by Asterisk either) are left out.
    """

    def __init__(self) -> None:
        self._open: dict[str, list[AmiLike]] = {}

    def feed(self, msg: AmiLike) -> tuple[str, list[AmiLike]] | None:
        action_id = msg.get("ActionID")
        if not action_id:
            return None
        if msg.get("Response") is not None:
            if msg.get("EventList") == "start":
                self._open[action_id] = []
            return None
        items = self._open.get(action_id)
        if items is None:
            return None
        if msg.get("EventList") == "Complete":
            del self._open[action_id]
            return action_id, items
        items.append(msg)
        return None
