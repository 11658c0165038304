"""Live transcription in the demo: the PBX simulator accepts the tap Originates, streams real
speech (../shared/asr-samples) over real TCP AudioSocket to the ASR worker, and the real
libvosk (the generated tiny model, tests/fixtures/tiny_vosk_model.py) turns it into
transcript segments per speaker, stored and published on ``asr.segment``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hotline.components import RunningSim, demo_components
from hotline.serving import BASE_DEMO_COMPONENTS
from hotline.telephony_wiring import TelephonyLink
from tests.e2e.demo_asr_support import (
    collected_payloads,
    demo_asr_settings,
    demo_sim_options,
    started_container,
)
from tests.fixtures.tiny_vosk_model import WORD

GUARD_S = 60.0  # hang guard, not a timing assertion


async def test_simulated_calls_are_transcribed_live_per_speaker(tmp_path: Path) -> None:
    sim = demo_sim_options(talk_mean_s=15.0)
    async with started_container(demo_asr_settings(tmp_path)) as container:
        async with collected_payloads(container.bus, "asr.segment") as published:
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
        calls = {p["call_id"] for p in published}
        assert calls & {t.linkedid for t in answered}
        assert {p["speaker"] for p in published} == {"caller", "agent"}
        assert any(WORD in str(p["text"]) for p in published)
