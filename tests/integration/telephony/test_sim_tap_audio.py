"""The simulator's ASR taps over real TCP: asr/tap.py's Originate is accepted only when the
simulator has audio, and then the spied leg's speech arrives as AudioSocket frames (UUID
first, 320-byte slin frames, resampled to 8 kHz) until the leg hangs up, when the socket
closes without a hangup frame — what a real Asterisk running the asr-tap dialplan does."""

from __future__ import annotations

import asyncio
import uuid
import wave
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from asr.legs import InMemoryLegDirectory
from asr.session import SegmentSink
from asr.tap import TapConfig, TapCoordinator, originate_tap_action
from core.clock import ManualClock, SystemClock
from telephony.ami_client import AmiClient, AmiConfig
from telephony.ami_codec import AmiMessage, AmiStreamParser
from telephony.commands import AgentCommands
from telephony.sim.audio import FRAME_BYTES, KIND_SLIN, KIND_UUID, TapAudio, read_wav_8k_blocking
from telephony.sim.script import CallScript, RingAttempt, Scenario, agent_pool
from telephony.sim.server import SimServer
from tests.asr_fakes import MemoryTranscriptStore
from tests.sim_tap_support import TRACE_UUID, tap_shapes, trace_09_tap_shapes

# answered by agent 8001 at t=20 (rings from 15), talks until t=26
CALL = CallScript(
    0,
    "13800131",
    0,
    2,
    "1",
    "answered",
    26,
    join_at=2,
    leave_at=20,
    attempts=(RingAttempt("8001", 15, 20, True),),
)
CALL_09 = CallScript(  # the same, answered by agent 8003 as in trace 09
    0, "13800131", 0, 2, "1", "answered", 26, join_at=2, leave_at=20,
    attempts=(RingAttempt("8003", 15, 20, True),),
)  # fmt: skip


def write_wav(path: Path, rate: int, channels: int, seconds: float, hz: float = 300) -> None:
    n = round(rate * seconds)
    tone = (8000 * np.sin(2 * np.pi * hz * np.arange(n) / rate)).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.repeat(tone, channels).tobytes())


@pytest.mark.parametrize(
    ("rate", "channels", "seconds", "samples_8k"),
    [(8000, 1, 0.5, 4000), (16000, 1, 0.5, 4000), (44100, 2, 1.0, 8000), (22050, 1, 0.0, 0)],
)
def test_wavs_become_8k_mono(
    tmp_path: Path, rate: int, channels: int, seconds: float, samples_8k: int
) -> None:
    write_wav(tmp_path / "a.wav", rate, channels, seconds)
    pcm = read_wav_8k_blocking(tmp_path / "a.wav")
    assert len(pcm) == 2 * samples_8k
    if samples_8k:  # the tone's loudness survives resampling and downmixing
        peak = int(np.abs(np.frombuffer(pcm, "<i2")).max())
        assert 7500 <= peak <= 8000


def test_an_empty_audio_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no \.wav files"):
        TapAudio.from_dir_blocking(tmp_path)


