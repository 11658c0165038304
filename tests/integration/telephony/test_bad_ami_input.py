"""Bad AMI input over real TCP: logged, counted, skipped or retried — the bridge keeps going."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from core.calls import CallDiverted, CallEnded, CallOffered, DiversionTarget, from_stored
from core.clock import ManualClock
from core.events import DomainEvent
from telephony.ami_client import AmiClient, AmiConfig, LinkDown, LinkUp, Overflowed
from telephony.ami_codec import AmiMessage
from telephony.bridge import Bridge, QueueSnapshot
from telephony.live_sync import LiveSync
from telephony.sim.harness import memory_bridge
from telephony.sim.memory import MemoryCallEventStore, MemoryEventBus, MemoryLiveState
from telephony.translate import Translator
from tests.conftest import shared_path
from tests.integration.telephony.tcp_fakes import (
    BANNER,
    FakeAmi,
    accept_login,
    eventually,
    ignore_actions,
    read_action,
)

CLOCK = ManualClock(datetime(2026, 11, 21, 6, 15, tzinfo=UTC))


def _trace_body(name: str) -> bytes:
    """The recorded stream after the banner and the recorded Login response."""
    raw = shared_path("ami-traces", f"{name}.rx.raw").read_bytes()
    _, _, rest = raw.partition(b"\r\n")  # banner line
    _, _, rest = rest.partition(b"\r\n\r\n")  # the Login response (its ActionID is not ours)
    return rest


def _config(port: int, login_timeout_s: float = 1.0) -> AmiConfig:
    return AmiConfig(
        port=port,
        secret="s",
        max_frame_bytes=64 * 1024,
        backoff_initial_s=0.05,
        backoff_max_s=0.2,
        login_timeout_s=login_timeout_s,
        action_timeout_s=1.0,
        ping_interval_s=60.0,
    )


@pytest.fixture
def store() -> MemoryCallEventStore:
    return MemoryCallEventStore()


async def _bridge(port: int, store: MemoryCallEventStore, login_timeout_s: float = 1.0) -> Bridge:
    client = AmiClient(_config(port, login_timeout_s), CLOCK)
    bridge = memory_bridge(client, CLOCK, store)
    bridge.start()
    return bridge


BAD = (
    b"Event: FooBarFromTheFuture\r\nPrivilege: call,all\r\nX: y\r\n\r\n"  # unknown event
    # GBK bytes (陈小明) where UTF-8 is expected
    b"Event: UserEvent\r\nPrivilege: user,all\r\nCallerIDName: \xb3\xc2\xd0\xa1\xc3\xf7\r\n\r\n"
    b"Event: VarSet\r\nPrivilege: dialplan,all\r\nValue: "
    + b"x"
    * 200_000
    + b"\r\n\r\n"  # oversized
    # a line without "Key: value" inside a message
    b"Event: Newexten\r\nthis line has no colon\r\nPrivilege: dialplan,all\r\n\r\n"
)


async def test_bad_frames_are_reported_and_the_call_after_them_is_translated(
    store: MemoryCallEventStore,
) -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_login(reader, writer)
        if server.connections == 1:
            writer.write(BAD + _trace_body("04-ivr-online-channel"))
            writer.write(b"Event: Hangup\r\nPrivilege: call,all\r\nChannel: PJSIP/pst")  # truncated
            await writer.drain()
            return  # closes the connection mid-message
        await ignore_actions(reader)

    async with FakeAmi(script) as server:
        bridge = await _bridge(server.port, store)
        try:
            await eventually(lambda: bridge.client.stats.sessions >= 2)
            await bridge.drain()
        finally:
            await bridge.stop()
    issues = bridge.client.stats.issues
    assert issues.get("invalid_utf8") == 1
    assert issues.get("oversized_line", 0) + issues.get("oversized_message", 0) == 1
    assert issues.get("malformed_line") == 1
    assert issues.get("truncated_message") == 1
    assert bridge.translator.unknown_events["FooBarFromTheFuture"] == 1
    assert bridge.stats.consumer_errors == 0
    events = [from_stored(e) for e in store.events]
    offered = [e for e in events if isinstance(e, CallOffered)]
    assert [e.linkedid for e in offered] == ["1795241890.13"]
    assert any(isinstance(e, CallDiverted) and e.target is DiversionTarget.ONLINE for e in events)
    assert any(isinstance(e, CallEnded) for e in events)
    health = bridge.health()
    assert health["wire_issues"] == issues
    assert health["unknown_events"] == {"FooBarFromTheFuture": 1}
    problems = health["recent_problems"]
    assert isinstance(problems, list)
    assert any("invalid_utf8" in p for p in problems)
    assert any("truncated_message" in p for p in problems)


async def test_asterisk_that_never_answers_login_is_retried_with_a_clear_log(
    store: MemoryCallEventStore, caplog: pytest.LogCaptureFixture
) -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        await ignore_actions(reader)  # reads the Login, never answers

    async with FakeAmi(script) as server:
        bridge = await _bridge(server.port, store, login_timeout_s=0.2)
        try:
            await eventually(lambda: bridge.client.stats.login_timeouts >= 3)
            assert not bridge.client.connected
            assert server.connections >= 3  # it reconnects and tries again
        finally:
            await bridge.stop()
    assert "did not answer Login within 0.2s; retrying" in caplog.text
    assert bridge.stats.consumer_errors == 0


async def test_wrong_secret_is_a_refusal_not_a_crash(store: MemoryCallEventStore) -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        login = await read_action(reader)
        aid = login.get("actionid", "")
        writer.write(
            f"Response: Error\r\nActionID: {aid}\r\nMessage: Authentication failed\r\n\r\n".encode()
        )
        await writer.drain()

    async with FakeAmi(script) as server:
        bridge = await _bridge(server.port, store)
        try:
            await eventually(lambda: bridge.client.stats.login_refusals >= 2)
        finally:
            await bridge.stop()
    assert (
        "login refused: Asterisk refused Login: Authentication failed"
        in bridge.client.stats.problems
    )


@pytest.fixture
async def flood_server() -> AsyncIterator[FakeAmi]:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_login(reader, writer)
        for i in range(200):
            writer.write(
                f"Event: Newexten\r\nPrivilege: dialplan,all\r\nPriority: {i}\r\n\r\n".encode()
            )
        await writer.drain()
        await ignore_actions(reader)

    async with FakeAmi(script) as server:
        yield server


async def test_full_consumer_queue_drops_are_counted_and_marked(flood_server: FakeAmi) -> None:
    client = AmiClient(_config(flood_server.port), CLOCK, queue=asyncio.Queue(20))
    client.start()
    try:
        await client.wait_connected(5)
        await eventually(lambda: client.stats.messages >= 200)
        items = [client.queue.get_nowait() for _ in range(client.queue.qsize())]
        client._enqueue(AmiMessage((("Event", "Newexten"),)))  # room now: the marker goes first
        marker = client.queue.get_nowait()
    finally:
        await client.stop()
    kept = [i for i in items if isinstance(i, AmiMessage)]
    assert isinstance(marker, Overflowed)
    assert marker.dropped == client.stats.overflow_dropped
    assert len(kept) + marker.dropped == 200


async def test_events_in_the_same_read_as_the_login_answer_follow_link_up() -> None:
    """Asterisk may send events right behind the Login response (one TCP read): the consumer
    must still see the session's ``LinkUp`` first, and a full queue's counts must add up."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(BANNER)
        login = await read_action(reader)
        aid = login.get("actionid", "")
        flood = "".join(
            f"Event: Newexten\r\nPrivilege: dialplan,all\r\nPriority: {i}\r\n\r\n"
            for i in range(200)
        )
        writer.write(f"Response: Success\r\nActionID: {aid}\r\n\r\n{flood}".encode())
        await writer.drain()
        await ignore_actions(reader)

    async with FakeAmi(script) as server:
        client = AmiClient(_config(server.port), CLOCK, queue=asyncio.Queue(20))
        client.start()
        try:
            await client.wait_connected(5)
            await eventually(lambda: client.stats.messages >= 201)
            items = [client.queue.get_nowait() for _ in range(client.queue.qsize())]
            marker = client.take_overflow()
        finally:
            await client.stop()
    assert isinstance(items[0], LinkUp)
    kept = [i for i in items if isinstance(i, AmiMessage)]
    assert [m.get("Priority") for m in kept] == [str(i) for i in range(19)]
    assert marker is not None
    assert marker.dropped == client.stats.overflow_dropped == 200 - 19


