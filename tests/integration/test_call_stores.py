"""SQL adapters of the call-area ports on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import SHANGHAI, ManualClock
from core.errors import ConflictError, ExternalServiceError
from core.ports import OutgoingSms, StoredCallEvent, TranscriptSegment, VoicemailReceived
from storage.call_event_store import SqlCallEventStore
from storage.db import create_engine, session_factory
from storage.sms_outbox import OutboxSmsGateway
from storage.transcript_store import SqlTranscriptStore
from storage.voicemail_store import SqlVoicemailStore

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")  # sync name is mapped
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 1  # NORMAL
    finally:
        await engine.dispose()


async def test_call_events_append_and_query(engine: AsyncEngine) -> None:
    store = SqlCallEventStore(session_factory(engine))
    shanghai_time = datetime(2026, 11, 20, 17, 0, 30, tzinfo=SHANGHAI)  # = 09:00:30 UTC
    await store.append(
        [
            StoredCallEvent("1700.1", "CallQueued", T0, {"queue": "12345", "中文": "是"}),
            StoredCallEvent("1700.1", "CallAnswered", shanghai_time, {"agent": "1001"}),
            StoredCallEvent("1700.2", "CallQueued", T0 + timedelta(hours=1), {}),
        ]
    )
    await store.append([])
    call = await store.for_call("1700.1")
    assert [e.name for e in call] == ["CallQueued", "CallAnswered"]
    assert call[0].payload == {"queue": "12345", "中文": "是"}
    assert call[1].occurred_at == datetime(2026, 11, 20, 9, 0, 30, tzinfo=UTC)
    assert call[1].occurred_at.tzinfo is not None
    assert all(e.id is not None for e in call)
    window = await store.between(T0, T0 + timedelta(hours=1))  # end exclusive
    assert [(e.linkedid, e.name) for e in window] == [
        ("1700.1", "CallQueued"),
        ("1700.1", "CallAnswered"),
    ]
    assert await store.for_call("nope") == []


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    store = SqlCallEventStore(session_factory(engine))
    with pytest.raises(Exception, match="naive datetime"):
        await store.append([StoredCallEvent("x", "CallQueued", datetime(2026, 1, 1), {})])
    assert await store.for_call("x") == []


def seg(
    start: int, text: str, *, final: bool = True, speaker: str = "caller", call: str = "c1"
) -> TranscriptSegment:
    return TranscriptSegment(call, speaker, start, start + 900, text, final, 0.9)


async def test_transcripts_final_replaces_partial_and_late_partial_is_ignored(
    engine: AsyncEngine,
) -> None:
    store = SqlTranscriptStore(session_factory(engine))
    await store.add(seg(0, "我家小区", final=False))
    await store.add(seg(0, "我家小区停水", final=False))
    await store.add(seg(0, "我家小区停水了三天", final=True))
    await store.add(seg(0, "我家小区停", final=False))  # late partial
    await store.add(seg(0, "您好请讲", speaker="agent"))
    await store.add(seg(1000, "地址是雁塔区电子城街道"))
    got = await store.for_call("c1")
    assert [(s.speaker, s.start_ms, s.text, s.final) for s in got] == [
        ("agent", 0, "您好请讲", True),
        ("caller", 0, "我家小区停水了三天", True),
        ("caller", 1000, "地址是雁塔区电子城街道", True),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("停水", ["我家小区停水了三天"]),
        ("13812345678", ["电话幺三八一二三四五六七八"]),
        ("100%", ["满意度100%"]),
        ("_", []),
        ("  ", []),
        ("partial", []),
    ],
)
async def test_transcript_search_like(engine: AsyncEngine, query: str, expected: list[str]) -> None:
    store = SqlTranscriptStore(session_factory(engine))
    await store.add(seg(0, "我家小区停水了三天"))
    await store.add(
        TranscriptSegment(
            "c2", "caller", 0, 900, "电话幺三八一二三四五六七八", True, 0.8, "电话13812345678"
        )
    )
    await store.add(seg(0, "满意度100%", call="c3"))
    await store.add(seg(0, "partial text", final=False, call="c4"))
    assert [s.text for s in await store.search(query)] == expected


async def test_sms_outbox_records_and_refuses_bad_numbers(engine: AsyncEngine) -> None:
    gateway = OutboxSmsGateway(session_factory(engine), ManualClock(T0))
    message_id = await gateway.send(
        OutgoingSms("13812345678", "请通过微信小程序提交诉求：https://x", "c1")
    )
    [(got_id, message, status)] = await gateway.outbox()
    assert (got_id, message.to, message.call_id, status) == (
        message_id,
        "13812345678",
        "c1",
        "queued",
    )
    for bad in (OutgoingSms("not-a-number", "x"), OutgoingSms("13812345678", "   ")):
        with pytest.raises(ExternalServiceError) as info:
            await gateway.send(bad)
        assert info.value.code == "sms.refused"
    assert len(await gateway.outbox()) == 1


async def test_voicemail_store_links_work_order(engine: AsyncEngine) -> None:
    store = SqlVoicemailStore(session_factory(engine))
    vm = VoicemailReceived("1700.9", "13900001111", "/var/spool/vm/1700.9.wav", T0, 12.5)
    await store.add(vm)
    with pytest.raises(ConflictError):
        await store.add(vm)
    await store.link_work_order("1700.9", "abc123")
    got = await store.get("1700.9")
    assert got == (vm, "abc123", "drafted")
    assert await store.get("nope") is None


async def test_voicemails_received_between(engine: AsyncEngine) -> None:
    """What the spool re-import looks up to find a message's live import (bounds included)."""
    store = SqlVoicemailStore(session_factory(engine))
    for i, minutes in enumerate((0, 5, 11)):
        await store.add(
            VoicemailReceived(
                f"1700.{i}", "139", f"/vm/INBOX/msg000{i}.wav", T0 + timedelta(minutes=minutes)
            )
        )
    got = await store.received_between(T0 + timedelta(minutes=0), T0 + timedelta(minutes=5))
    assert [vm.call_id for vm in got] == ["1700.0", "1700.1"]
    assert got[1].received_at == T0 + timedelta(minutes=5)
    assert await store.received_between(T0 - timedelta(hours=1), T0 - timedelta(seconds=1)) == []
