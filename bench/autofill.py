"""Auto-fill figures: address elements, NER, phones, same-issue detection, latency.

    python bench/autofill.py                # everything (≈1–2 min on 2 cores)
    python bench/autofill.py --only latency --limit 2000

Data come from ../shared/data (read there, never copied); phone utterances are generated from
templates written in this repo (tests/fixtures/phone_utterances.py).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autofill.address import AddressExtractor  # noqa: E402
from autofill.address_mentions import AddressMentionFinder  # noqa: E402
from autofill.person_mentions import find_person_mentions  # noqa: E402
from autofill.postag import PosTagger, Token  # noqa: E402
from autofill.same_issue import SameIssueIndex  # noqa: E402
from autofill.scan import TranscriptScanner  # noqa: E402
from autofill.session import AutofillSession  # noqa: E402
from core.divisions import Gazetteer  # noqa: E402
from core.itn import normalize  # noqa: E402
from core.repeat import AppealRecord  # noqa: E402
from tests.fixtures.phone_utterances import generate  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
ELEMENTS = {"district": "district", "town": "town", "road": "road"}

# A call of 300+ characters as ASR would deliver it (written here); the bench uses 300.
TRANSCRIPT = (
    "喂你好，是12345吗？我想反映一个问题。我姓张，弓长张，我住在雁塔区小寨路街道幸福路二十六号"
    "阳光小区三号楼二单元五零二。我们这个小区从上周三开始就三天两头停水，昨天晚上十点又停了，"
    "到现在都没有来水，家里有老人孩子，做饭洗澡都成问题。我们打了物业电话，物业说是自来水公司"
    "管道维修，问什么时候来水也说不清楚，态度还很差。我们楼里好几户都是这个情况，希望你们能帮"
    "我们协调一下自来水公司，尽快恢复供水，另外物业这个态度我也要投诉一下。还有就是小区门口"
    "幸福路上的路灯也坏了半个多月了，晚上黑乎乎的，老人出门很不方便。我的电话是一三八零零"
    "一三八零零零，不对，是一三九零零一三八零零零，有消息麻烦给我回个电话，谢谢你们了。"
)


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _rows(path: Path, limit: int | None) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from itertools.islice(csv.DictReader(handle), limit)


def _gold_elements(tokens: list[str], tags: list[str]) -> Counter[tuple[str, str]]:
    gold: Counter[tuple[str, str]] = Counter()
    kind, text = None, ""
    for token, tag in [*zip(tokens, tags, strict=True), ("", "O")]:
        inside = tag.startswith("I-") and kind == tag[2:].lower()
        if not inside and kind:
            gold[(kind, text)] += 1
            kind, text = None, ""
        if tag.startswith("B-"):
            kind, text = tag[2:].lower(), token
        elif inside:
            text += token
    return gold


def bench_address(extractor: AddressExtractor, limit: int | None) -> None:
    path = DATA / "naacl2019_chinese_address_parsing" / "address_dev.csv"
    counts: Counter[str] = Counter()
    started, n = time.perf_counter(), 0
    for row in _rows(path, limit):
        n += 1
        text = row["text"]
        gold = _gold_elements(json.loads(row["tokens"]), json.loads(row["tags"]))
        itn = normalize(text)
        pred: Counter[tuple[str, str]] = Counter()
        for c in extractor.extract(itn.text):
            if c.name in ELEMENTS and "derived_from" not in c.detail:
                a, b = itn.to_raw(c.start, c.end)
                pred[(ELEMENTS[c.name], text[a:b])] += 1  # the words as written
        for kind in ELEMENTS.values():
            gold_k = Counter({k: v for k, v in gold.items() if k[0] == kind})
            pred_k = Counter({k: v for k, v in pred.items() if k[0] == kind})
            tp = sum((gold_k & pred_k).values())
            counts[kind + ".tp"] += tp
            counts[kind + ".fp"] += sum(pred_k.values()) - tp
            counts[kind + ".fn"] += sum(gold_k.values()) - tp
    elapsed = time.perf_counter() - started
    print(f"\n## Address elements — naacl2019 address_dev.csv ({n} addresses, exact string match)")
    print(f"{'element':10s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    for kind in ELEMENTS.values():
        p, r, f = _f1(counts[kind + ".tp"], counts[kind + ".fp"], counts[kind + ".fn"])
        print(f"{kind:10s} {p:6.3f} {r:6.3f} {f:6.3f}")
    print(f"({elapsed / n * 1000:.2f} ms per address)")


def bench_cluener(extractor: AddressExtractor, limit: int | None) -> None:
    """Person and address mention F1 on CLUENER, per half of the file.

    The file is split by row index: even rows are half A, the half the mention finders were
    tuned on; odd rows are half B, held out (never looked at while writing the rules).
    """
    path = DATA / "cluener2020" / "cluener_dev.csv"
    tagger = PosTagger()
    addresses = AddressMentionFinder(extractor)
    finders: dict[str, Callable[[str, list[Token]], list[tuple[int, int]]]] = {
        "name": find_person_mentions,
        "address": addresses.find,
    }
    counts: Counter[tuple[str, str]] = Counter()
    n = 0
    started = time.perf_counter()
    for index, row in enumerate(_rows(path, limit)):
        n += 1
        half = "B" if index % 2 else "A"
        labels = json.loads(row["label_json"])
        tokens = tagger.tag(row["text"])
        for kind, finder in finders.items():
            gold = {(a, b + 1) for spans in labels.get(kind, {}).values() for a, b in spans}
            pred = set(finder(row["text"], tokens))
            for part in (half, "all"):
                counts[part, kind + ".tp"] += len(gold & pred)
                counts[part, kind + ".fp"] += len(pred - gold)
                counts[part, kind + ".fn"] += len(gold - pred)
    elapsed = time.perf_counter() - started
    print(f"\n## CLUENER2020 cluener_dev.csv ({n} news sentences, exact span match)")
    print("half A = even rows (rules tuned on it), half B = odd rows (held out)")
    print(f"{'entity':8s} {'part':14s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    parts = (("B", "B (held out)"), ("A", "A (tuning)"), ("all", "full file"))
    for kind in finders:
        for part, label in parts:
            tp, fp, fn = (counts[part, f"{kind}.{x}"] for x in ("tp", "fp", "fn"))
            p, r, f = _f1(tp, fp, fn)
            print(f"{kind:8s} {label:14s} {p:6.3f} {r:6.3f} {f:6.3f}")
    print("(published bert-base: address 0.518; name ≈ 0.87)")
    print(f"({elapsed / n * 1000:.2f} ms per sentence, jieba tagging included)")


def bench_phones(scanner: TranscriptScanner, count: int) -> None:
    items = generate(count)
    right = 0
    misses = []
    for text, number in items:
        session = AutofillSession(scanner)
        session.update(text)
        got = session.fields.get("phone")
        if got is not None and got.value == number:
            right += 1
        else:
            misses.append((text, number, got.value if got else None))
    print(f"\n## Phone numbers — {len(items)} utterances generated from templates written here")
    print(f"exact match: {right}/{len(items)} = {right / len(items):.3f}")
    for miss in misses[:5]:
        print("  miss:", miss)


def bench_same_issue(limit: int | None, threshold: float) -> None:
    path = DATA / "tipdm2020c_fj2_l1" / "fj2_l1_dev.csv"
    at = datetime(2020, 1, 1, tzinfo=UTC)  # time is known for 1,126 rows only: no window
    records, groups = [], {}
    for row in _rows(path, limit):
        text = row["text_seg"].replace(" ", "")
        records.append(AppealRecord(row["row_id"], "", "", "", text, at))
        groups[row["row_id"]] = row["dup_group"]
    gold = _pairs_by_group(groups)
    index = SameIssueIndex(text_threshold=threshold, window=None)
    started = time.perf_counter()
    for record in records:
        index.add(record)
    elapsed = time.perf_counter() - started
    pred = set()
    for cluster in index.clusters():
        for a, b in itertools.combinations(sorted(cluster.order_ids, key=int), 2):
            pred.add((a, b))
    tp = len(pred & gold)
    p, r, f = _f1(tp, len(pred) - tp, len(gold) - tp)
    print(f"\n## Same-issue — tipdm2020c_fj2_l1 ({len(records)} messages, dup_group as truth)")
    print(f"pairs in same cluster: predicted {len(pred)}, true {len(gold)}, correct {tp}")
    print(f"threshold {threshold}: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    print(f"indexing: {elapsed / len(records) * 1000:.2f} ms per message (MinHash LSH + verify)")


def _pairs_by_group(groups: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for row_id, group in groups.items():
        members.setdefault(group, []).append(row_id)
    pairs: set[tuple[str, str]] = set()
    for ids in members.values():
        pairs.update(itertools.combinations(sorted(ids, key=int), 2))
    return pairs


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):6.2f} ms  p95 {p95:6.2f} ms  max {ordered[-1]:6.2f} ms"


def bench_latency(scanner: TranscriptScanner, runs: int) -> None:
    text = TRANSCRIPT[:300]
    session = AutofillSession(scanner)
    session.update(text)  # warm caches (cpca automaton, regexes)
    whole, feeds, itn_only = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        AutofillSession(scanner).update(text)
        whole.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        normalize(text)
        itn_only.append((time.perf_counter() - started) * 1000)
        session = AutofillSession(scanner)
        for i in range(0, len(text), 20):  # ASR segments of 20 characters
            started = time.perf_counter()
            session.feed(text[i : i + 20])
            feeds.append((time.perf_counter() - started) * 1000)
    print(f"\n## Latency, in-process, {len(text)}-character transcript, {runs} runs")
    print(f"whole transcript at once : {_percentiles(whole)}   (target p95 ≤ 20 ms)")
    print(f"per 20-char segment feed : {_percentiles(feeds)}")
    print(f"ITN alone (baseline)     : {_percentiles(itn_only)}")
    fields = session.fields
    shown = ("phone", "name", "district", "town", "road", "urgency", "appeal_type", "title")
    print("fields:", {k: fields[k].value for k in shown if k in fields})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only", choices=("address", "cluener", "phones", "same_issue", "latency"), nargs="*"
    )
    parser.add_argument("--limit", type=int, default=None, help="rows per dataset")
    parser.add_argument("--phones", type=int, default=400)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--threshold", type=float, default=0.6)
    args = parser.parse_args()
    only = set(args.only or ("address", "cluener", "phones", "same_issue", "latency"))
    gazetteer = Gazetteer.for_city("西安市")
    extractor = AddressExtractor(gazetteer)
    scanner = TranscriptScanner(gazetteer)
    if "address" in only:
        bench_address(extractor, args.limit)
    if "cluener" in only:
        bench_cluener(extractor, args.limit)
    if "phones" in only:
        bench_phones(scanner, args.phones)
    if "same_issue" in only:
        bench_same_issue(args.limit, args.threshold)
    if "latency" in only:
        bench_latency(scanner, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
