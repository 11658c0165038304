"""AudioSocket TCP server (asyncio): Asterisk connects, sends a UUID frame, then audio.

Per connection: the UUID is looked up in the :class:`asr.legs.LegDirectory` (filled by the tap
logic) to learn (call id, speaker); a keepalive task writes 20 ms of silence back every 20 ms
for as long as the socket is open (Asterisk's AudioSocket gives up after 2 s without activity,
and a silent server once left a chan_audiosocket channel hanging); audio goes through a bounded
queue to a :class:`asr.session.TranscriptionSession`. When the queue is full the reader waits
briefly (TCP backpressure), then drops audio and the session records a gap — the call never
waits for ASR. Garbage, oversize frames or a wrong first frame close the socket with the reason
logged; Asterisk's AudioSocket() then simply returns and the dialplan goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

from asr.framing import (
    AUDIO_RATES,
    DEFAULT_MAX_PAYLOAD,
    FRAME_MS,
    Frame,
    FrameDecoder,
    Kind,
    ProtocolError,
    silence_frame,
)
from asr.legs import Leg, LegDirectory
from asr.recognizer import RecognizerFactory
from asr.session import (
    AudioChunk,
    EndOfStream,
    QueueItem,
    SegmentSink,
    SessionConfig,
    TranscriptionSession,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 9092  # 0: pick a free port (tests)
    first_frame_timeout_s: float = 5.0
    idle_timeout_s: float = 60.0  # no byte from Asterisk for this long: give up the stream
    queue_ms: int = 5000  # per-stream audio buffered ahead of the recognizer
    backpressure_timeout_s: float = 0.2
    close_timeout_s: float = 10.0  # time the recognizer gets to flush after hangup
    max_payload: int = DEFAULT_MAX_PAYLOAD
    keepalive: bool = True
    write_buffer_limit: int = 64 * 1024  # peer not reading: skip keepalive frames, don't pile up


@dataclass(slots=True)
class StreamReport:
    """What happened on one connection (kept for logs, tests and the wallboard)."""

    peer: str
    stream_id: str = ""
    leg: Leg | None = None
    sample_rate: int = 0
    audio_frames: int = 0
    audio_samples: int = 0
    dropped_samples: int = 0
    dtmf: str = ""
    errors: list[str] = field(default_factory=list)
    silence_frames_sent: int = 0
    end_reason: str = ""
    clean: bool = True

    @property
    def audio_ms(self) -> int:
        return round(self.audio_samples * 1000 / self.sample_rate) if self.sample_rate else 0


class _Closed(Exception):
    """Internal: end the connection with ``reason``."""

    def __init__(self, reason: str, *, clean: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.clean = clean


class AudioSocketServer:
    def __init__(
        self,
        legs: LegDirectory,
        factory: RecognizerFactory,
        sink: SegmentSink,
        config: ServerConfig | None = None,
        session_config: SessionConfig | None = None,
        *,
        executor: Executor | None = None,
        on_report: Callable[[StreamReport], None] | None = None,
    ) -> None:
        self.legs = legs
        self.factory = factory
        self.sink = sink
        self.config = config or ServerConfig()
        self.session_config = session_config or SessionConfig()
        self.executor = executor
        self.on_report = on_report
        self.reports: deque[StreamReport] = deque(maxlen=1000)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._readers: set[asyncio.StreamReader] = set()
        self._aborting = False

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            raise RuntimeError("server not started")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def active_streams(self) -> int:
        return len(self._connections)

    async def start(self) -> None:
        self._aborting = False
        self._server = await asyncio.start_server(
            self._on_connect, self.config.host, self.config.port
        )
        log.info("AudioSocket server listening on %s:%d", self.config.host, self.port)

    def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(self._serve(reader, writer))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    async def close(self) -> None:
        """Graceful: stop accepting, end every stream (finals flushed), close sockets."""
        if self._server is not None:
            self._server.close()
        for reader in list(self._readers):
            reader.feed_eof()  # what was received is processed, then the session flushes
        if self._connections:
            await asyncio.wait(set(self._connections), timeout=self.config.close_timeout_s)
        await self._cancel_and_wait_closed()

    async def abort(self) -> None:
        """Like a crash: reset every socket and drop all work without flushing anything."""
        self._aborting = True
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._cancel_and_wait_closed()

    async def _cancel_and_wait_closed(self) -> None:
        """The end of close() and abort(): cancel what still runs, wait for the listener."""
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> AudioSocketServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- one connection -------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        report = StreamReport(peer=f"{peer[0]}:{peer[1]}" if peer else "?")
        self._writers.add(writer)
        self._readers.add(reader)
        conn = _Connection(self, reader, writer, report)
        try:
            await conn.run()
        except asyncio.CancelledError:
            report.end_reason = report.end_reason or ("aborted" if self._aborting else "cancelled")
            report.clean = False
            if not self._aborting:
                raise
        finally:
            await conn.stop_tasks()
            self._writers.discard(writer)
            self._readers.discard(reader)
            if not self._aborting:
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            self.reports.append(report)
            level = logging.INFO if report.clean else logging.WARNING
            log.log(
                level,
                "AudioSocket stream %s from %s closed: %s (%d ms audio, %d ms dropped)",
                report.stream_id or "-",
                report.peer,
                report.end_reason,
                report.audio_ms,
                round(report.dropped_samples * 1000 / report.sample_rate)
                if report.sample_rate
                else 0,
            )
            if self.on_report is not None:
                self.on_report(report)


class _Connection:
    def __init__(
        self,
        server: AudioSocketServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        report: StreamReport,
    ) -> None:
        self.server = server
        self.config = server.config
        self.reader = reader
        self.writer = writer
        self.report = report
        self.decoder = FrameDecoder(self.config.max_payload)
        self.pending: list[Frame] = []
        self.audio_kind = Kind.SLIN_8K
        self.queue: asyncio.Queue[QueueItem] | None = None
        self.session_task: asyncio.Task[None] | None = None
        self.keepalive_task: asyncio.Task[None] | None = None
        self.dropping = False
        self.position = 0  # stream samples received (dropped ones included)

    async def _next_frame(self, wait_s: float) -> Frame | None:
        while not self.pending:
            if self.decoder.error is not None:
                raise _Closed(f"protocol error: {self.decoder.error}", clean=False)
            try:
                data = await asyncio.wait_for(self.reader.read(65536), wait_s)
            except TimeoutError:
                raise _Closed(f"no data for {wait_s:g} s", clean=False) from None
            except ConnectionResetError:
                # Asterisk closing with our keepalive frames still unread resets the socket:
                # that is a hangup, unless it cuts a frame in half.
                if self.decoder.pending:
                    raise _Closed("peer reset the connection mid-frame", clean=False) from None
                return None
            except ConnectionError as exc:
                raise _Closed(f"connection lost: {exc}", clean=False) from None
            if not data:
                if self.decoder.pending:
                    raise _Closed(
                        f"peer closed mid-frame ({self.decoder.pending} bytes left)", clean=False
                    )
                return None
            try:
                self.pending.extend(self.decoder.feed(data))
            except ProtocolError as exc:
                raise _Closed(f"protocol error: {exc}", clean=False) from None
        return self.pending.pop(0)

    async def run(self) -> None:
        try:
            await self._run()
        except _Closed as closed:
            self.report.end_reason = closed.reason
            self.report.clean = closed.clean
        await self._finish_session()

    async def _run(self) -> None:
        first = await self._next_frame(self.config.first_frame_timeout_s)
        if first is None:
            raise _Closed("peer closed before the UUID frame", clean=False)
        stream_id = str(first.uuid())
        self.report.stream_id = stream_id
        leg = await self.server.legs.lookup(stream_id)
        if leg is None:
            raise _Closed(
                f"unknown stream uuid {stream_id} (no tapped leg registered)", clean=False
            )
        self.report.leg = leg
        if self.config.keepalive:
            self.keepalive_task = asyncio.create_task(self._keepalive())
        while True:
            frame = await self._next_frame(self.config.idle_timeout_s)
            if frame is None:
                raise _Closed("peer closed (hangup)", clean=True)
            if frame.is_audio:
                await self._audio(frame, leg, stream_id)
            elif frame.kind is Kind.DTMF:
                self.report.dtmf += frame.payload.decode("ascii", "replace")
            elif frame.kind is Kind.ERROR:
                text = frame.error_text()
                self.report.errors.append(text)
                log.warning("AudioSocket stream %s: Asterisk sent %s", stream_id, text)
            elif frame.kind is Kind.HANGUP:
                raise _Closed("hangup frame", clean=True)
            elif frame.kind is Kind.UUID:
                raise _Closed("protocol error: second UUID frame", clean=False)

    async def _audio(self, frame: Frame, leg: Leg, stream_id: str) -> None:
        if self.queue is None:
            self.audio_kind = frame.kind
            self.report.sample_rate = frame.sample_rate
            frames = max(1, self.config.queue_ms // FRAME_MS)
            self.queue = asyncio.Queue(maxsize=frames)
            session = TranscriptionSession(
                leg,
                frame.sample_rate,
                self.server.factory,
                self.server.sink,
                self.server.session_config,
                stream_id=stream_id,
                executor=self.server.executor,
            )
            self.session_task = asyncio.create_task(session.run(self.queue))
        elif frame.kind is not self.audio_kind:
            raise _Closed(
                f"protocol error: audio kind changed from 0x{self.audio_kind:02x} "
                f"to 0x{frame.kind:02x}",
                clean=False,
            )
        samples = len(frame.payload) // 2
        item = AudioChunk(self.position, frame.payload)
        self.position += samples
        self.report.audio_frames += 1
        self.report.audio_samples += samples
        if not await self._enqueue(item):
            self.report.dropped_samples += samples

    async def _enqueue(self, item: AudioChunk) -> bool:
        assert self.queue is not None
        if self.dropping:
            if self.queue.qsize() > self.queue.maxsize // 2:
                return False
            self.dropping = False
        try:
            self.queue.put_nowait(item)
            return True
        except asyncio.QueueFull:
            pass
        try:
            await asyncio.wait_for(self.queue.put(item), self.config.backpressure_timeout_s)
            return True
        except TimeoutError:
            self.dropping = True  # recognizer too slow: drop until half the queue drained
            return False

    async def _keepalive(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        transport = self.writer.transport
        while not transport.is_closing():
            rate = AUDIO_RATES[self.audio_kind]
            if transport.get_write_buffer_size() < self.config.write_buffer_limit:
                self.writer.write(silence_frame(rate))
                self.report.silence_frames_sent += 1
            next_at += FRAME_MS / 1000
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def _finish_session(self) -> None:
        if self.queue is None or self.session_task is None:
            return
        end = EndOfStream(self.position)
        try:
            await asyncio.wait_for(self.queue.put(end), self.config.close_timeout_s)
            await asyncio.wait_for(asyncio.shield(self.session_task), self.config.close_timeout_s)
        except TimeoutError:
            log.warning(
                "stream %s: recognizer did not finish in %g s; abandoning it",
                self.report.stream_id,
                self.config.close_timeout_s,
            )
            self.session_task.cancel()
        except Exception:  # a bug in the session must not take the server down
            log.exception("stream %s: transcription session failed", self.report.stream_id)

    async def stop_tasks(self) -> None:
        tasks = [t for t in (self.keepalive_task, self.session_task) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def new_stream_id() -> str:
    return str(uuid.uuid4())
