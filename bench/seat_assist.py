"""Seat-assist latency: auto-fill + classification + unit suggestion for one transcript update.

    python bench/seat_assist.py [--model models/classifier] [--runs 300]

One *seat-assist update* is what the agent desk waits for while the caller talks:
``AutofillSession.update(transcript)`` (phones, names, address, time, urgency, title…) followed by
``HotlineClassifier.classify_blocking(transcript, district=…, street=…, enterprise=…,
urgent=…)`` with the place and flags the auto-fill found (4 heads + the top-3 handling units).

Printed, in-process, after one warm-up (the jieba dictionary and cpca automaton load once per
process and are printed separately):
1. a 300-character spoken transcript (written here) in one update, fresh session each run —
   a) session without a predictor (the classifier runs once, in classify_blocking),
   b) session wired with the classifier as its CategoryPredictor, as ``hotline extract`` and the
      live worker do (category/appeal type computed by the session too), side by side:
      *before* — ``HeadsPredictor`` (each head tokenises the text itself, then classify_blocking
      a third time) and *after* — ``BundlePredictor`` (features computed once per text by the
      bundle, shared by both heads and reused by classify_blocking);
2. the same transcript arriving as incremental 20-character ASR segments (``feed`` + classify
   on the grown text, session as in 1a), per segment;
3. auto-fill alone and classify alone, for the split.

The model comes from ``--model``; when that directory has no trained model, the seed corpus
model (4 heads) is trained into a temporary directory first (minutes on a busy 2-core box).
Every update starts with ``bundle.forget_features()``: in a live call each update is a new
(longer) text, so the bundle's per-text feature memo must not carry over between runs here.
Wall times include waiting for a core on a shared machine, so the CPU time of the update
(``time.process_time``) and the load average are printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autofill.factory import build_scanner  # noqa: E402
from autofill.model import CategoryPredictor, FieldValue  # noqa: E402
from autofill.scan import TranscriptScanner  # noqa: E402
from autofill.session import AutofillSession  # noqa: E402
from classifier.service import Classification, HotlineClassifier  # noqa: E402
from hotline.autofill_wiring import BundlePredictor, HeadsPredictor  # noqa: E402

# A caller as ASR delivers it: fillers, a self-correction, spoken digits, no punctuation
# discipline. Written here; exactly 300 characters are used.
TRANSCRIPT = (
    "喂，你好，是一二三四五热线吧？我要反映个事情啊。我姓王，王女士，住在雁塔区电子城街道"
    "丈八东路那边的锦业小区，就是十二号楼。我们小区旁边有个工地，最近一个多月天天晚上施工，"
    "十一点多了还在打桩、还有那个渣土车来回跑，轰隆隆的根本睡不着觉。我家孩子今年要中考，"
    "晚上学习完全没法安静，老人心脏也不好，被吵得血压都高了。我们去找过工地的人，他们说有"
    "夜间施工许可，可是我看也没贴什么公示啊。还有渣土车不盖篷布，路上全是土，一刮风灰特别大。"
    "希望你们能让城管或者环保的来查一下，晚上十点以后别再施工了。我电话是一五九，幺二三四，"
    "五六七八，哎不对不对，是一五九幺二三四五六七九。麻烦你们尽快处理一下，谢谢啊，我们全楼的人"
    "真的都受不了了。"
)
SEGMENT = 20


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))]

    return (
        f"p50 {statistics.median(ordered):6.2f} ms  p95 {pick(0.95):6.2f} ms  "
        f"p99 {pick(0.99):6.2f} ms  (n={len(ordered)})"
    )


def _model_dir(requested: Path) -> Path:
    if (requested / "metadata.json").exists():
        return requested
    from classifier.corpus.generate import CORPUS

    tmp = Path(tempfile.mkdtemp(prefix="bench-seat-"))
    print(f"(no model in {requested}: training the seed-corpus model into {tmp})", flush=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "hotline", "train", "--data", str(CORPUS)]
    command += ["--text-col", "text", "--label-col", "category", "--out", str(tmp)]
    for head in ("subcategory", "appeal_type", "unit"):
        command += ["--also", head]
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    print(f"(trained in {time.perf_counter() - started:.0f} s)", flush=True)
    return tmp


def seat_update(
    session: AutofillSession, service: HotlineClassifier, text: str, *, feed: bool = False
) -> Classification:
    """One seat-assist update: auto-fill, then classify + suggest with what it found."""
    service.bundle.forget_features()  # a new text, as in a live call (see the module doc)
    if feed:
        session.feed(text)
        transcript = session.text
    else:
        session.update(text)
        transcript = text
    fields = session.fields

    def value(name: str) -> str | None:
        found = fields.get(name)
        return found.value if found is not None else None

    return service.classify_blocking(
        transcript,
        district=value("district"),
        street=value("town"),
        enterprise=value("enterprise") == "true",
        urgent=value("urgency") == "emergency",
    )


def _fields(
    scanner: TranscriptScanner, predictor: BundlePredictor, service: HotlineClassifier, text: str
) -> dict[str, FieldValue]:
    session = AutofillSession(scanner, predictor=predictor)
    seat_update(session, service, text)
    return dict(session.fields)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "classifier")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    if args.runs < 200:
        parser.error("--runs must be at least 200 (p99 needs the samples)")
    text = TRANSCRIPT[:300]
    if len(text) != 300:
        raise SystemExit(f"the transcript must have 300 characters, has {len(text)}")
    model_dir = _model_dir(args.model)
    started = time.perf_counter()
    scanner = build_scanner(city="西安市")
    service = HotlineClassifier.load_blocking(model_dir)
    before = HeadsPredictor(service.bundle.main, service.bundle.head("appeal_type"))
    after = BundlePredictor(service.bundle)
    result = seat_update(AutofillSession(scanner), service, text)  # warm-up: jieba, cpca
    for predictor in (before, after):
        session = AutofillSession(scanner, predictor=predictor)
        same = seat_update(session, service, text)
        if (same, session.fields) != (result, _fields(scanner, after, service, text)):
            raise SystemExit("the two predictors disagree on the transcript")
    print(
        f"cold start (gazetteer, model load, first update incl. jieba/cpca): "
        f"{time.perf_counter() - started:.2f} s; model {model_dir}"
    )
    plain, feeds, fill_only, classify_only = [], [], [], []
    plain_cpu, feeds_cpu = [], []
    wired: dict[str, list[float]] = {"before": [], "after": []}
    wired_cpu: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.runs):
        cpu = time.process_time()
        plain.append(_timed(lambda: seat_update(AutofillSession(scanner), service, text)))
        plain_cpu.append((time.process_time() - cpu) * 1000)
        predictors: tuple[tuple[str, CategoryPredictor], ...] = (
            ("before", before),
            ("after", after),
        )
        for name, wired_predictor in predictors:
            cpu = time.process_time()
            wired[name].append(
                _timed(
                    lambda: seat_update(
                        AutofillSession(scanner, predictor=wired_predictor),  # noqa: B023
                        service,
                        text,
                    )
                )
            )
            wired_cpu[name].append((time.process_time() - cpu) * 1000)
        fill_only.append(_timed(lambda: AutofillSession(scanner).update(text)))
        service.bundle.forget_features()
        classify_only.append(_timed(lambda: service.classify_blocking(text)))
        session = AutofillSession(scanner)  # as in the headline: classifier runs once
        for i in range(0, len(text), SEGMENT):
            piece = text[i : i + SEGMENT]
            cpu, started = time.process_time(), time.perf_counter()
            seat_update(session, service, piece, feed=True)
            feeds.append((time.perf_counter() - started) * 1000)
            feeds_cpu.append((time.process_time() - cpu) * 1000)
    heads = len(service.bundle.heads)
    print(f"\n## Seat-assist update, in-process, {len(text)}-char transcript, {args.runs} runs")
    print(
        f"auto-fill + classify ({heads} heads) + suggest : {_percentiles(plain)}"
        "  (target p95 ≤ 20 ms)"
    )
    print(f"  its CPU time (excludes waiting for a core) : {_percentiles(plain_cpu)}")
    print("session wired with the classifier as CategoryPredictor (hotline extract, worker):")
    print(f"  before: HeadsPredictor, wall                 : {_percentiles(wired['before'])}")
    print(f"  before: its CPU time                         : {_percentiles(wired_cpu['before'])}")
    print(f"  after: BundlePredictor, wall                 : {_percentiles(wired['after'])}")
    print(f"  after: its CPU time                          : {_percentiles(wired_cpu['after'])}")
    print(f"incremental {SEGMENT}-char segments (feed + classify) : {_percentiles(feeds)}")
    print(f"  its CPU time                               : {_percentiles(feeds_cpu)}")
    print(f"auto-fill alone (update, fresh session)      : {_percentiles(fill_only)}")
    print(f"classify + suggest alone                     : {_percentiles(classify_only)}")
    fields = AutofillSession(scanner)
    fields.update(text)
    shown = ("phone", "name", "district", "town", "road", "urgency", "appeal_type")
    print("auto-fill found:", {k: v.value for k, v in fields.fields.items() if k in shown})
    units = [f"{u.unit_name} {u.probability:.2f}" for u in result.suggestion.units]
    print(
        f"category {result.category.best.label} {result.category.best.probability:.2f}; "
        f"top units: {units}"
    )
    load = os.getloadavg()
    print(
        f"machine load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on "
        f"{os.cpu_count()} cores (wall times above include waiting for a core)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