async def test_a_marker_on_a_full_queue_evicts_the_oldest_message_and_reports_it() -> None:
    clock = ManualClock(datetime(2026, 11, 21, 6, 15, tzinfo=UTC))
    client = AmiClient(_config(1), clock, queue=asyncio.Queue(3))
    for i in range(5):
        client._enqueue(AmiMessage((("Event", "Newexten"), ("Priority", str(i)))))
    client._put_marker(LinkDown(clock.now(), "cut"))
    items = [client.queue.get_nowait() for _ in range(3)]
    assert [i.get("Priority") for i in items[:2] if isinstance(i, AmiMessage)] == ["1", "2"]
    assert isinstance(items[2], LinkDown)
    marker = client.take_overflow()
    assert marker is not None
    assert marker.dropped == client.stats.overflow_dropped == 3  # two refused, one evicted


async def test_a_queue_of_markers_only_folds_the_oldest_into_the_overflow_marker() -> None:
    clock = ManualClock(datetime(2026, 11, 21, 6, 15, tzinfo=UTC))
    client = AmiClient(_config(1), clock, queue=asyncio.Queue(2))
    down_at = clock.now()
    client._put_marker(LinkDown(down_at, "cut"))
    clock.advance(timedelta(seconds=5))
    client._put_marker(LinkUp(1, clock.now()))
    client._put_marker(LinkDown(clock.now(), "cut again"))
    items = [client.queue.get_nowait() for _ in range(2)]
    assert [type(i) for i in items] == [LinkUp, LinkDown]
    marker = client.take_overflow()
    assert marker is not None
    assert marker.first_at == down_at  # the gap still starts at the first cut


