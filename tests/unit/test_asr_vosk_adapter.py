"""The typed Vosk wrapper: JSON parsing, model discovery; the real model when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr.recognizer import RecognitionResult, Word
from asr.vosk_adapter import (
    ModelNotFoundError,
    find_model_dir,
    load_model_blocking,
    model_sample_rate,
    parse_result,
)
from tests.asr_support import require_vosk_model


def test_final_json_with_words() -> None:
    raw = json.dumps(
        {
            "result": [
                {"conf": 1.0, "end": 0.93, "start": 0.51, "word": "甚至"},
                {"conf": 0.5, "end": 1.2, "start": 0.93, "word": "出现"},
            ],
            "text": "甚至 出现",
        },
        ensure_ascii=False,
    )
    result = parse_result(raw, final=True)
    assert result == RecognitionResult(
        "甚至出现", True, (Word("甚至", 0.51, 0.93, 1.0), Word("出现", 0.93, 1.2, 0.5))
    )
    assert (result.start_s, result.end_s, result.confidence) == (0.51, 1.2, 0.75)


@pytest.mark.parametrize(
    ("raw", "final", "expected"),
    [
        ('{"partial" : "甚至 出"}', False, RecognitionResult("甚至出", False)),
        ('{"text" : ""}', True, RecognitionResult("", True)),
        ('{"partial" : ""}', False, RecognitionResult("", False)),
    ],
)
def test_partial_and_empty_results(raw: str, final: bool, expected: RecognitionResult) -> None:
    assert parse_result(raw, final=final) == expected


def make_model_dir(path: Path, rate: int | None = 16000) -> Path:
    (path / "am").mkdir(parents=True)
    (path / "conf").mkdir()
    (path / "am" / "final.mdl").write_bytes(b"\0")
    (path / "conf" / "model.conf").write_text("")
    if rate is not None:
        (path / "conf" / "mfcc.conf").write_text(f"--use-energy=false\n--sample-frequency={rate}\n")
    return path


def test_find_model_prefers_configured_then_first_under_models(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="models fetch"):
        find_model_dir(None, tmp_path)
    make_model_dir(tmp_path / "vosk-model-small-cn-0.22")
    make_model_dir(tmp_path / "vosk-model-cn-0.22", rate=8000)
    (tmp_path / "vosk-model-broken").mkdir()
    assert find_model_dir(None, tmp_path).name == "vosk-model-cn-0.22"
    assert find_model_dir(tmp_path / "vosk-model-small-cn-0.22", tmp_path).name.startswith("vosk")
    with pytest.raises(ModelNotFoundError, match="not a model directory"):
        find_model_dir(tmp_path / "vosk-model-broken", tmp_path)
    assert model_sample_rate(tmp_path / "vosk-model-cn-0.22") == 8000
    assert model_sample_rate(make_model_dir(tmp_path / "x", rate=None)) == 16000


def test_libvosk_refuses_a_fake_model_with_a_clear_error(tmp_path: Path) -> None:
    fake = make_model_dir(tmp_path / "vosk-model-fake")
    with pytest.raises(ModelNotFoundError, match="Vosk could not load the model"):
        load_model_blocking(fake)


@pytest.mark.vosk_model
def test_real_model_transcribes_a_sample_at_8k() -> None:
    from asr.batch import read_wav_blocking, transcribe_audio_blocking
    from asr.vosk_adapter import VoskRecognizerFactory
    from tests.conftest import shared_path

    factory = VoskRecognizerFactory(load_model_blocking(require_vosk_model()))
    audio = read_wav_blocking(shared_path("asr-samples", "aishell1_BAC009S0724W0121.wav"), 8000)
    segments = transcribe_audio_blocking(audio, factory, call_id="x")
    text = "".join(s.text for s in segments)
    print(f"\n[vosk 8 kHz] {text!r} vs '广州市房地产中介协会分析'")
    assert text
    assert all(0 <= s.start_ms < s.end_ms <= 4300 for s in segments)
