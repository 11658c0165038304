"""Call stories for the web tests: real ``core.calls`` events, stored and reduced to live state
exactly as the AMI bridge does (``to_stored`` → CallEventStore, ``LiveReducer`` → LiveState)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.calls import (
    AgentLoggedIn,
    AgentPaused,
    AgentRinging,
    CallAbandoned,
    CallAnswered,
    CallCompleted,
    CallEnded,
    CallOffered,
    CallQueued,
    DataGap,
    HangupParty,
    to_stored,
)
from core.clock import SHANGHAI
from core.events import DomainEvent
from core.live import LiveReducer
from core.ports import CallEventStore, LiveState, TranscriptSegment, TranscriptStore

QUEUE = "hotline"
DAY = datetime(2026, 11, 16, tzinfo=SHANGHAI)


def offered(lid: str, at: datetime, number: str) -> list[DomainEvent]:
    return [
        CallOffered(
            occurred_at=at,
            linkedid=lid,
            uniqueid=lid,
            channel=f"PJSIP/pstn-{lid}",
            caller_number=number,
            caller_name="",
            dialed="12345",
        ),
        CallQueued(occurred_at=at, linkedid=lid, queue=QUEUE, uniqueid=lid, position=1, count=1),
    ]


def ringing(lid: str, at: datetime, agent: str) -> DomainEvent:
    return AgentRinging(
        occurred_at=at,
        linkedid=lid,
        queue=QUEUE,
        interface=agent,
        member_name=agent.rsplit("/", 1)[-1],
        agent_uniqueid=f"{lid}.1",
        agent_channel=f"{agent}-1",
    )


def answered_call(
    lid: str, at: datetime, number: str, wait: int, talk: int, agent: str = "PJSIP/agent8001"
) -> list[DomainEvent]:
    picked = at + timedelta(seconds=wait)
    name = agent.rsplit("/", 1)[-1]
    return [
        *offered(lid, at, number),
        ringing(lid, picked - timedelta(seconds=1), agent),
        CallAnswered(
            occurred_at=picked,
            linkedid=lid,
            queue=QUEUE,
            interface=agent,
            member_name=name,
            agent_uniqueid=f"{lid}.1",
            wait_s=wait,
            ring_s=1,
        ),
        CallCompleted(
            occurred_at=picked + timedelta(seconds=talk),
            linkedid=lid,
            queue=QUEUE,
            interface=agent,
            member_name=name,
            wait_s=wait,
            talk_s=talk,
            hung_up_by=HangupParty.CALLER,
        ),
        CallEnded(
            occurred_at=picked + timedelta(seconds=talk),
            linkedid=lid,
            uniqueid=lid,
            cause=16,
            cause_text="Normal Clearing",
        ),
    ]


def abandoned_call(lid: str, at: datetime, number: str, wait: int) -> list[DomainEvent]:
    left = at + timedelta(seconds=wait)
    return [
        *offered(lid, at, number),
        CallAbandoned(
            occurred_at=left,
            linkedid=lid,
            queue=QUEUE,
            position=1,
            original_position=1,
            wait_s=wait,
        ),
        CallEnded(occurred_at=left, linkedid=lid, uniqueid=lid, cause=16, cause_text="Normal"),
    ]


def gap(start: datetime, minutes: int, reconciled: int = 2) -> DataGap:
    return DataGap(
        occurred_at=start + timedelta(minutes=minutes),
        start=start,
        end=start + timedelta(minutes=minutes),
        calls_reconciled=reconciled,
        reason="AMI 连接中断",
    )


def morning() -> list[DomainEvent]:
    """10:00–10:30 (Asia/Shanghai) on DAY: 3 of 4 answered (2 within 15 s), 1 abandoned after
    30 s; a 2-minute data gap at 10:30. answer_rate 3/4, service_level 2/4, abandon_rate 1/4,
    ASA mean (10 + 20 + 5) / 3 s, longest wait 30 s."""
    ten = DAY.replace(hour=10)
    events = [
        *answered_call("1001.1", ten, "13800000001", wait=10, talk=100),
        *answered_call("1002.1", ten + timedelta(minutes=2), "13800000002", wait=20, talk=60),
        *abandoned_call("1003.1", ten + timedelta(minutes=5), "13800000003", wait=30),
        *answered_call(
            "1004.1",
            ten + timedelta(minutes=20),
            "13800000004",
            wait=5,
            talk=80,
            agent="PJSIP/agent8002",
        ),
        gap(ten + timedelta(minutes=30), 2),
    ]
    return sorted(events, key=lambda e: e.occurred_at)


def logins(at: datetime) -> list[DomainEvent]:
    return [
        AgentLoggedIn(occurred_at=at, queue=QUEUE, interface="PJSIP/agent8001", member_name="8001"),
        AgentLoggedIn(occurred_at=at, queue=QUEUE, interface="PJSIP/agent8002", member_name="8002"),
        AgentLoggedIn(occurred_at=at, queue=QUEUE, interface="PJSIP/agent8003", member_name="8003"),
        AgentPaused(
            occurred_at=at,
            queue=QUEUE,
            interface="PJSIP/agent8003",
            member_name="8003",
            reason="培训",
        ),
    ]


async def store(events: list[DomainEvent], log: CallEventStore) -> None:
    await log.append([to_stored(e) for e in events])


async def apply_live(events: list[DomainEvent], live: LiveState, reducer: LiveReducer) -> None:
    for update in reducer.apply_all(events):
        if update.doc is None:
            await live.delete(update.namespace, update.key)
        else:
            await live.put(update.namespace, update.key, update.doc)


async def transcribed_calls(log: CallEventStore, transcripts: TranscriptStore) -> None:
    """Two transcribed calls on DAY: 3001.1 (a short abandon at 10:00, 3 s, so not in the answer
    rate; agent greeting, then the caller's water cut with a spoken phone number, normalised)
    and 3002.1 (路灯不亮, no call events)."""
    await store(abandoned_call("3001.1", DAY.replace(hour=10), "13700001111", 3), log)
    for seg in (
        TranscriptSegment("3001.1", "agent", 0, 1500, "您好十二三四五热线请讲", True, 0.92),
        TranscriptSegment(
            "3001.1",
            "caller",
            1600,
            5200,
            "我家小区停水三天了电话幺三八零零一三八零零零",
            True,
            0.81,
            text_normalised="我家小区停水三天了电话13800138000",
        ),
        TranscriptSegment("3002.1", "caller", 0, 900, "路灯不亮", True, 0.7),
    ):
        await transcripts.add(seg)