async def test_nothing_listening_is_retried_with_backoff_and_stop_leaves_no_task(
    store: MemoryCallEventStore,
) -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()  # the port is now closed: connection refused
    bridge = await _bridge(port, store)
    await eventually(lambda: bridge.client.stats.connect_failures >= 3)
    assert not bridge.client.connected
    assert f"connect to 127.0.0.1:{port} failed" in bridge.client.stats.problems[-1]
    await bridge.stop()
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


class _SlowResyncLive:
    """Live state whose snapshot write takes a while (a remote Redis under load)."""

    def __init__(self, inner: LiveSync) -> None:
        self.inner = inner

    async def apply(self, event: DomainEvent) -> None:
        await self.inner.apply(event)

    async def resync(self, snapshot: QueueSnapshot) -> None:
        await asyncio.sleep(0.2)
        await self.inner.resync(snapshot)

    async def tick(self, now: datetime) -> None:
        await self.inner.tick(now)


NEW_CALL = (
    "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/pstn-00000009\r\n"
    "ChannelState: 4\r\nChannelStateDesc: Ring\r\nCallerIDNum: 13800138000\r\n"
    "CallerIDName: <unknown>\r\nContext: from-pstn\r\nExten: 12345\r\nPriority: 1\r\n"
    "Uniqueid: 1795241999.9\r\nLinkedid: 1795241999.9\r\n\r\n"
)


async def test_a_call_starting_right_after_the_resync_snapshot_is_not_ended_by_it(
    store: MemoryCallEventStore,
) -> None:
    """After a cut, CoreShowChannels lists no channel; a call starts right behind that answer
    in the stream. The resync must apply its snapshot before translating that call, or the
    call is "not alive" in the snapshot and gets ended (its queue visit then lost)."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_login(reader, writer)
        if server.connections == 1:
            return  # a cut: the next session's resync covers a gap
        while True:
            action = await read_action(reader)
            aid = action.get("actionid", "")
            name = action.get("action", "")
            if name in ("QueueStatus", "CoreShowChannels"):
                done = f"{name}Complete"
                writer.write(
                    f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\n"
                    f"Message: will follow\r\n\r\nEvent: {done}\r\nActionID: {aid}\r\n"
                    f"EventList: Complete\r\nListItems: 0\r\n\r\n".encode()
                )
                if name == "CoreShowChannels" and server.connections == 2:
                    writer.write(NEW_CALL.encode())
                await writer.drain()

    async with FakeAmi(script) as server:
        client = AmiClient(_config(server.port), CLOCK)
        bridge = Bridge(
            client,
            Translator(),
            bus=MemoryEventBus(),
            store=store,
            live=_SlowResyncLive(LiveSync(MemoryLiveState())),
            clock=CLOCK,
        )
        bridge.start()
        try:
            await eventually(lambda: bool(bridge.stats.gaps))
            await bridge.drain()
        finally:
            await bridge.stop()
    events = [from_stored(e) for e in store.events]
    call = [e for e in events if getattr(e, "linkedid", "") == "1795241999.9"]
    assert [type(e) for e in call] == [CallOffered]  # offered, and still up
