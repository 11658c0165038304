from __future__ import annotations

from pathlib import Path

from asr.audiosocket import ServerConfig
from asr.legs import InMemoryLegDirectory, Leg
from asr.recognizer import UnavailableRecognizerFactory
from asr.scripted import ScriptedRecognizerFactory
from asr.session import SegmentSink
from asr.worker import AsrWorker, load_factory_blocking
from tests.asr_fakes import MemoryBus, MemoryTranscriptStore
from tests.asr_support import AsteriskLike, load_pcm
from tests.conftest import shared_path
from tests.waiting import wait_until


def test_no_model_gives_a_gap_recording_factory_with_the_reason(tmp_path: Path) -> None:
    factory = load_factory_blocking(None, tmp_path)
    assert isinstance(factory, UnavailableRecognizerFactory)
    assert "python -m hotline models fetch" in factory.reason


async def test_worker_shutdown_mid_utterance_flushes_what_was_heard() -> None:
    legs = InMemoryLegDirectory()
    store = MemoryTranscriptStore()
    bus = MemoryBus()
    worker = AsrWorker(
        legs,
        SegmentSink(bus, store),
        ScriptedRecognizerFactory(["各位观众晚上好"]),
        ServerConfig(port=0),
        threads=1,
    )
    await worker.start()
    await legs.register("0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0009", Leg("shutdown", "caller"))
    client = await AsteriskLike.connect(worker.server.port, "0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0009")
    pcm = load_pcm(shared_path("asr-samples", "speechio_MINI_ZH_CCTV_1.wav"), 8000)
    await client.stream(pcm[: 8000 * 2], speed=0)  # 1 s: still talking, no endpoint yet
    await wait_until(  # the worker has decoded that second (a partial says so)
        lambda: any(int(m.payload["end_ms"]) >= 1000 for m in bus.published),
        "a partial covering the first second",
    )
    await worker.close()  # graceful: the open utterance is flushed as a final
    assert await client.wait_closed_by_server()
    await client.hangup()
    assert [s.text for s in await store.for_call("shutdown")] == ["各位观众晚上好"]
    assert worker.server.reports[0].audio_ms == 1000