class Listener:
    """An AudioSocket service that records what one connection sent until it closed."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = asyncio.Event()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(65536):
            self.data += chunk
        self.closed.set()
        writer.close()


async def _started(tmp_path: Path, audio: TapAudio | None) -> SimServer:
    server = SimServer(
        Scenario(agent_pool(2), [CALL]),
        base_epoch=1795241705,
        queue_log=tmp_path / "queue_log",
        speed=20,
        tap_audio=audio,
    )
    await server.start()
    server.pbx.run_until(21)  # answered: both legs up
    return server


@pytest.fixture
async def listener() -> AsyncIterator[tuple[Listener, int]]:
    got = Listener()
    service = await asyncio.start_server(got.serve, "127.0.0.1", 0)
    yield got, int(service.sockets[0].getsockname()[1])
    service.close()
    await service.wait_closed()


async def _originate(sim: SimServer, target: str, port: int, stream_id: str) -> str:
    client = AmiClient(AmiConfig(port=sim.port, secret=sim.secret, auth="md5"), SystemClock())
    client.start()
    try:
        await client.wait_connected(10)
        action = originate_tap_action(target, stream_id, TapConfig(audiosocket_port=port))
        reply = await AgentCommands(client).originate_prepared(action)
        assert reply is not None
        return str(reply["Response"])
    finally:
        await client.stop()


@pytest.mark.parametrize("speaker", ["caller", "agent"])
async def test_a_tap_streams_the_leg_until_it_hangs_up(
    tmp_path: Path, listener: tuple[Listener, int], speaker: str
) -> None:
    write_wav(tmp_path / "0-caller.wav", 16000, 1, 0.3)
    write_wav(tmp_path / "1-agent.wav", 8000, 1, 0.7, hz=500)
    audio = TapAudio.from_dir_blocking(tmp_path)
    got, port = listener
    sim = await _started(tmp_path, audio)
    try:
        call = sim.pbx.calls[0]
        leg = call.caller if speaker == "caller" else call.agent_leg
        assert leg is not None
        stream_id = str(uuid.uuid4())
        assert await _originate(sim, leg.name, port, stream_id) == "Success"
        sim.play()  # the call ends at t=26: the tap stops with it
        async with asyncio.timeout(60):  # hang guard
            await got.closed.wait()
    finally:
        await sim.stop()
    data = bytes(got.data)
    assert data[:3] == bytes([KIND_UUID, 0, 16])
    assert uuid.UUID(bytes=data[3:19]) == uuid.UUID(stream_id)
    frames = data[19:]
    step = 3 + FRAME_BYTES
    assert frames
    assert len(frames) % step == 0  # whole frames, no hangup (0x00) frame
    assert {frames[i] for i in range(0, len(frames), step)} == {KIND_SLIN}
    assert len(frames) // step == sim.tap_frames_sent
    first = b"".join(frames[i + 3 : i + step] for i in range(0, 2 * step, step))
    clip = (audio.caller if speaker == "caller" else audio.agent)[0]
    other = (audio.agent if speaker == "caller" else audio.caller)[0]
    assert first == clip[: 2 * FRAME_BYTES] != other[: 2 * FRAME_BYTES]  # this speaker's file


async def test_without_audio_the_tap_originate_fails(
    tmp_path: Path, listener: tuple[Listener, int]
) -> None:
    got, port = listener
    sim = await _started(tmp_path, None)
    try:
        assert await _originate(sim, sim.pbx.calls[0].caller.name, port, str(uuid.uuid4())) == (
            "Failure"
        )
    finally:
        await sim.stop()
    assert not got.data


class AmiTap:
    """A bare AMI session (no bridge): logs in, sends the tap Originate asr/tap.py builds, and
    keeps every message the simulator sends."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.parser = AmiStreamParser()
        self.messages: list[AmiMessage] = []

    @classmethod
    async def login(cls, sim: SimServer) -> AmiTap:
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
        session = cls(reader, writer)
        session.send({"Action": "Login", "Username": sim.username, "Secret": sim.secret})
        return session

    def send(self, action: Mapping[str, str | list[str]]) -> None:
        lines = []
        for key, value in action.items():
            lines += [f"{key}: {v}" for v in (value if isinstance(value, list) else [value])]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    async def read_until(self, done: Callable[[], bool]) -> None:
        """Keep reading until nothing more arrived for 0.2 s after ``done()``."""
        while True:
            was_done = done()  # checked before the read: what was sent by then is read
            try:
                chunk = await asyncio.wait_for(self.reader.read(65536), 0.2)
            except TimeoutError:
                if was_done:
                    return
                continue
            if not chunk:
                return
            self.messages += self.parser.feed(chunk)

    def close(self) -> None:
        self.writer.close()


