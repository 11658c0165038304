"""A deterministic recognizer for tests and the model-less demo.

It segments audio with a plain energy detector (the same endpoint idea as Vosk's default rule:
speech, then ``endpoint_silence_ms`` of quiet) and "recognises" each utterance as the next text
of a script. Timing, queueing, partial cadence and fail-open are therefore exercised on real
audio without a model; only the words themselves are scripted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from asr.recognizer import RecognitionResult, StreamRecognizer, Word

FRAME_MS = 20


class RecognizerFailure(RuntimeError):
    """Raised by the scripted recognizer when told to fail (fail-open tests)."""


@dataclass(frozen=True, slots=True)
class EnergyVadConfig:
    threshold_dbfs: float = -40.0
    min_speech_ms: int = 100
    endpoint_silence_ms: int = 500
    chars_per_second: float = 4.0  # partial text grows at a typical Mandarin speaking rate
    confidence: float = 0.9


class ScriptedRecognizer:
    """Implements :class:`asr.recognizer.StreamRecognizer`."""

    def __init__(
        self,
        sample_rate: int,
        script: Sequence[str],
        config: EnergyVadConfig,
        *,
        accept_delay_s: float = 0.0,
        fail_after_s: float | None = None,
    ) -> None:
        self._rate = sample_rate
        self._frame_samples = sample_rate * FRAME_MS // 1000
        self._script = list(script)
        self._config = config
        self._threshold = 32768.0 * 10 ** (config.threshold_dbfs / 20)
        self._accept_delay_s = accept_delay_s
        self._fail_after_s = fail_after_s
        self._carry = np.zeros(0, dtype=np.int16)
        self._frames_seen = 0
        self._voiced_run = 0  # consecutive voiced frames before speech is confirmed
        self._speech_start: int | None = None  # frame index
        self._last_voiced: int | None = None
        self._utterance = 0

    def _seconds(self, frame_index: int) -> float:
        return frame_index * FRAME_MS / 1000

    def _text(self) -> str:
        return self._script[self._utterance] if self._utterance < len(self._script) else ""

    def _final(self) -> RecognitionResult:
        assert self._speech_start is not None
        assert self._last_voiced is not None
        start = self._seconds(self._speech_start)
        end = self._seconds(self._last_voiced + 1)
        text = self._text()
        step = (end - start) / max(len(text), 1)
        words = tuple(
            Word(
                ch,
                round(start + i * step, 3),
                round(start + (i + 1) * step, 3),
                self._config.confidence,
            )
            for i, ch in enumerate(text)
        )
        self._utterance += 1
        self._speech_start = None
        self._last_voiced = None
        self._voiced_run = 0
        return RecognitionResult(text, final=True, words=words)

    def _partial(self) -> RecognitionResult:
        if self._speech_start is None:
            return RecognitionResult("", final=False)
        spoken_s = self._seconds(self._frames_seen - self._speech_start)
        text = self._text()
        shown = min(len(text), math.floor(spoken_s * self._config.chars_per_second))
        return RecognitionResult(text[:shown], final=False)

    def accept_blocking(self, pcm: bytes) -> RecognitionResult:
        if self._accept_delay_s:
            time.sleep(self._accept_delay_s)
        samples = np.concatenate([self._carry, np.frombuffer(pcm, dtype="<i2")])
        usable = len(samples) // self._frame_samples * self._frame_samples
        self._carry = samples[usable:]
        frames = samples[:usable].reshape(-1, self._frame_samples).astype(np.float64)
        rms = np.sqrt(np.mean(frames**2, axis=1)) if len(frames) else np.zeros(0)
        endpoint_frames = self._config.endpoint_silence_ms // FRAME_MS
        min_speech_frames = max(1, self._config.min_speech_ms // FRAME_MS)
        final: RecognitionResult | None = None
        for value in rms:
            index = self._frames_seen
            self._frames_seen += 1
            if self._fail_after_s is not None and self._seconds(index) >= self._fail_after_s:
                raise RecognizerFailure(f"scripted failure at {self._seconds(index):.2f} s")
            voiced = bool(value >= self._threshold)
            if self._speech_start is None:
                self._voiced_run = self._voiced_run + 1 if voiced else 0
                if self._voiced_run >= min_speech_frames:
                    self._speech_start = index - self._voiced_run + 1
                    self._last_voiced = index
                continue
            if voiced:
                self._last_voiced = index
            elif (
                final is None
                and self._last_voiced is not None
                and index - self._last_voiced >= endpoint_frames
            ):
                final = self._final()
        return final if final is not None else self._partial()

    def finish_blocking(self) -> RecognitionResult:
        if self._speech_start is None:
            return RecognitionResult("", final=True)
        return self._final()


class ScriptedRecognizerFactory:
    """Implements :class:`asr.recognizer.RecognizerFactory`. Each stream gets ``script``, or,
    when ``per_stream`` is given, the n-th recognizer created gets ``per_stream[n]``."""

    def __init__(
        self,
        script: Sequence[str] = (),
        config: EnergyVadConfig | None = None,
        *,
        per_stream: Sequence[Sequence[str]] = (),
        accept_delay_s: float = 0.0,
        fail_after_s: float | None = None,
    ) -> None:
        self.script = list(script)
        self.per_stream = [list(s) for s in per_stream]
        self.config = config or EnergyVadConfig()
        self.accept_delay_s = accept_delay_s
        self.fail_after_s = fail_after_s
        self.created = 0

    @property
    def name(self) -> str:
        return "scripted-energy-vad"

    def create_blocking(self, sample_rate: int) -> StreamRecognizer:
        index = self.created
        self.created += 1
        script = self.per_stream[index] if index < len(self.per_stream) else self.script
        return ScriptedRecognizer(
            sample_rate,
            script,
            self.config,
            accept_delay_s=self.accept_delay_s,
            fail_after_s=self.fail_after_s,
        )
