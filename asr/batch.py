"""Batch transcription of recordings and voicemail (电话语音留言): WAV at any rate, width and
channel count → mono 16-bit at the model rate → finals with word times.

Each file is independent: a broken file yields a :class:`FileTranscript` with ``error`` set
(naming the file and what is wrong) and the others are still processed.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from math import gcd
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.io import wavfile
from scipy.signal import resample_poly

from asr.recognizer import RecognitionResult, RecognizerFactory
from asr.session import itn
from core.ports import TranscriptSegment


class AudioFileError(ValueError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Audio:
    samples: npt.NDArray[np.int16]  # mono
    sample_rate: int

    @property
    def pcm(self) -> bytes:
        return self.samples.astype("<i2").tobytes()

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def _to_float(data: npt.NDArray[np.generic]) -> npt.NDArray[np.float64]:
    """Scale any WAV sample type to [-1, 1) floats."""
    if data.dtype == np.uint8:
        return (data.astype(np.float64) - 128.0) / 128.0
    if data.dtype == np.int16:
        return data.astype(np.float64) / 32768.0
    if data.dtype == np.int32:  # 24-bit WAVs are read left-aligned into int32
        return data.astype(np.float64) / 2147483648.0
    if data.dtype in (np.float32, np.float64):
        return data.astype(np.float64)
    raise ValueError(f"unsupported sample type {data.dtype}")


def resample(
    samples: npt.NDArray[np.float64], rate: int, target_rate: int
) -> npt.NDArray[np.float64]:
    if rate == target_rate:
        return samples
    divisor = gcd(rate, target_rate)
    return np.asarray(resample_poly(samples, target_rate // divisor, rate // divisor), np.float64)


def to_int16(samples: npt.NDArray[np.float64]) -> npt.NDArray[np.int16]:
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)


def read_wav_blocking(path: Path, target_rate: int) -> Audio:
    """Read a WAV file, mix to mono and resample to ``target_rate``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", wavfile.WavFileWarning)  # odd chunks: still readable
            rate, data = wavfile.read(path)
    except FileNotFoundError:
        raise AudioFileError(path, "file not found") from None
    except (ValueError, OSError, EOFError) as exc:
        raise AudioFileError(path, f"not a readable WAV file ({exc})") from None
    if rate <= 0:
        raise AudioFileError(path, f"invalid sample rate {rate}")
    if data.size == 0:
        raise AudioFileError(path, "no audio samples")
    try:
        floats = _to_float(data)
    except ValueError as exc:
        raise AudioFileError(path, str(exc)) from None
    if floats.ndim == 2:
        floats = floats.mean(axis=1)
    return Audio(to_int16(resample(floats, int(rate), target_rate)), target_rate)


@dataclass(slots=True)
class FileTranscript:
    path: Path
    segments: list[TranscriptSegment] = field(default_factory=list)
    duration_s: float = 0.0
    elapsed_s: float = 0.0
    error: str | None = None

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def real_time_factor(self) -> float:
        return self.elapsed_s / self.duration_s if self.duration_s else 0.0


def _segment(
    result: RecognitionResult,
    call_id: str,
    fallback_start: float,
    fallback_end: float,
    speaker: str,
    normalise: Callable[[str], str],
) -> TranscriptSegment:
    start = result.start_s if result.start_s is not None else fallback_start
    end = result.end_s if result.end_s is not None else fallback_end
    return TranscriptSegment(
        call_id=call_id,
        speaker=speaker,
        start_ms=round(start * 1000),
        end_ms=round(end * 1000),
        text=result.text,
        final=True,
        confidence=round(result.confidence, 3),
        text_normalised=normalise(result.text),
    )


def transcribe_audio_blocking(
    audio: Audio,
    factory: RecognizerFactory,
    *,
    call_id: str,
    speaker: str = "voicemail",
    chunk_ms: int = 200,
    normalise: Callable[[str], str] = itn,
) -> list[TranscriptSegment]:
    recognizer = factory.create_blocking(audio.sample_rate)
    pcm = audio.pcm
    chunk = audio.sample_rate * chunk_ms // 1000 * 2
    segments: list[TranscriptSegment] = []
    last_end = 0.0
    for offset in range(0, len(pcm), chunk):
        result = recognizer.accept_blocking(pcm[offset : offset + chunk])
        if result.final and result.text:
            now = (offset + chunk) / 2 / audio.sample_rate
            segments.append(_segment(result, call_id, last_end, now, speaker, normalise))
            last_end = segments[-1].end_ms / 1000
    result = recognizer.finish_blocking()
    if result.text:
        segments.append(_segment(result, call_id, last_end, audio.duration_s, speaker, normalise))
    return segments


def transcribe_files_blocking(
    paths: Iterable[Path],
    factory: RecognizerFactory,
    sample_rate: int,
    *,
    on_done: Callable[[FileTranscript], None] | None = None,
    normalise: Callable[[str], str] = itn,
) -> list[FileTranscript]:
    """Transcribe each file; errors are captured per file, never raised."""
    results: list[FileTranscript] = []
    for path in paths:
        transcript = FileTranscript(path)
        started = time.perf_counter()
        try:
            audio = read_wav_blocking(path, sample_rate)
            transcript.duration_s = audio.duration_s
            transcript.segments = transcribe_audio_blocking(
                audio, factory, call_id=path.stem, normalise=normalise
            )
        except AudioFileError as exc:
            transcript.error = str(exc)
        except Exception as exc:  # recognizer failure: report it for this file, go on
            transcript.error = f"{path}: transcription failed ({exc!r})"
        transcript.elapsed_s = time.perf_counter() - started
        results.append(transcript)
        if on_done is not None:
            on_done(transcript)
    return results
