"""AudioSocket server over real TCP, with the deterministic recognizer on real speech."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import uuid

import pytest

from asr.audiosocket import ServerConfig
from asr.framing import Kind, encode, frame_bytes
from asr.legs import Leg
from asr.scripted import ScriptedRecognizerFactory
from asr.session import SessionConfig
from tests.asr_support import AsteriskLike, load_pcm, rig
from tests.conftest import shared_path
from tests.waiting import wait_until

CCTV_TEXT = "各位观众晚上好"


def cctv_pcm(rate: int = 8000) -> bytes:
    # 1.28 s of broadcast speech, then 0.8 s of line silence so the endpoint is reached
    return load_pcm(shared_path("asr-samples", "speechio_MINI_ZH_CCTV_1.wav"), rate) + bytes(
        int(0.8 * rate) * 2
    )


async def test_speech_becomes_partials_finals_and_a_stored_transcript() -> None:
    async with rig(ScriptedRecognizerFactory([CCTV_TEXT])) as r:
        stream_id = await r.new_leg("1795242481.65", "caller")
        client = await AsteriskLike.connect(r.server.port, stream_id)
        await client.stream(cctv_pcm(), speed=0)  # time-compressed: as fast as TCP goes
        await client.hangup()
        await r.wait_report()
    report = r.server.reports[0]
    assert (report.end_reason, report.clean) == ("peer closed (hangup)", True)
    assert report.leg is not None
    assert report.leg.speaker == "caller"
    assert report.audio_ms == 2080
    assert report.dropped_samples == 0
    stored = await r.store.for_call("1795242481.65")
    assert [(s.text, s.speaker, s.final, s.gap) for s in stored] == [
        (CCTV_TEXT, "caller", True, False)
    ]
    assert 0 <= stored[0].start_ms < 200 < 1200 <= stored[0].end_ms <= 1300
    assert stored[0].confidence == pytest.approx(0.9)
    published = [m.payload for m in r.bus.published if m.topic == "asr.segment"]
    partials = [p for p in published if not p["final"]]
    assert partials, "no partials published"
    ends = [int(p["end_ms"]) for p in partials]
    # partials at least every 300 ms of audio while the speaker talks
    assert all(b - a <= 300 for a, b in itertools.pairwise(ends))
    assert ends[0] <= 400
    assert CCTV_TEXT.startswith(str(partials[-1]["text"]))
    final = published[-1]
    assert final["final"] is True
    assert final["stream_id"] == stream_id
    assert [w["w"] for w in final["words"]] == list(CCTV_TEXT)
    json.dumps(published)  # bus payloads are JSON-serialisable


async def test_frames_split_at_random_points_arrive_whole() -> None:
    pcm = cctv_pcm()
    async with rig(ScriptedRecognizerFactory([CCTV_TEXT])) as r:
        stream_id = await r.new_leg("split")
        client = await AsteriskLike.connect(r.server.port, stream_id)
        wire = (
            b"".join(encode(Kind.SLIN_8K, pcm[i : i + 320]) for i in range(0, len(pcm), 320))
            + encode(Kind.DTMF, b"1")
            + encode(Kind.DTMF, b"#")
        )
        rnd = random.Random(7)
        position = 0
        while position < len(wire):
            step = rnd.randint(1, 700)
            await client.send_raw(wire[position : position + step])
            position += step
        await client.hangup()
        await r.wait_report()
    report = r.server.reports[0]
    assert report.audio_frames == len(pcm) // 320
    assert report.dtmf == "1#"
    assert report.clean
    assert [s.text for s in await r.store.for_call("split")] == [CCTV_TEXT]


async def test_server_talks_first_silence_keepalive_at_the_stream_rate() -> None:
    async with rig(ScriptedRecognizerFactory()) as r:
        stream_id = await r.new_leg("keepalive")
        client = await AsteriskLike.connect(r.server.port, stream_id)
        # no audio sent yet: the server must still send frames
        await wait_until(lambda: len(client.received) >= 5, "5 keepalive frames")
        assert set(client.received) == {Kind.SLIN_8K}
        await client.stream(bytes(frame_bytes(16000)) * 3, rate=16000, speed=0)
        before = len(client.received)
        await wait_until(lambda: Kind.SLIN_16K in client.received[before:], "a slin16 frame")
        assert Kind.SLIN_16K in client.received[before:]  # mirrors slin16 once audio is slin16
        await client.hangup()
        await r.wait_report()
    assert r.server.reports[0].silence_frames_sent >= 5


@pytest.mark.parametrize(
    ("tail", "reason", "clean"),
    [
        (encode(Kind.HANGUP), "hangup frame", True),
        (b"\x99\x00\x00", "protocol error: unknown frame kind 0x99 after", False),
        (b"\x10\xff\xf0", "protocol error: oversize frame", False),
        (encode(Kind.UUID, uuid.uuid4().bytes), "protocol error: second UUID frame", False),
        (encode(Kind.SLIN_16K, bytes(640)), "protocol error: audio kind changed", False),
        (b"\x10\x01", "peer closed mid-frame (2 bytes left)", False),
    ],
)
async def test_stream_endings_are_clean_closes_with_a_reason(
    tail: bytes, reason: str, clean: bool
) -> None:
    async with rig(ScriptedRecognizerFactory([CCTV_TEXT])) as r:
        stream_id = await r.new_leg("endings")
        client = await AsteriskLike.connect(r.server.port, stream_id)
        await client.stream(cctv_pcm(), speed=0)
        await client.send_raw(tail)
        if tail == b"\x10\x01":
            await client.hangup()
        else:
            assert await client.wait_closed_by_server()
            await client.hangup()
        await r.wait_report()
    report = r.server.reports[0]
    assert report.end_reason.startswith(reason)
    assert report.clean is clean
    # the audio before the bad bytes is still transcribed and stored
    assert [s.text for s in await r.store.for_call("endings")] == [CCTV_TEXT]


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "protocol error: unknown frame kind 0x47"),
        (encode(Kind.SLIN_8K, bytes(320)), "protocol error: first frame must be kind 0x01"),
        (encode(Kind.UUID, uuid.UUID(int=5).bytes), "unknown stream uuid 00000000-0000"),
    ],
)
async def test_wrong_first_frame_or_unknown_uuid_is_refused(first: bytes, reason: str) -> None:
    async with rig(ScriptedRecognizerFactory()) as r:
        reader, writer = await asyncio.open_connection("127.0.0.1", r.server.port)
        writer.write(first)
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed, nothing sent
        writer.close()
        await r.wait_report()
    assert r.server.reports[0].end_reason.startswith(reason)
    assert not r.server.reports[0].clean
    assert r.bus.published == []


async def test_error_frame_is_logged_and_the_stream_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with rig(ScriptedRecognizerFactory([CCTV_TEXT])) as r:
        stream_id = await r.new_leg("errors")
        client = await AsteriskLike.connect(r.server.port, stream_id)
        await client.send_raw(encode(Kind.ERROR, b"\x04"))
        await client.stream(cctv_pcm(), speed=0)
        await client.hangup()
        await r.wait_report()
    report = r.server.reports[0]
    assert report.errors == ["error 0x04 (memory error)"]
    assert report.clean
    assert "Asterisk sent error 0x04 (memory error)" in caplog.text
    assert [s.text for s in await r.store.for_call("errors")] == [CCTV_TEXT]


@pytest.mark.parametrize(
    "trace",
    [
        "08-audiosocket-app-local",
        "08b-audiosocket-channel-dial",
        "09-asr-tap-chanspy-audiosocket",
        "10-asr-ari-snoop-externalmedia",
    ],
)
async def test_replay_real_asterisk_first_4k_verbatim(trace: str) -> None:
    raw = shared_path("ami-traces", f"{trace}.audiosocket-first4k.bin").read_bytes()
    meta = json.loads(shared_path("ami-traces", f"{trace}.audiosocket.json").read_text())
    stream_id = str(uuid.UUID(bytes=raw[3:19]))
    rate = 16000 if "0x12" in meta["counts"] else 8000
    frames = (len(raw) - 19) // (3 + rate // 50 * 2)
    async with rig(ScriptedRecognizerFactory()) as r:
        await r.legs.register(stream_id, Leg("replay", "caller"))
        reader, writer = await asyncio.open_connection("127.0.0.1", r.server.port)
        for offset in range(0, len(raw), 1000):  # the capture's bytes, in TCP-ish pieces
            writer.write(raw[offset : offset + 1000])
            await writer.drain()
        kinds = []  # the server answers with keepalive audio, at the stream's rate once known
        expected_kind = 0x12 if rate == 16000 else 0x10
        for _ in range(50):
            head = await reader.readexactly(3)
            kinds.append(head[0])
            await reader.readexactly(int.from_bytes(head[1:], "big"))
            if head[0] == expected_kind:
                break
        writer.close()  # Asterisk hangs up by closing the socket
        await writer.wait_closed()
        await r.wait_report()
    assert kinds[-1] == expected_kind
    report = r.server.reports[0]
    assert report.stream_id == stream_id
    assert report.sample_rate == rate
    assert report.audio_frames == frames
    assert (report.end_reason, report.clean) == ("peer closed (hangup)", True)


async def test_slow_recognizer_backpressure_drops_audio_and_records_a_gap() -> None:
    # recognizer 10× slower than real time, 200 ms queue: the reader must not wait forever
    factory = ScriptedRecognizerFactory([CCTV_TEXT], accept_delay_s=0.05)
    config = ServerConfig(port=0, queue_ms=200, backpressure_timeout_s=0.02)
    async with rig(factory, config, SessionConfig(chunk_ms=20)) as r:
        stream_id = await r.new_leg("slow")
        client = await AsteriskLike.connect(r.server.port, stream_id)
        await client.stream(cctv_pcm() * 2, speed=0)
        await client.hangup()
        await r.wait_report()
    report = r.server.reports[0]
    assert report.dropped_samples > 0
    stored = await r.store.for_call("slow")
    gaps = [s for s in stored if s.gap]
    assert gaps
    assert sum(g.end_ms - g.start_ms for g in gaps) == pytest.approx(
        report.dropped_samples / 8, abs=25
    )
    assert all(s.end_ms <= report.audio_ms for s in stored)


@pytest.mark.parametrize(
    ("said", "normalised"),
    [
        ("我的电话是幺三八零零一三八零零零", "我的电话是13800138000"),
        ("住在二十六号楼三单元", "住在26号楼3单元"),
        ("一直没人管", "一直没人管"),
    ],
)
async def test_finals_carry_itn_beside_the_raw_text(said: str, normalised: str) -> None:
    async with rig(ScriptedRecognizerFactory([said])) as r:
        client = await AsteriskLike.connect(r.server.port, await r.new_leg("itn"))
        await client.stream(cctv_pcm(), speed=0)
        await client.hangup()
        await r.wait_report()
    [stored] = await r.store.for_call("itn")
    assert (stored.text, stored.text_normalised) == (said, normalised)
    assert (await r.store.search(normalised[-4:]))[0] == stored
