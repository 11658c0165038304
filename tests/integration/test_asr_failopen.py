"""Fail-open: ASR down, slow, failing or without a model never touches the call; the
transcript records a gap instead."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from asr.audiosocket import AudioSocketServer, ServerConfig
from asr.legs import InMemoryLegDirectory
from asr.recognizer import RecognizerFactory, UnavailableRecognizerFactory
from asr.scripted import ScriptedRecognizerFactory
from asr.session import SegmentSink, SessionConfig
from asr.tap import AmiAction, TapConfig, TapCoordinator
from core.clock import ManualClock
from core.ports import TranscriptSegment
from tests.asr_fakes import MemoryBus, MemoryTranscriptStore
from tests.asr_support import AsteriskLike, load_pcm, rig
from tests.conftest import shared_path
from tests.waiting import wait_until

CCTV_TEXT = "各位观众晚上好"


def cctv_pcm() -> bytes:
    path = shared_path("asr-samples", "speechio_MINI_ZH_CCTV_1.wav")
    return load_pcm(path, 8000) + bytes(int(0.8 * 8000) * 2)


async def stream_one(
    factory: RecognizerFactory, session_config: SessionConfig | None = None
) -> list[TranscriptSegment]:
    async with rig(factory, session_config=session_config) as r:
        stream_id = await r.new_leg("call-1", "agent")
        client = await AsteriskLike.connect(r.server.port, stream_id)
        await client.stream(cctv_pcm(), speed=0)
        await client.hangup()
        await r.wait_report()
        assert r.server.reports[0].clean  # the stream itself ran normally to hangup
        return await r.store.for_call("call-1")


async def test_no_model_streams_are_accepted_and_recorded_as_one_gap() -> None:
    stored = await stream_one(UnavailableRecognizerFactory("no Vosk model under models/"))
    assert [(s.gap, s.speaker, s.start_ms, s.end_ms, s.text) for s in stored] == [
        (True, "agent", 0, 2080, "")
    ]


async def test_recognizer_crash_mid_stream_keeps_what_was_said_and_gaps_the_rest() -> None:
    stored = await stream_one(ScriptedRecognizerFactory([CCTV_TEXT], fail_after_s=1.0))
    assert [(s.gap, s.start_ms, s.end_ms) for s in stored] == [(True, 1000, 2080)]


async def test_stalled_recognizer_is_abandoned_and_gapped() -> None:
    factory = ScriptedRecognizerFactory([CCTV_TEXT], accept_delay_s=0.5)
    stored = await stream_one(factory, SessionConfig(stall_timeout_s=0.1))
    assert [(s.gap, s.start_ms, s.end_ms) for s in stored] == [(True, 0, 2080)]


def agent_connect(n: int) -> dict[str, str]:
    """Shape of trace 09's AgentConnect."""
    return {
        "Event": "AgentConnect",
        "Channel": f"PJSIP/pstn-0000003{n}",
        "Uniqueid": f"1795242481.{n}",
        "Linkedid": f"1795242481.{n}",
        "DestChannel": f"PJSIP/agent8003-0000004{n}",
        "DestUniqueid": f"1795242483.{n}",
        "Queue": "hotline",
    }


def variables(action: AmiAction) -> dict[str, str]:
    raw = action["Variable"]
    assert isinstance(raw, list)
    return dict(v.split("=", 1) for v in raw)


class FakeAsterisk:
    """Runs the tap Originates like Asterisk would: the ;1 half connects AudioSocket() and
    streams the spied leg's audio; if the socket breaks, AudioSocket() returns and the tap
    channel hangs up (a Hangup event with the tap's ChannelId). The call itself goes on."""

    def __init__(self, clock: ManualClock, port: int) -> None:
        self.clock = clock
        self.port = port
        self.events: list[tuple[dict[str, str], datetime]] = []
        self.call_frames_played = 0

    async def run_tap(self, action: AmiAction, pcm: bytes) -> None:
        stream_id = variables(action)["ASR_UUID"]
        client: AsteriskLike | None = None
        try:
            client = await AsteriskLike.connect(self.port, stream_id)
            for offset in range(0, len(pcm), 320):
                frame = pcm[offset : offset + 320].ljust(320, b"\0")
                client.writer.write(b"\x10\x01\x40" + frame)
                await client.writer.drain()
                await asyncio.sleep(0.002)
        except ConnectionError:
            hangup = {"Event": "Hangup", "Uniqueid": str(action["ChannelId"])}
            self.events.append((hangup, self.clock.now()))
        finally:
            if client is not None:
                await client.hangup()

    async def talk(self, seconds: float) -> None:
        """The call's own media: advances the call clock, independent of any tap."""
        for _ in range(int(seconds * 50)):
            self.clock.advance(timedelta(milliseconds=20))
            self.call_frames_played += 1
            await asyncio.sleep(0.002)


