"""ASR benchmark: CER and real-time factor at 8 kHz, and concurrent real-time streams.

    python bench/asr.py [--model PATH] [--seconds 6] [--max-streams 32]
    python bench/asr.py --dry-run     # plumbing only, scripted recognizer (no model needed)

With a Vosk model (under models/ or --model / HOTLINE_ASR__MODEL_PATH):
1. CER per file of ../shared/asr-samples against transcripts.tsv, each file downsampled to the
   8 kHz phone path (and the 16 kHz original for comparison), plus the real-time factor.
2. Concurrent real-time streams one process sustains, for two patterns on the same model and
   the same audio: (a) ours — AudioSocket over TCP, 20 ms frames, bounded queue, decoding in the
   default executor; (b) the vosk-server pattern — one KaldiRecognizer per websocket
   connection, each message decoded in a ThreadPoolExecutor(os.cpu_count()) and answered
   before the client sends the next. A stream "keeps up" when its audio is fully decoded less
   than 1 s after the last sample was sent at real-time pace. N doubles until one doesn't.
Without a model it says so and exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from asr.audiosocket import AudioSocketServer, ServerConfig, StreamReport  # noqa: E402
from asr.batch import read_wav_blocking, transcribe_audio_blocking  # noqa: E402
from asr.framing import audio_frame, frame_bytes, uuid_frame  # noqa: E402
from asr.legs import InMemoryLegDirectory, Leg  # noqa: E402
from asr.recognizer import RecognizerFactory  # noqa: E402
from asr.session import SegmentSink  # noqa: E402

SAMPLES = Path(os.environ.get("HOTLINE_SHARED_DIR", ROOT.parent / "shared")) / "asr-samples"
PUNCTUATION = set("，。！？、；：“”‘’（）《》,.!?;:'\"()… ")
KEEP_UP_S = 1.0


def references() -> dict[str, str]:
    with (SAMPLES / "transcripts.tsv").open(encoding="utf-8") as handle:
        return {r["file"]: r["reference_text"] for r in csv.DictReader(handle, delimiter="\t")}


def cer(reference: str, hypothesis: str) -> float:
    ref = "".join(ch for ch in reference if ch not in PUNCTUATION)
    hyp = "".join(ch for ch in hypothesis if ch not in PUNCTUATION)
    return Levenshtein.distance(ref, hyp) / max(len(ref), 1)


def accuracy(factory: RecognizerFactory) -> None:
    refs = references()
    print(f"\n== CER and real-time factor ({factory.name}) ==")
    print(f"{'file':<50} {'sec':>5} {'CER 8k':>7} {'CER 16k':>8} {'RTF 8k':>7}  hypothesis (8 kHz)")
    totals = {8000: [0.0, 0], 16000: [0.0, 0]}
    audio_s = decode_s = 0.0
    for name, reference in refs.items():
        row = {}
        for rate in (8000, 16000):
            audio = read_wav_blocking(SAMPLES / name, rate)
            started = time.perf_counter()
            segments = transcribe_audio_blocking(audio, factory, call_id=name)
            elapsed = time.perf_counter() - started
            text = "".join(s.text for s in segments)
            row[rate] = (cer(reference, text), elapsed, text, audio.duration_s)
            ref_len = len([c for c in reference if c not in PUNCTUATION])
            totals[rate][0] += row[rate][0] * ref_len
            totals[rate][1] += ref_len
        audio_s += row[8000][3]
        decode_s += row[8000][1]
        print(
            f"{name:<50} {row[8000][3]:>5.1f} {row[8000][0]:>7.1%} {row[16000][0]:>8.1%} "
            f"{row[8000][1] / row[8000][3]:>7.3f}  {row[8000][2]}"
        )
    print(
        f"{'all (character-weighted)':<50} {audio_s:>5.1f} "
        f"{totals[8000][0] / totals[8000][1]:>7.1%} {totals[16000][0] / totals[16000][1]:>8.1%} "
        f"{decode_s / audio_s:>7.3f}"
    )


def stream_audio(seconds: float) -> bytes:
    """``seconds`` of real speech at 8 kHz: the samples one after another, looped."""
    pcm = b"".join(read_wav_blocking(SAMPLES / n, 8000).pcm for n in sorted(references()))
    need = int(seconds * 8000) * 2
    return (pcm * (need // len(pcm) + 1))[:need]


async def audiosocket_round(factory: RecognizerFactory, streams: int, pcm: bytes) -> list[float]:
    """Ours: N AudioSocket streams at real-time pace; lag = decode done − last frame sent."""
    legs = InMemoryLegDirectory()
    done_at: dict[str, float] = {}
    all_done = asyncio.Event()

    def finished(report: StreamReport) -> None:
        done_at[report.stream_id] = time.perf_counter()
        if len(done_at) == streams:
            all_done.set()

    server = AudioSocketServer(
        legs,
        factory,
        SegmentSink(None, None),
        ServerConfig(port=0, queue_ms=20_000),
        on_report=finished,
    )
    await server.start()
    sent_end: dict[str, float] = {}

    async def one(index: int) -> None:
        stream_id = str(uuid.uuid4())
        await legs.register(stream_id, Leg(f"bench-{index}", "caller"))
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        drain = asyncio.create_task(reader.read(-1))  # keepalive frames back: read and drop
        writer.write(uuid_frame(uuid.UUID(stream_id)))
        size = frame_bytes(8000)
        start = time.perf_counter() + index * 0.003  # stagger like calls do
        for n, offset in enumerate(range(0, len(pcm), size)):
            await asyncio.sleep(max(0.0, start + n * 0.02 - time.perf_counter()))
            writer.write(audio_frame(pcm[offset : offset + size]))
        await writer.drain()
        sent_end[stream_id] = time.perf_counter()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
        drain.cancel()

    await asyncio.gather(*(one(i) for i in range(streams)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_done.wait(), 120)
    await server.close()
    return [done_at.get(s, float("inf")) - t for s, t in sent_end.items()]


async def vosk_server_round(
    factory: RecognizerFactory, streams: int, pcm: bytes, chunk_ms: int
) -> list[float]:
    """vosk-server pattern (asr_server.py): a recognizer per websocket connection, every
    message decoded in a shared pool and answered before the client sends the next one."""
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import ServerConnection, serve

    pool = ThreadPoolExecutor(os.cpu_count() or 1)
    loop = asyncio.get_running_loop()

    async def recognize(websocket: ServerConnection) -> None:
        rec = await loop.run_in_executor(pool, factory.create_blocking, 8000)
        async for message in websocket:
            if message == '{"eof" : 1}':
                result = await loop.run_in_executor(pool, rec.finish_blocking)
                await websocket.send(result.text)
                return
            assert isinstance(message, bytes)
            result = await loop.run_in_executor(pool, rec.accept_blocking, message)
            await websocket.send(result.text)

    lags: list[float] = []
    async with serve(recognize, "127.0.0.1", 0, max_size=2**20) as server:
        port = next(iter(server.sockets)).getsockname()[1]

        async def one(index: int) -> None:
            size = 8000 * chunk_ms // 1000 * 2
            async with connect(f"ws://127.0.0.1:{port}", max_size=2**20) as ws:
                start = time.perf_counter() + index * 0.003
                for n, offset in enumerate(range(0, len(pcm), size)):
                    await asyncio.sleep(max(0.0, start + n * chunk_ms / 1000 - time.perf_counter()))
                    await ws.send(pcm[offset : offset + size])
                    last_sent = time.perf_counter()
                    await ws.recv()  # the vosk-server client protocol: one answer per message
                await ws.send('{"eof" : 1}')
                await ws.recv()
                lags.append(time.perf_counter() - last_sent)

        await asyncio.gather(*(one(i) for i in range(streams)))
    pool.shutdown(wait=True)
    return lags


async def concurrency(
    factory: RecognizerFactory, seconds: float, max_streams: int, chunk_ms: int
) -> None:
    pcm = stream_audio(seconds)
    print(
        f"\n== concurrent real-time streams ({factory.name}, {seconds:g} s of 8 kHz speech "
        f"each, keeps up = decoded < {KEEP_UP_S:g} s after the last sample; "
        f"{os.cpu_count()} CPUs) =="
    )
    best: dict[str, int] = {}

    async def ours(n: int) -> list[float]:
        return await audiosocket_round(factory, n, pcm)

    async def vosk_server(n: int) -> list[float]:
        return await vosk_server_round(factory, n, pcm, chunk_ms)

    patterns: list[tuple[str, Callable[[int], Awaitable[list[float]]]]] = [
        ("ours: AudioSocket + executor", ours),
        (f"vosk-server pattern ({chunk_ms} ms msgs)", vosk_server),
    ]
    for label, run in patterns:
        streams, best[label] = 1, 0
        while streams <= max_streams:
            lags = await run(streams)
            ok = max(lags) < KEEP_UP_S
            print(
                f"{label:<40} N={streams:>3}: lag median {statistics.median(lags):6.2f} s, "
                f"max {max(lags):6.2f} s  {'keeps up' if ok else 'falls behind'}"
            )
            if not ok:
                break
            best[label] = streams
            streams *= 2
    print("max streams kept up: " + "; ".join(f"{k} = {v}" for k, v in best.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--max-streams", type=int, default=32)
    parser.add_argument("--chunk-ms", type=int, default=100)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="scripted recognizer: exercises the plumbing, says nothing about ASR",
    )
    args = parser.parse_args()
    if args.dry_run:
        from asr.scripted import ScriptedRecognizerFactory

        factory: RecognizerFactory = ScriptedRecognizerFactory(list(references().values()))
        print("DRY RUN: scripted recognizer — no CER (its text is scripted); plumbing only")
    else:
        from asr.vosk_adapter import (
            ModelNotFoundError,
            VoskRecognizerFactory,
            find_model_dir,
            load_model_blocking,
        )

        configured = args.model or (
            Path(os.environ["HOTLINE_ASR__MODEL_PATH"])
            if os.environ.get("HOTLINE_ASR__MODEL_PATH")
            else None
        )
        try:
            path = find_model_dir(configured, ROOT / "models")
        except ModelNotFoundError as exc:
            print(f"bench/asr.py: no Vosk model, nothing measured: {exc}", file=sys.stderr)
            return 2
        started = time.perf_counter()
        factory = VoskRecognizerFactory(load_model_blocking(path))
        print(f"model {path} loaded in {time.perf_counter() - started:.1f} s")
    if not args.dry_run:
        accuracy(factory)
    asyncio.run(concurrency(factory, args.seconds, args.max_streams, args.chunk_ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
