"""Audio for the simulator's ASR taps: what a real Asterisk's ``AudioSocket()`` sends.

When :class:`telephony.sim.server.SimServer` accepts an ``Originate`` into the tap context
(the action ``asr/tap.py`` builds), it connects to the ``ASR_SERVICE`` address, sends the
``ASR_UUID`` frame (kind 0x01), then 8 kHz signed-linear frames (kind 0x10, 320 bytes = 20 ms)
paced at the simulator's speed while the spied leg lives, and closes the socket without a
hangup frame (as Asterisk does when the channel goes away). It reads what the service sends
back (the keepalive) and, like ``AudioSocket()``, gives up when the service closes or resets
the connection — the caller then renders the tap channel's hangup.

The speech comes from WAV files (16-bit PCM, any rate, mono or stereo) resampled here by
linear interpolation — telephony must not import asr, and telephone-band speech does not
need a better filter for a demo.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

RATE = 8000
FRAME_BYTES = 320  # 20 ms of 16-bit mono at 8 kHz
FRAME_S = 0.02
KIND_UUID, KIND_SLIN = 0x01, 0x10
PAUSE_S = 1.0  # silence between repetitions of a file when the leg talks longer than it


def read_wav_8k_blocking(path: Path) -> bytes:
    """16-bit little-endian mono PCM at 8 kHz from a 16-bit PCM WAV file."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM WAV is supported")
        channels, rate = wav.getnchannels(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    if rate != RATE and samples.size:
        n_out = max(1, round(samples.size * RATE / rate))
        samples = np.interp(np.arange(n_out) * (rate / RATE), np.arange(samples.size), samples)
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()


@dataclass(frozen=True, slots=True)
class TapAudio:
    """Speech per speaker: caller legs get ``caller``'s clips, agent legs ``agent``'s."""

    caller: tuple[bytes, ...]
    agent: tuple[bytes, ...]

    @classmethod
    def from_dir_blocking(cls, directory: Path) -> TapAudio:
        """Every ``*.wav`` in ``directory`` (sorted): even ones to callers, odd ones to agents
        (one file serves both when there is only one)."""
        files = sorted(directory.glob("*.wav"))
        if not files:
            raise ValueError(f"no .wav files in {directory}")
        clips = [read_wav_8k_blocking(f) for f in files]
        caller = tuple(clips[0::2])
        agent = tuple(clips[1::2]) or caller
        return cls(caller, agent)

    def pcm_for(self, speaker: str, n: int) -> bytes:
        """The ``n``-th stream's clip for ``speaker``, followed by a pause (looped as needed)."""
        clips = self.agent if speaker == "agent" else self.caller
        clip = clips[n % len(clips)]
        return clip + bytes(2 * round(PAUSE_S * RATE))


def uuid_frame(stream_id: str) -> bytes:
    return bytes([KIND_UUID]) + (16).to_bytes(2, "big") + uuid.UUID(stream_id).bytes


@dataclass(frozen=True, slots=True)
class StreamEnd:
    frames: int  # audio frames written
    lost: str = ""  # why the socket failed while the leg was still alive; "" = ended with it


async def _read_until_closed(reader: asyncio.StreamReader) -> str:
    """Read (and drop) what the service sends — its 20 ms keepalive — until it closes,
    as ``AudioSocket()`` does; returns how the connection ended."""
    try:
        while await reader.read(65536):
            pass
    except ConnectionError as exc:
        return f"reset by the AudioSocket service ({exc.__class__.__name__})"
    return "closed by the AudioSocket service"


async def stream_audiosocket(
    host: str,
    port: int,
    stream_id: str,
    pcm: bytes,
    speed: float,
    alive: Callable[[], bool],
) -> StreamEnd:
    """Connect, send the UUID, stream ``pcm`` (looped) in real time × ``speed`` while
    ``alive()``; close without a hangup frame. A refused connect, or the service closing or
    resetting the socket while ``alive()``, ends the stream with ``lost`` set (Asterisk's
    ``AudioSocket()`` returns -1 then, and the tap channel hangs up)."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        return StreamEnd(0, f"connect to {host}:{port} failed: {exc}")
    closed = asyncio.create_task(_read_until_closed(reader), name=f"audiosocket-read-{stream_id}")
    sent = 0
    lost = ""
    try:
        writer.write(uuid_frame(stream_id))
        header = bytes([KIND_SLIN]) + FRAME_BYTES.to_bytes(2, "big")
        wall0 = time.monotonic()
        pcm = pcm[: len(pcm) - len(pcm) % FRAME_BYTES] or bytes(FRAME_BYTES)
        while alive():
            if closed.done():
                lost = closed.result()
                break
            # frames due by now; batching keeps high speeds from sleeping 20 µs at a time
            due = int((time.monotonic() - wall0) * speed / FRAME_S) + 1
            while sent < due:
                at = (sent * FRAME_BYTES) % len(pcm)
                writer.write(header + pcm[at : at + FRAME_BYTES])
                sent += 1
            await writer.drain()
            await asyncio.sleep(FRAME_S)
    except ConnectionError as exc:
        lost = f"write failed: {exc.__class__.__name__}"
        log.info("AudioSocket stream %s ended by the peer: %s", stream_id, exc)
    finally:
        closed.cancel()
        await asyncio.gather(closed, return_exceptions=True)
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return StreamEnd(sent, lost if alive() else "")
