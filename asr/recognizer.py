"""The recognizer seam: a small Protocol that Vosk and the deterministic test recognizer implement.

A :class:`StreamRecognizer` belongs to one audio stream. ``accept`` and ``finish`` may block
(libvosk decodes in C), so callers run them in an executor; they are never called concurrently
for the same stream. Times in results are seconds since the first sample given to *this*
recognizer, exactly as Vosk reports them; the session maps them onto the stream's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start_s: float
    end_s: float
    confidence: float


@dataclass(frozen=True, slots=True)
class RecognitionResult:
    """``final`` True: an endpoint was reached and ``text`` will not change any more."""

    text: str
    final: bool
    words: tuple[Word, ...] = ()

    @property
    def start_s(self) -> float | None:
        return self.words[0].start_s if self.words else None

    @property
    def end_s(self) -> float | None:
        return self.words[-1].end_s if self.words else None

    @property
    def confidence(self) -> float:
        """Mean word confidence; 0.0 when the engine gave none (e.g. Vosk partials)."""
        if not self.words:
            return 0.0
        return sum(w.confidence for w in self.words) / len(self.words)


class StreamRecognizer(Protocol):
    def accept_blocking(self, pcm: bytes) -> RecognitionResult:
        """Feed 16-bit little-endian mono PCM; return a final at an endpoint, else the partial."""
        ...

    def finish_blocking(self) -> RecognitionResult:
        """Flush at end of stream (or before a gap): the final result of the pending audio."""
        ...


class RecognizerFactory(Protocol):
    """Creates one recognizer per stream from a model loaded once per process."""

    @property
    def name(self) -> str: ...

    def create_blocking(self, sample_rate: int) -> StreamRecognizer: ...


class RecognizerUnavailableError(RuntimeError):
    """No recognizer can be made (no model, model failed to load)."""


class UnavailableRecognizerFactory:
    """Stands in when the model is missing: every stream is accepted (the call never notices)
    and recorded as a gap with this reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    @property
    def name(self) -> str:
        return "unavailable"

    def create_blocking(self, sample_rate: int) -> StreamRecognizer:
        raise RecognizerUnavailableError(self.reason)