async def _tap_call(
    tmp_path: Path, listener: asyncio.Server, serve_done: asyncio.Event
) -> tuple[SimServer, list[AmiMessage], str]:
    """Trace 09's setup: the caller of an answered call tapped with ``qES`` into context
    ``asr-test``; returns the simulator, every AMI message it sent, and the caller channel."""
    write_wav(tmp_path / "0-caller.wav", 8000, 1, 0.5)
    sim = SimServer(
        Scenario(agent_pool(4), [CALL_09]),
        base_epoch=1795241705,
        queue_log=tmp_path / "queue_log",
        speed=20,
        tap_audio=TapAudio.from_dir_blocking(tmp_path),
        tap_context="asr-test",
    )
    await sim.start()
    port = int(listener.sockets[0].getsockname()[1])
    config = TapConfig(audiosocket_port=port, context="asr-test", spy_options="qES")
    session = await AmiTap.login(sim)
    try:
        sim.pbx.run_until(21)  # answered
        caller = sim.pbx.calls[0].caller.name
        session.send(originate_tap_action(caller, TRACE_UUID, config))
        sim.play()
        async with asyncio.timeout(60):  # hang guard
            await session.read_until(
                lambda: sim.finished.is_set() and serve_done.is_set() and not sim.tap_streams
            )
    finally:
        session.close()
        await sim.stop()
    service = f"127.0.0.1:{port}"
    return sim, [_with_service(m, service) for m in session.messages], caller


def _with_service(m: AmiMessage, service: str) -> AmiMessage:
    """The listener's ephemeral port as trace 09's 127.0.0.1:9092."""
    return AmiMessage(tuple((k, v.replace(service, "127.0.0.1:9092")) for k, v in m.headers))


async def _listen(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> asyncio.Server:
    return await asyncio.start_server(handler, "127.0.0.1", 0)


async def test_the_tap_channels_over_ami_equal_trace_09(tmp_path: Path) -> None:
    got = Listener()
    service = await _listen(got.serve)
    try:
        sim, messages, caller = await _tap_call(tmp_path, service, got.closed)
    finally:
        service.close()
        await service.wait_closed()
    assert sim.tap_frames_sent > 0
    assert sim.taps_lost == 0
    assert tap_shapes(messages, caller) == trace_09_tap_shapes()


async def test_the_asr_service_dropping_the_socket_hangs_up_the_tap_mid_call(
    tmp_path: Path,
) -> None:
    dropped = asyncio.Event()

    async def drop_after_a_second(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readexactly(19 + 50 * (3 + FRAME_BYTES))  # UUID + 1 s of audio
        writer.transport.abort()  # the worker dies: connection reset
        dropped.set()

    service = await _listen(drop_after_a_second)
    try:
        sim, messages, _caller = await _tap_call(tmp_path, service, dropped)
    finally:
        service.close()
        await service.wait_closed()
    assert sim.taps_lost == 1
    events = [m for m in messages if m.event]
    tap_id = f"asr-{TRACE_UUID}"
    order = [
        (m.event, m["Uniqueid"])
        for m in events
        if m.event == "Hangup" and m["Uniqueid"] in (tap_id, f"{tap_id}-spy", "1795241705.0")
    ]
    # the tap goes down first (AudioSocket half leading), the call runs to its normal end
    assert order == [("Hangup", tap_id), ("Hangup", f"{tap_id}-spy"), ("Hangup", "1795241705.0")]
    assert [m["Reason"] for m in events if m.event == "AgentComplete"] == ["caller"]
    qlog = (tmp_path / "queue_log").read_text()
    assert "|COMPLETECALLER|" in qlog
    # fed to the tap coordinator, that is a gap from the loss to the caller's hangup
    store = MemoryTranscriptStore()
    clock = ManualClock(datetime(2026, 11, 21, tzinfo=UTC))
    ids = iter([TRACE_UUID, str(uuid.uuid4())])
    taps = TapCoordinator(
        InMemoryLegDirectory(), SegmentSink(None, store), clock,
        TapConfig(context="asr-test"), new_id=lambda: next(ids),
    )  # fmt: skip
    connect = next(m for m in events if m.event == "AgentConnect")
    await taps.on_agent_connect(dict(connect.headers))
    for m in events[events.index(connect) + 1 :]:
        if m.event == "Hangup" and m["Uniqueid"] == tap_id:
            clock.advance(timedelta(seconds=1))  # the socket broke 1 s into the call
        if m.event == "Hangup" and m["Uniqueid"] == "1795241705.0":
            clock.advance(timedelta(seconds=5))  # the rest of the call
        await taps.on_event(dict(m.headers))
    assert [(s.speaker, s.gap, s.start_ms, s.end_ms) for s in store.segments] == [
        ("caller", True, 1000, 6000)
    ]
