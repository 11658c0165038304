"""Live transcription in the demo: the PBX simulator accepts the tap Originates, streams real
speech (../shared/asr-samples) over real TCP AudioSocket to the ASR worker, and the real
libvosk (the generated tiny model, tests/fixtures/tiny_vosk_model.py) turns it into
transcript segments per speaker, stored and published on ``asr.segment``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hotline.bootstrap import build_container
from hotline.components import RunningSim, SimOptions, demo_components
from hotline.serving import BASE_DEMO_COMPONENTS
from hotline.settings import Settings
from hotline.telephony_wiring import TelephonyLink
from tests.conftest import ASR_SAMPLES
from tests.fixtures.tiny_vosk_model import WORD, write_tiny_model

GUARD_S = 60.0  # hang guard, not a timing assertion


async def test_simulated_calls_are_transcribed_live_per_speaker(tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "models" / "vosk-model-tiny")
    settings = Settings(
        data_dir=tmp_path,
        log_level="WARNING",
        asr={"audiosocket_port": 0, "model_path": model, "models_dir": tmp_path / "models"},
        ivr={"agi_port": 0},
        classifier={"model_dir": tmp_path / "no-classifier"},
    )
    sim = SimOptions(
        calls_per_hour=600,
        agents=2,
        speed=10,
        hours=0.1,
        max_calls=3,
        seed=3,
        talk_mean_s=15.0,
        audio_dir=ASR_SAMPLES,
    )
    container = build_container(settings)
    await container.start()
    published: list[dict[str, Any]] = []
    try:
        async with container.bus.subscribe("asr.segment") as messages:

            async def collect() -> None:
                async for message in messages:
                    published.append(dict(message.payload))

            collector = asyncio.create_task(collect())
            try:
                for _, component in [*BASE_DEMO_COMPONENTS, *demo_components(sim)]:
                    await component(container)
                running = container.extras["simulator"]
                link = container.extras["telephony"]
                assert isinstance(running, RunningSim)
                assert isinstance(link, TelephonyLink)
                await asyncio.wait_for(running.finished.wait(), GUARD_S)
                server = running.server
                # the last leg's stream closes right after its hangup; wait for the streams
                if server.tap_streams:
                    await asyncio.wait(server.tap_streams, timeout=GUARD_S)
                answered = [t for t in server.truth if t.outcome == "answered"]
                assert answered, "the scenario must have an answered call"
                assert server.tap_frames_sent > 0

                by_call: dict[str, set[str]] = {}
                for _ in range(int(GUARD_S * 10)):  # finals land after the socket closes
                    by_call = {}
                    for truth in answered:
                        segments = await container.transcripts.for_call(truth.linkedid)
                        by_call[truth.linkedid] = {
                            s.speaker for s in segments if s.final and WORD in s.text
                        }
                    if any(v == {"caller", "agent"} for v in by_call.values()):
                        break
                    await asyncio.sleep(0.1)
                print("speakers with recognised speech per answered call:", by_call)
                assert any(v == {"caller", "agent"} for v in by_call.values())
            finally:
                collector.cancel()
        calls = {p["call_id"] for p in published}
        assert calls & {t.linkedid for t in answered}
        assert {p["speaker"] for p in published} == {"caller", "agent"}
        assert any(WORD in str(p["text"]) for p in published)
    finally:
        await container.stop()
