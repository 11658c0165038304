"""The simulator's ASR taps over real TCP: asr/tap.py's Originate is accepted only when the
simulator has audio, and then the spied leg's speech arrives as AudioSocket frames (UUID
first, 320-byte slin frames, resampled to 8 kHz) until the leg hangs up, when the socket
closes without a hangup frame — what a real Asterisk running the asr-tap dialplan does."""

from __future__ import annotations

import asyncio
import uuid
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from asr.tap import TapConfig, originate_tap_action
from core.clock import SystemClock
from telephony.ami_client import AmiClient, AmiConfig
from telephony.commands import AgentCommands
from telephony.sim.audio import FRAME_BYTES, KIND_SLIN, KIND_UUID, TapAudio, read_wav_8k_blocking
from telephony.sim.script import CallScript, RingAttempt, Scenario, agent_pool
from telephony.sim.server import SimServer

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
