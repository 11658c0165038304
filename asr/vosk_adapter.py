"""Thin typed wrapper around the untyped ``vosk`` package.

One :class:`VoskModel` per process, loaded at start by :func:`load_model_blocking` (seconds for
the small model, ~1 min and >1 GB for the big one — never per call). Each stream gets its own
``KaldiRecognizer`` at the telephony rate (8 kHz for AudioSocket ``0x10``; libvosk resamples to
the model rate internally) with ``SetWords(True)`` so finals carry word timestamps. All methods
here block; callers run them through an executor (cffi releases the GIL while decoding).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from asr.recognizer import RecognitionResult, StreamRecognizer, Word

log = logging.getLogger(__name__)

# Files that every Vosk model directory has (small and big Chinese models alike).
MODEL_MARKERS = ("am/final.mdl", "conf/model.conf")


class ModelNotFoundError(RuntimeError):
    """No usable Vosk model; the message says where we looked and how to fetch one."""


def is_model_dir(path: Path) -> bool:
    return path.is_dir() and all((path / marker).is_file() for marker in MODEL_MARKERS)


def find_model_dir(model_path: Path | None, models_dir: Path) -> Path:
    """The configured model, else the first model directory under ``models_dir`` (sorted)."""
    if model_path is not None:
        if is_model_dir(model_path):
            return model_path
        raise ModelNotFoundError(
            f"configured Vosk model {model_path} is not a model directory "
            f"(needs {', '.join(MODEL_MARKERS)})"
        )
    candidates = sorted(p for p in models_dir.glob("vosk-model*") if is_model_dir(p))
    if not candidates:
        raise ModelNotFoundError(
            f"no Vosk model under {models_dir.resolve()}: run `python -m hotline models fetch` "
            "or set HOTLINE_ASR__MODEL_PATH"
        )
    return candidates[0]


def model_sample_rate(path: Path, default: int = 16000) -> int:
    """The rate the model was trained at (``--sample-frequency`` in conf/mfcc.conf)."""
    conf = path / "conf" / "mfcc.conf"
    if conf.is_file():
        for line in conf.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.strip().partition("=")
            if key == "--sample-frequency" and value.strip().isdigit():
                return int(value.strip())
    return default


def _words(raw: object) -> tuple[Word, ...]:
    if not isinstance(raw, list):
        return ()
    words: list[Word] = []
    for item in raw:
        entry = cast(dict[str, Any], item)
        words.append(
            Word(
                text=str(entry.get("word", "")),
                start_s=float(entry.get("start", 0.0)),
                end_s=float(entry.get("end", 0.0)),
                confidence=float(entry.get("conf", 0.0)),
            )
        )
    return tuple(words)


def _clean(text: str) -> str:
    # Chinese Vosk models emit words separated by spaces ("甚至 出现 交易"); Chinese text has none.
    return "".join(text.split())


def parse_result(raw: str, *, final: bool) -> RecognitionResult:
    """Parse Vosk's JSON (``{"text": …, "result": [...]}`` or ``{"partial": …}``)."""
    data = cast(dict[str, Any], json.loads(raw))
    if final:
        return RecognitionResult(
            _clean(str(data.get("text", ""))), True, _words(data.get("result"))
        )
    return RecognitionResult(
        _clean(str(data.get("partial", ""))), False, _words(data.get("partial_result"))
    )


class VoskStreamRecognizer:
    """Implements :class:`asr.recognizer.StreamRecognizer` over one ``KaldiRecognizer``."""

    def __init__(self, recognizer: Any) -> None:
        self._rec = recognizer

    def accept_blocking(self, pcm: bytes) -> RecognitionResult:
        if self._rec.AcceptWaveform(pcm):
            return parse_result(str(self._rec.Result()), final=True)
        return parse_result(str(self._rec.PartialResult()), final=False)

    def finish_blocking(self) -> RecognitionResult:
        return parse_result(str(self._rec.FinalResult()), final=True)


@dataclass(frozen=True, slots=True)
class VoskModel:
    """A loaded model (opaque handle) and where it came from."""

    path: Path
    handle: Any

    @property
    def name(self) -> str:
        return self.path.name


def load_model_blocking(path: Path, *, log_level: int = -1) -> VoskModel:
    import vosk  # deferred: importing vosk dlopens libvosk

    vosk.SetLogLevel(log_level)
    log.info("loading Vosk model %s", path)
    try:
        handle = vosk.Model(str(path))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelNotFoundError(f"Vosk could not load the model at {path}: {exc}") from exc
    return VoskModel(path=path, handle=handle)


class VoskRecognizerFactory:
    """Implements :class:`asr.recognizer.RecognizerFactory`: one model, a recognizer per stream."""

    def __init__(self, model: VoskModel, *, partial_words: bool = False) -> None:
        self.model = model
        self.partial_words = partial_words

    @property
    def name(self) -> str:
        return self.model.name

    def create_blocking(self, sample_rate: int) -> StreamRecognizer:
        import vosk

        recognizer = vosk.KaldiRecognizer(self.model.handle, float(sample_rate))
        recognizer.SetWords(True)
        if self.partial_words:
            recognizer.SetPartialWords(True)
        return VoskStreamRecognizer(recognizer)
