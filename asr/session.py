"""One stream's transcription: audio chunks in, :class:`TranscriptSegment` out.

Partials are published at least every ``partial_interval_ms`` of audio while speech is going on,
finals at endpoints; both go to the bus topic ``asr.segment``; finals and gaps are also stored.
Times are milliseconds on the *stream's* clock (samples received since the stream started), so
dropped audio still advances time and later segments stay in place.

Fail-open: when the recognizer cannot be created (no model), raises, or stalls, the session
stops decoding, keeps draining audio (the server keeps the socket alive), and records a gap
segment for the audio it could not transcribe. Nothing here ever blocks the call itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from typing import Any

from asr.legs import Leg
from asr.recognizer import RecognitionResult, RecognizerFactory, StreamRecognizer
from core.itn import normalize
from core.ports import EventBus, TranscriptSegment, TranscriptStore

log = logging.getLogger(__name__)

TOPIC = "asr.segment"


def itn(text: str) -> str:
    """Chinese inverse text normalisation of a final (幺三八… → 138…; 二十六号楼 → 26号楼)."""
    return normalize(text).text


@dataclass(frozen=True, slots=True)
class AudioChunk:
    offset: int  # stream position of the first sample
    pcm: bytes


@dataclass(frozen=True, slots=True)
class EndOfStream:
    total: int  # samples the stream carried, including dropped ones


QueueItem = AudioChunk | EndOfStream


@dataclass(frozen=True, slots=True)
class SessionConfig:
    chunk_ms: int = 100
    partial_interval_ms: int = 300
    stall_timeout_s: float = 5.0  # one accept taking longer than this = recognizer stuck


class SegmentSink:
    """Publishes every segment and stores finals and gaps. Errors are logged, never raised:
    a broken bus or database must not end a live stream."""

    def __init__(
        self,
        bus: EventBus | None,
        store: TranscriptStore | None,
        normalise: Callable[[str], str] = itn,
    ) -> None:
        self.bus = bus
        self.store = store
        self.normalise = normalise
        self.errors = 0

    async def emit(
        self, segment: TranscriptSegment, extra: dict[str, Any] | None = None
    ) -> TranscriptSegment:
        if segment.final and not segment.gap and segment.text and not segment.text_normalised:
            try:
                normalised = self.normalise(segment.text)
            except Exception:
                log.exception("ITN failed for %r; keeping the raw text", segment.text)
                normalised = segment.text
            segment = TranscriptSegment(**{**asdict(segment), "text_normalised": normalised})
        if self.bus is not None:
            try:
                await self.bus.publish(TOPIC, {**asdict(segment), **(extra or {})})
            except Exception:
                self.errors += 1
                log.exception("publishing %s failed", TOPIC)
        if self.store is not None and (segment.final or segment.gap):
            try:
                await self.store.add(segment)
            except Exception:
                self.errors += 1
                log.exception("storing a transcript segment of call %s failed", segment.call_id)
        return segment


class TranscriptionSession:
    def __init__(
        self,
        leg: Leg,
        sample_rate: int,
        factory: RecognizerFactory,
        sink: SegmentSink,
        config: SessionConfig | None = None,
        *,
        stream_id: str = "",
        executor: Executor | None = None,
    ) -> None:
        self.leg = leg
        self.rate = sample_rate
        self.factory = factory
        self.sink = sink
        self.config = config or SessionConfig()
        self.stream_id = stream_id
        self._executor = executor
        self._recognizer: StreamRecognizer | None = None
        self._shift = 0  # stream sample at which the current recognizer started
        self._fed = 0  # stream samples handed to the recognizer (or skipped in gap mode)
        self._last_final_end = 0
        self._since_partial = 0
        self._failed_at: int | None = None  # stream sample where decoding stopped
        self.segments: list[TranscriptSegment] = []

    def _ms(self, samples: int) -> int:
        return round(samples * 1000 / self.rate)

    async def _blocking(
        self, fn: Callable[..., RecognitionResult], *args: Any
    ) -> RecognitionResult:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, fn, *args)
        return await asyncio.wait_for(future, self.config.stall_timeout_s)

    async def _start_recognizer(self, at: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._recognizer = await loop.run_in_executor(
                self._executor, self.factory.create_blocking, self.rate
            )
            self._shift = at
        except Exception as exc:
            self._fail(at, f"recognizer unavailable: {exc}")

    def _fail(self, at: int, reason: str) -> None:
        if self._failed_at is None:
            log.warning(
                "stream %s (%s/%s): %s — recording a gap",
                self.stream_id,
                self.leg.call_id,
                self.leg.speaker,
                reason,
            )
            self._failed_at = at
        self._recognizer = None

    async def _emit(
        self,
        text: str,
        start: int,
        end: int,
        *,
        final: bool,
        gap: bool = False,
        confidence: float = 0.0,
        words: list[dict[str, Any]] | None = None,
    ) -> None:
        segment = TranscriptSegment(
            call_id=self.leg.call_id,
            speaker=self.leg.speaker,
            start_ms=self._ms(start),
            end_ms=self._ms(end),
            text=text,
            final=final,
            confidence=round(confidence, 3),
            gap=gap,
        )
        extra: dict[str, Any] = {"stream_id": self.stream_id}
        if words is not None:
            extra["words"] = words
        self.segments.append(await self.sink.emit(segment, extra))

    async def _handle(self, result: RecognitionResult, chunk_samples: int) -> None:
        if result.final:
            self._since_partial = 0
            if not result.text:
                return
            start = self._shift + round((result.start_s or 0.0) * self.rate)
            end = self._shift + round(result.end_s * self.rate) if result.end_s else self._fed
            if not result.words:
                start = self._last_final_end
            words = [
                {
                    "w": w.text,
                    "start_ms": self._ms(self._shift + round(w.start_s * self.rate)),
                    "end_ms": self._ms(self._shift + round(w.end_s * self.rate)),
                    "conf": w.confidence,
                }
                for w in result.words
            ]
            await self._emit(
                result.text, start, end, final=True, confidence=result.confidence, words=words
            )
            self._last_final_end = end
            return
        self._since_partial += chunk_samples
        if (
            result.text
            and self._since_partial * 1000 >= self.config.partial_interval_ms * self.rate
        ):
            self._since_partial = 0
            start = (
                self._shift + round(result.start_s * self.rate)
                if result.start_s is not None
                else self._last_final_end
            )
            await self._emit(
                result.text, start, self._fed, final=False, confidence=result.confidence
            )

    async def _feed(self, pcm: bytes) -> None:
        samples = len(pcm) // 2
        if self._recognizer is None:
            self._fed += samples
            return
        try:
            result = await self._blocking(self._recognizer.accept_blocking, pcm)
        except TimeoutError:
            self._fail(self._fed, f"recognizer stalled > {self.config.stall_timeout_s} s")
            self._fed += samples
            return
        except Exception as exc:
            self._fail(self._fed, f"recognizer failed: {exc!r}")
            self._fed += samples
            return
        self._fed += samples
        await self._handle(result, samples)

    async def _flush(self) -> None:
        """Final result of the audio fed so far (end of stream or before a gap)."""
        if self._recognizer is None:
            return
        try:
            result = await self._blocking(self._recognizer.finish_blocking)
        except Exception as exc:
            self._fail(self._fed, f"recognizer failed at flush: {exc!r}")
            return
        await self._handle(result, 0)

    async def _close_gap(self, end: int) -> None:
        if self._failed_at is not None and end > self._failed_at:
            await self._emit("", self._failed_at, end, final=True, gap=True)

    async def run(self, queue: asyncio.Queue[QueueItem]) -> None:
        """Consume the stream's queue until :class:`EndOfStream`."""
        await self._start_recognizer(0)
        chunk_bytes = self.rate * self.config.chunk_ms // 1000 * 2
        buffer = bytearray()
        while True:
            item = await queue.get()
            if isinstance(item, EndOfStream):
                if buffer:
                    await self._feed(bytes(buffer))
                await self._flush()
                if item.total > self._fed:  # tail dropped under backpressure
                    await self._record_drop(self._fed, item.total)
                await self._close_gap(max(item.total, self._fed))
                return
            expected = self._fed + len(buffer) // 2
            if item.offset > expected:  # audio was dropped under backpressure
                if buffer:
                    await self._feed(bytes(buffer))
                    buffer.clear()
                await self._flush()
                await self._record_drop(self._fed, item.offset)
                self._fed = item.offset
                if self._failed_at is None:
                    await self._start_recognizer(item.offset)
            buffer += item.pcm
            if len(buffer) >= chunk_bytes:
                await self._feed(bytes(buffer))
                buffer.clear()

    async def _record_drop(self, start: int, end: int) -> None:
        if self._failed_at is not None:
            return  # the failure gap covers it
        log.warning(
            "stream %s (%s/%s): %d ms of audio dropped (ASR too slow)",
            self.stream_id,
            self.leg.call_id,
            self.leg.speaker,
            self._ms(end - start),
        )
        await self._emit("", start, end, final=True, gap=True)
        self._last_final_end = end