async def test_worker_killed_mid_call_gap_recorded_then_later_calls_transcribed() -> None:
    clock = ManualClock(datetime(2026, 11, 21, 6, 30, tzinfo=UTC))
    bus, store, legs = MemoryBus(), MemoryTranscriptStore(), InMemoryLegDirectory()
    sink = SegmentSink(bus, store)
    factory = ScriptedRecognizerFactory([CCTV_TEXT])
    worker = AudioSocketServer(legs, factory, sink, ServerConfig(port=0))
    await worker.start()
    port = worker.port
    taps = TapCoordinator(legs, sink, clock, TapConfig(audiosocket_port=port))
    asterisk = FakeAsterisk(clock, port)

    # call 1: both legs tapped; the worker dies 1 s into the call
    actions = await taps.on_agent_connect(agent_connect(1))
    assert [a["Action"] for a in actions] == ["Originate", "Originate"]
    long_pcm = cctv_pcm() * 5  # ~10 s per leg: still streaming when the worker dies
    tap_tasks = [asyncio.create_task(asterisk.run_tap(a, long_pcm)) for a in actions]
    await asterisk.talk(1.0)
    await worker.abort()  # crash: sockets reset, nothing flushed
    await asyncio.gather(*tap_tasks)
    assert len(asterisk.events) == 2  # both AudioSocket() apps returned, taps hung up
    for event, at in asterisk.events:
        assert await taps.on_event(event, at) == []  # nothing recorded until the leg ends
    await asterisk.talk(9.0)  # the call goes on for 9 more seconds, untouched
    assert asterisk.call_frames_played == 500
    gaps = []
    for event in (
        {"Event": "Hangup", "Uniqueid": "1795242481.1"},
        {"Event": "Hangup", "Uniqueid": "1795242483.1"},
    ):
        gaps += await taps.on_event(event)
    assert sorted((g.speaker, g.gap, g.end_ms) for g in gaps) == [
        ("agent", True, 10000),
        ("caller", True, 10000),
    ]
    assert all(900 <= g.start_ms <= 1100 for g in gaps)
    assert taps.active == 0
    stored_1 = await store.for_call("1795242481.1")
    assert {s.speaker for s in stored_1 if s.gap} == {"caller", "agent"}
    assert not [s for s in stored_1 if not s.gap and s.final]  # the crash lost the utterance

    # restart the worker on the same port; the next call is transcribed as usual
    worker = AudioSocketServer(legs, factory, sink, ServerConfig(port=port))
    await worker.start()
    actions = await taps.on_agent_connect(agent_connect(2))
    await asyncio.gather(*(asterisk.run_tap(a, cctv_pcm()) for a in actions))
    await wait_until(lambda: len(worker.reports) == 2, "both legs' stream reports")
    await worker.close()
    for event in (
        {"Event": "Hangup", "Uniqueid": "1795242481.2"},
        {"Event": "Hangup", "Uniqueid": "1795242483.2"},
    ):
        assert await taps.on_event(event) == []  # taps ended with the call: no gap
    stored_2 = await store.for_call("1795242481.2")
    assert sorted((s.speaker, s.text) for s in stored_2) == [
        ("agent", CCTV_TEXT),
        ("caller", CCTV_TEXT),
    ]


async def test_unreachable_worker_whole_leg_is_a_gap() -> None:
    """AudioSocket() cannot connect: it returns at once, the tap hangs up, the call goes on."""
    clock = ManualClock(datetime(2026, 11, 21, 6, 30, tzinfo=UTC))
    store = MemoryTranscriptStore()
    taps = TapCoordinator(
        InMemoryLegDirectory(), SegmentSink(None, store), clock, TapConfig(audiosocket_port=9)
    )
    actions = await taps.on_agent_connect(agent_connect(3))
    asterisk = FakeAsterisk(clock, 9)  # nothing listens on port 9
    await asterisk.run_tap(actions[0], cctv_pcm())
    for event, at in asterisk.events:
        await taps.on_event(event, at)
    await asterisk.talk(5.0)
    await taps.on_event({"Event": "Hangup", "Uniqueid": "1795242481.3"})
    assert [(s.speaker, s.start_ms, s.end_ms, s.gap) for s in store.segments] == [
        ("caller", 0, 5000, True)
    ]


@pytest.mark.parametrize(("response", "gap"), [("Success", False), ("Failure", True)])
async def test_tap_originate_failure_is_a_gap(response: str, gap: bool) -> None:
    clock = ManualClock(datetime(2026, 11, 21, 6, 30, tzinfo=UTC))
    store = MemoryTranscriptStore()
    ids = iter(["0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003", str(uuid.uuid4())])
    taps = TapCoordinator(
        InMemoryLegDirectory(), SegmentSink(None, store), clock, new_id=lambda: next(ids)
    )
    await taps.on_agent_connect(agent_connect(4))
    await taps.on_event(
        {
            "Event": "OriginateResponse",
            "Response": response,
            "Reason": "0",
            "ActionID": "asr-tap-0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003",
            "Uniqueid": "1795242485.67",
        }
    )
    clock.advance(timedelta(seconds=7))
    await taps.on_event({"Event": "Hangup", "Uniqueid": "1795242481.4"})
    assert [(s.speaker, s.start_ms, s.end_ms) for s in store.segments] == (
        [("caller", 0, 7000)] if gap else []
    )
