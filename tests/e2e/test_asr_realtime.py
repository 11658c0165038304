"""End to end: real speech (16 kHz files downsampled to the 8 kHz phone path) streamed at
real-time pace through AudioSocket → segments on the bus → stored transcript. Prints latency.

Without a model the deterministic recognizer does the segmenting (its text is scripted from
transcripts.tsv); with a model under models/ the same path runs on Vosk (marker vosk_model).
"""

from __future__ import annotations

import asyncio
import csv
import statistics
import time

import pytest

from asr.recognizer import RecognizerFactory
from asr.scripted import ScriptedRecognizerFactory
from core.ports import BusMessage, TranscriptSegment
from tests.asr_fakes import MemoryBus
from tests.asr_support import AsteriskLike, Rig, load_pcm, require_vosk_model, rig
from tests.conftest import shared_path

# speaker → (sample file, when the leg starts talking); short clips keep real time ~2.5 s
LEGS = {
    "caller": ("speechio_MINI_ZH_CCTV_1.wav", 0.0),
    "agent": ("speechrecognition_chinese.wav", 0.4),
}
TAIL_S = 0.8  # line silence after the speech, so the endpoint is reached


def references() -> dict[str, str]:
    path = shared_path("asr-samples", "transcripts.tsv")
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["file"]: row["reference_text"] for row in rows}


Arrivals = list[tuple[float, BusMessage]]


async def run_call(
    factory: RecognizerFactory, call_id: str, *, speed: float
) -> tuple[Rig, Arrivals, dict[str, AsteriskLike]]:
    bus = MemoryBus()
    arrivals: Arrivals = []

    async def collect() -> None:
        async with bus.subscribe("asr.segment") as messages:
            async for message in messages:
                arrivals.append((time.perf_counter(), message))

    collector = asyncio.create_task(collect())
    await asyncio.sleep(0)
    async with rig(factory, bus=bus) as r:
        clients: dict[str, AsteriskLike] = {}

        async def leg(speaker: str) -> None:
            name, start_s = LEGS[speaker]
            pcm = load_pcm(shared_path("asr-samples", name), 8000) + bytes(int(TAIL_S * 8000) * 2)
            stream_id = await r.new_leg(call_id, speaker)
            clients[speaker] = await AsteriskLike.connect(r.server.port, stream_id)
            await clients[speaker].stream(bytes(int(start_s * 8000) * 2) + pcm, speed=speed)
            await clients[speaker].hangup()

        if speed:
            await asyncio.gather(*(leg(s) for s in LEGS))
        else:  # time-compressed: one leg after the other keeps recognizer order fixed
            for speaker in LEGS:
                await leg(speaker)
        await r.wait_report(2)
    collector.cancel()
    await asyncio.gather(collector, return_exceptions=True)
    return r, arrivals, clients


def latencies(arrivals: Arrivals, clients: dict[str, AsteriskLike], final: bool) -> list[float]:
    """Seconds from sending the frame that completes a segment to its arrival on the bus
    (for finals: the frame 500 ms after the last word, where the endpoint is detected)."""
    values = []
    for arrived, message in arrivals:
        payload = message.payload
        if bool(payload["final"]) is not final or payload["gap"]:
            continue
        sent = clients[str(payload["speaker"])].send_times
        covered_ms = int(payload["end_ms"]) + (500 if final else 0)
        index = -(-covered_ms // 20) - 1  # the frame whose last sample is at covered_ms
        values.append(arrived - sent[min(len(sent) - 1, index)])
    return values


def print_latency(label: str, arrivals: Arrivals, clients: dict[str, AsteriskLike]) -> None:
    for kind, final in (("partial", False), ("final", True)):
        values = latencies(arrivals, clients, final)
        if values:
            print(
                f"\n[{label}] {kind} latency over {len(values)} segments: median "
                f"{statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
            )


def check_transcript(stored: list[TranscriptSegment]) -> None:
    assert {s.speaker for s in stored} == {"caller", "agent"}
    assert not [s for s in stored if s.gap]
    for segment in stored:
        _, start_s = LEGS[segment.speaker]
        assert start_s * 1000 <= segment.start_ms < segment.end_ms <= 2500


def scripted() -> ScriptedRecognizerFactory:
    refs = references()
    # recognizers are created on a leg's first audio: the caller's leg starts first
    return ScriptedRecognizerFactory(per_stream=[[refs[LEGS[s][0]]] for s in ("caller", "agent")])


@pytest.mark.slow
async def test_real_time_two_legs_scripted() -> None:
    refs = references()
    r, arrivals, clients = await run_call(scripted(), "rt-1", speed=1.0)
    stored = await r.store.for_call("rt-1")
    check_transcript(stored)
    assert sorted((s.speaker, s.text) for s in stored) == [
        ("agent", refs[LEGS["agent"][0]]),
        ("caller", refs[LEGS["caller"][0]]),
    ]
    assert [m.payload["speaker"] for _, m in arrivals if not m.payload["final"]]
    print_latency("scripted, real time", arrivals, clients)


async def test_time_compressed_two_legs_scripted() -> None:
    refs = references()
    r, arrivals, _ = await run_call(scripted(), "fast-1", speed=0)
    stored = await r.store.for_call("fast-1")
    check_transcript(stored)
    assert sorted(s.text for s in stored) == sorted(refs[name] for name, _ in LEGS.values())
    assert len([m for _, m in arrivals if m.payload["final"]]) == 2


@pytest.mark.vosk_model
@pytest.mark.slow
async def test_real_time_two_legs_vosk() -> None:
    from asr.vosk_adapter import VoskRecognizerFactory, load_model_blocking

    model = await asyncio.to_thread(load_model_blocking, require_vosk_model())
    r, arrivals, clients = await run_call(VoskRecognizerFactory(model), "rt-vosk", speed=1.0)
    stored = await r.store.for_call("rt-vosk")
    check_transcript(stored)
    refs = references()
    for speaker, (name, _) in LEGS.items():
        text = "".join(s.text for s in stored if s.speaker == speaker)
        print(f"\n[vosk] {speaker}: {text!r} (reference {refs[name]!r})")
        assert text  # the real model heard something on each leg
    print_latency("vosk, real time", arrivals, clients)
