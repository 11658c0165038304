"""Test helpers for the ASR tests: an AudioSocket client that behaves like Asterisk's
AudioSocket() app (UUID frame, 20 ms slin frames at a chosen pace, hang up = close socket),
and a server fixture wired to in-memory bus/store fakes."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from asr.audiosocket import AudioSocketServer, ServerConfig
from asr.batch import read_wav_blocking
from asr.framing import FrameDecoder, Kind, audio_frame, frame_bytes, uuid_frame
from asr.legs import InMemoryLegDirectory, Leg
from asr.recognizer import RecognizerFactory
from asr.session import SegmentSink, SessionConfig
from tests.asr_fakes import MemoryBus, MemoryTranscriptStore


def load_pcm(path: Path, rate: int, seconds: float | None = None) -> bytes:
    pcm = read_wav_blocking(path, rate).pcm
    return pcm if seconds is None else pcm[: int(seconds * rate) * 2]


@dataclass
class AsteriskLike:
    """One AudioSocket connection as Asterisk makes it."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    received: list[Kind] = field(default_factory=list)
    send_times: list[float] = field(default_factory=list)  # perf_counter per audio frame
    _drain_task: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, port: int, stream_id: str) -> AsteriskLike:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer)
        writer.write(uuid_frame(uuid.UUID(stream_id)))
        await writer.drain()
        client._drain_task = asyncio.create_task(client._drain())
        return client

    async def _drain(self) -> None:
        decoder = FrameDecoder(expect_uuid=False)
        with contextlib.suppress(ConnectionError):
            while data := await self.reader.read(65536):
                self.received.extend(f.kind for f in decoder.feed(data))

    async def stream(self, pcm: bytes, rate: int = 8000, *, speed: float = 1.0) -> None:
        """Send ``pcm`` as 20 ms frames; ``speed`` 1.0 = real time, 0 = as fast as possible."""
        size = frame_bytes(rate)
        start = time.perf_counter()
        for index, offset in enumerate(range(0, len(pcm), size)):
            if speed:
                delay = start + index * 0.02 / speed - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            self.writer.write(audio_frame(pcm[offset : offset + size], rate))
            self.send_times.append(time.perf_counter())
            await self.writer.drain()

    async def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def hangup(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
        if self._drain_task is not None:
            await asyncio.wait([self._drain_task], timeout=2)
            self._drain_task.cancel()

    async def wait_closed_by_server(self, wait_s: float = 60.0) -> bool:
        """True when the server closed the connection (reader hit EOF)."""
        assert self._drain_task is not None
        done, _ = await asyncio.wait([self._drain_task], timeout=wait_s)
        return bool(done)


@dataclass
class Rig:
    server: AudioSocketServer
    legs: InMemoryLegDirectory
    bus: MemoryBus
    store: MemoryTranscriptStore

    async def new_leg(self, call_id: str, speaker: str = "caller") -> str:
        stream_id = str(uuid.uuid4())
        await self.legs.register(stream_id, Leg(call_id, speaker))
        return stream_id

    async def wait_report(self, count: int = 1, wait_s: float = 60.0) -> None:
        deadline = time.monotonic() + wait_s
        while len(self.server.reports) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(self.server.reports)} streams ended")
            await asyncio.sleep(0.01)


@asynccontextmanager
async def rig(
    factory: RecognizerFactory,
    config: ServerConfig | None = None,
    session_config: SessionConfig | None = None,
    bus: MemoryBus | None = None,
    store: MemoryTranscriptStore | None = None,
) -> AsyncIterator[Rig]:
    bus = bus or MemoryBus()
    store = store or MemoryTranscriptStore()
    legs = InMemoryLegDirectory()
    server = AudioSocketServer(
        legs, factory, SegmentSink(bus, store), config or ServerConfig(port=0), session_config
    )
    await server.start()
    try:
        yield Rig(server, legs, bus, store)
    finally:
        await server.close()


def require_vosk_model() -> Path:
    """The Vosk model directory, or skip with the reason (marker ``vosk_model``)."""
    import os

    import pytest

    from asr.vosk_adapter import ModelNotFoundError, find_model_dir

    configured = os.environ.get("HOTLINE_ASR__MODEL_PATH")
    root = Path(__file__).resolve().parents[1]
    try:
        return find_model_dir(Path(configured) if configured else None, root / "models")
    except ModelNotFoundError as exc:
        pytest.skip(str(exc))
