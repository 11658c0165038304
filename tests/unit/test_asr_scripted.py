from __future__ import annotations

import numpy as np
import pytest

from asr.recognizer import RecognitionResult
from asr.scripted import EnergyVadConfig, RecognizerFailure, ScriptedRecognizerFactory


def tone(seconds: float, rate: int = 8000, amplitude: int = 6000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 220 * t) * amplitude).astype("<i2").tobytes()


def quiet(seconds: float, rate: int = 8000) -> bytes:
    return bytes(int(seconds * rate) * 2)


def feed(
    pcm: bytes, factory: ScriptedRecognizerFactory, chunk_ms: int = 100
) -> list[RecognitionResult]:
    rec = factory.create_blocking(8000)
    step = 8000 * chunk_ms // 1000 * 2
    results = [rec.accept_blocking(pcm[i : i + step]) for i in range(0, len(pcm), step)]
    return [*results, rec.finish_blocking()]


def test_two_utterances_get_the_script_and_their_times() -> None:
    audio = quiet(0.5) + tone(1.0) + quiet(0.8) + tone(0.6) + quiet(0.7)
    finals = [
        r for r in feed(audio, ScriptedRecognizerFactory(["你好", "再见"])) if r.final and r.text
    ]
    assert [r.text for r in finals] == ["你好", "再见"]
    assert finals[0].start_s == pytest.approx(0.5, abs=0.02)
    assert finals[0].end_s == pytest.approx(1.5, abs=0.02)
    assert finals[1].start_s == pytest.approx(2.3, abs=0.02)
    assert [w.text for w in finals[0].words] == ["你", "好"]


def test_partials_grow_during_speech_and_stop_after_the_endpoint() -> None:
    results = feed(tone(1.5) + quiet(0.6), ScriptedRecognizerFactory(["一二三四五六七八"]))
    partials = [r.text for r in results if not r.final]
    assert partials[2] == "一"  # 0.3 s of speech at 4 chars/s
    assert partials[-1] == ""  # after the final no speech is pending
    # 1.5 s speech + up to 0.48 s of not-yet-endpointed silence → 7 chars at 4 chars/s
    assert max(partials, key=len) == "一二三四五六七"


def test_trailing_speech_is_flushed_by_finish() -> None:
    results = feed(quiet(0.2) + tone(0.5), ScriptedRecognizerFactory(["尾巴"]))
    assert results[-1] == RecognitionResult(results[-1].text, True, results[-1].words)
    assert results[-1].text == "尾巴"


def test_threshold_ignores_quiet_noise() -> None:
    config = EnergyVadConfig(threshold_dbfs=-30)
    results = feed(tone(1.0, amplitude=200) + quiet(0.6), ScriptedRecognizerFactory(["x"], config))
    assert not [r for r in results if r.text]


def test_scripted_failure_raises() -> None:
    with pytest.raises(RecognizerFailure):
        feed(tone(1.0), ScriptedRecognizerFactory(["x"], fail_after_s=0.5))
