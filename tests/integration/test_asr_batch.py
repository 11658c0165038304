"""Batch transcription: real speech written in many WAV flavours, plus broken files."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from scipy.io import wavfile

from asr.batch import read_wav_blocking, resample, transcribe_files_blocking
from asr.scripted import ScriptedRecognizerFactory
from tests.conftest import shared_path

TEXT = "欢迎大家来体验达摩院推出的语音识别模型"


def source() -> tuple[npt.NDArray[np.float64], int]:
    rate, data = wavfile.read(shared_path("asr-samples", "funasr_asr_example.wav"))
    return np.asarray(data, np.float64) / 32768.0, int(rate)


def write_flavour(path: Path, flavour: str) -> None:
    floats, rate = source()
    if flavour == "8k-int16-mono":
        wavfile.write(path, 8000, (resample(floats, rate, 8000) * 32767).astype(np.int16))
    elif flavour == "44k1-float32-stereo":
        mono32 = resample(floats, rate, 44100).astype(np.float32)
        wavfile.write(path, 44100, np.stack([mono32, mono32 * 0.5], axis=1))
    elif flavour == "22k05-uint8-mono":
        mono = resample(floats, rate, 22050)
        wavfile.write(path, 22050, np.clip(mono * 127 + 128, 0, 255).astype(np.uint8))
    elif flavour == "48k-int24-stereo":
        mono = (resample(floats, rate, 48000) * 8388607).astype(np.int32)
        frames = np.stack([mono, mono], axis=1).reshape(-1)
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in frames)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(3)
            out.setframerate(48000)
            out.writeframes(raw)
    else:
        raise AssertionError(flavour)


@pytest.mark.parametrize(
    "flavour", ["8k-int16-mono", "44k1-float32-stereo", "22k05-uint8-mono", "48k-int24-stereo"]
)
def test_any_wav_is_resampled_and_segmented_like_the_original(flavour: str, tmp_path: Path) -> None:
    reference = transcribe_files_blocking(
        [shared_path("asr-samples", "funasr_asr_example.wav")],
        ScriptedRecognizerFactory([TEXT]),
        16000,
    )[0]
    path = tmp_path / f"{flavour}.wav"
    write_flavour(path, flavour)
    audio = read_wav_blocking(path, 16000)
    assert (audio.sample_rate, audio.samples.dtype) == (16000, np.dtype(np.int16))
    assert audio.duration_s == pytest.approx(reference.duration_s, abs=0.01)
    result = transcribe_files_blocking([path], ScriptedRecognizerFactory([TEXT]), 16000)[0]
    assert result.error is None
    assert [s.text for s in result.segments] == [TEXT]
    assert result.segments[0].speaker == "voicemail"
    assert result.segments[0].call_id == flavour
    assert result.segments[0].start_ms == pytest.approx(reference.segments[0].start_ms, abs=60)
    assert result.segments[0].end_ms == pytest.approx(reference.segments[0].end_ms, abs=60)


def test_broken_files_get_a_clear_error_and_the_others_are_still_done(tmp_path: Path) -> None:
    good = shared_path("asr-samples", "speechio_MINI_ZH_CCTV_1.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("这不是音频")
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(good.read_bytes()[:30])
    silent = tmp_path / "no-samples.wav"
    wavfile.write(silent, 8000, np.zeros(0, dtype=np.int16))
    missing = tmp_path / "missing.wav"
    files = [empty, good, text, truncated, silent, missing, good]
    done: list[str] = []
    results = transcribe_files_blocking(
        files,
        ScriptedRecognizerFactory(["各位观众晚上好"]),
        16000,
        on_done=lambda r: done.append(r.path.name),
    )
    assert done == [f.name for f in files]
    errors = {r.path.name: r.error for r in results if r.error}
    assert set(errors) == {
        "empty.wav",
        "notes.wav",
        "truncated.wav",
        "no-samples.wav",
        "missing.wav",
    }
    for name, message in errors.items():
        assert message is not None
        assert message.startswith(str(tmp_path / name))
    assert "file not found" in str(errors["missing.wav"])
    assert "no audio samples" in str(errors["no-samples.wav"])
    assert [r.text for r in results if not r.error] == ["各位观众晚上好", "各位观众晚上好"]
