"""Classifier bench: grouped 5-fold CV on tipdm 附件2, timings, unit-suggestion checks.

    python bench/classifier.py [--folds 5] [--skip-baseline] [--model models/classifier]

Prints:
1. grouped 5-fold CV (StratifiedGroupKFold over ``dup_group``, shuffle, random_state=0 — the
   protocol of the dataset README's baselines) macro-F1 and accuracy of our Pipeline, and of the
   README's plain words+chars LinearSVC in the same process (same folds) as the baseline;
2. training time per fold and predict time per 1,000 texts *including jieba tokenising*, on
   raw title+detail texts (what production sees), after a warm-up (the one-off dictionary load
   is printed separately);
3. accuracy on raw title+detail for test-fold rows that have raw text (the model was trained on
   the pre-segmented ``text_seg`` column);
4. weak check of unit suggestion on 附件4 replies that name a department (heuristic labels);
5. latency of classification + unit suggestion for a ~300-character transcript (p50/p95).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402
from sklearn.pipeline import FeatureUnion, make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from classifier.pipeline import PipelineParams, build_pipeline  # noqa: E402
from classifier.suggest import suggest_units  # noqa: E402
from core.reference import load_reference  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FJ2 = DATA / "tipdm2020c_fj2_l1" / "fj2_l1_dev.csv"
FJ4 = DATA / "tipdm2020c_fj4_replies" / "fj4_replies_dev.csv"
ANCHORS = {
    "TF-IDF+SVM (jesHrz, random 20%)": 0.92,
    "fastText (random split)": 0.93,
    "words+chars LinearSVC (README, grouped 5-fold)": 0.915,
}

# Heuristic: department words in a reply → our unit code or unit kind (weak labels, not truth).
REPLY_UNITS = [
    (r"住建|住房和城乡建设|房屋交易|房产局", "dept.housing"),
    (r"城管|城市管理|综合执法", "dept.city_management"),
    (r"自然资源|国土|规划局", "dept.natural_resources"),
    (r"生态环境|环保局|环境保护局", "dept.ecology"),
    (r"交通运输|交通局|运管", "dept.transport"),
    (r"交警|公安交通", "dept.traffic_police"),
    (r"商务局|商务和", "dept.commerce"),
    (r"旅游|文旅|文体局|文化局", "dept.culture_tourism"),
    (r"卫健|卫生健康|卫计|卫生局", "dept.health"),
    (r"医保|医疗保障", "dept.medical_insurance"),
    (r"人社|人力资源|劳动监察|社保", "dept.hrss"),
    (r"教育局", "dept.education"),
    (r"市场监管|市场监督|工商|食药", "dept.market"),
    (r"公安局|派出所|公安分局", "dept.public_security"),
    (r"民政", "dept.civil_affairs"),
    (r"农业农村|农业局|农委", "dept.agriculture"),
    (r"水务局|水利局", "dept.water_affairs"),
    (r"应急管理|安监", "dept.emergency_management"),
    (r"行政审批|政务服务", "dept.administrative_approval"),
    (r"供电|电力公司", "util.power"),
    (r"燃气公司|燃气集团", "util.gas"),
    (r"自来水|供水公司", "util.water"),
    (r"热力|供热公司", "util.heating"),
    (r"街道|街办", "kind:street"),
    (r"区人民政府|区政府|县人民政府|县政府", "kind:district_gov"),
]


def baseline_pipeline() -> Any:
    """The dataset README's word12+char13 LinearSVC(C=0.5) on pre-segmented text."""
    strip = FunctionTransformer(lambda xs: [x.replace(" ", "") for x in xs])
    words = TfidfVectorizer(
        token_pattern=r"(?u)\S+", ngram_range=(1, 2), min_df=2, sublinear_tf=True
    )
    chars = make_pipeline(
        strip, TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    )
    return make_pipeline(FeatureUnion([("w", words), ("c", chars)]), LinearSVC(C=0.5))


def cross_validate(
    frame: Any, folds: int, with_baseline: bool
) -> tuple[tuple[Any, Any], list[dict[str, Any]]]:
    x = frame.text_seg.fillna("").to_numpy()
    y = frame.label_l1.to_numpy()
    groups = frame.dup_group.to_numpy()
    cv = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    rows: list[dict[str, Any]] = []
    model: Any = None
    test_index: Any = None
    for fold, (train, test) in enumerate(cv.split(x, y, groups)):
        if fold >= folds:
            break
        started = time.perf_counter()
        model = build_pipeline(PipelineParams()).fit(x[train], y[train])
        fit_s = time.perf_counter() - started
        pred = model.predict(x[test])
        row: dict[str, Any] = {
            "fold": fold,
            "ours_f1": f1_score(y[test], pred, average="macro"),
            "ours_acc": accuracy_score(y[test], pred),
            "ours_fit_s": fit_s,
            "n_train": len(train),
        }
        if with_baseline:
            started = time.perf_counter()
            base = baseline_pipeline().fit(x[train], y[train])
            row["base_fit_s"] = time.perf_counter() - started
            bpred = base.predict(x[test])
            row["base_f1"] = f1_score(y[test], bpred, average="macro")
            row["base_acc"] = accuracy_score(y[test], bpred)
        rows.append(row)
        print(
            f"  fold {fold}: ours macro-F1 {row['ours_f1']:.4f} acc {row['ours_acc']:.4f} "
            f"fit {fit_s:.1f}s"
            + (f" | baseline macro-F1 {row['base_f1']:.4f}" if with_baseline else ""),
            flush=True,
        )
        test_index = test
    return (model, test_index), rows


def raw_texts(frame: Any) -> Any:
    has_raw = frame.detail.notna() & (frame.detail.astype(str).str.len() > 0)
    sub = frame[has_raw]
    return sub.title.fillna("").astype(str) + "。" + sub.detail.astype(str)


def predict_timing(model: Any, texts: list[str]) -> tuple[float, float]:
    """(first call on a freshly unpickled model incl. building the jieba dictionary,
    seconds per 1,000 texts once warm)."""
    import pickle

    model = pickle.loads(pickle.dumps(model))  # as loaded from disk: no tokenizer yet
    started = time.perf_counter()
    model.predict_proba(texts[:1])
    warm = time.perf_counter() - started
    started = time.perf_counter()
    model.predict_proba(texts)
    per_1k = (time.perf_counter() - started) / len(texts) * 1000
    return warm, per_1k


def reply_units(reply: str) -> set[str]:
    found: set[str] = set()
    for pattern, code in REPLY_UNITS:
        if re.search(pattern, reply):
            found.add(code)
    return found


def unit_check(model: Any) -> None:
    if not FJ4.exists():
        print("fj4 replies missing; skipped")
        return
    ref = load_reference()
    frame: Any = pd.read_csv(FJ4)
    frame = frame[frame.reply.notna()]
    named = [(row, reply_units(str(row.reply))) for row in frame.itertuples()]
    named = [(row, units) for row, units in named if units]
    texts = [f"{row.title}。{row.detail}" for row, _ in named]
    proba = model.predict_proba(texts)
    classes = list(model.classes_)
    hits1 = hits3 = 0
    popular = Counter(u for _, units in named for u in units)
    top3_popular = [u for u, _ in popular.most_common(3)]
    base_hits3 = 0
    for (_row, units), p in zip(named, proba, strict=True):
        dist = sorted(zip(classes, p, strict=True), key=lambda t: -t[1])
        s = suggest_units(dist, ref, district="雁塔区", street="小寨路街道")
        got = []
        for u in s.units:
            kind = ref.units[u.unit_code].kind if u.unit_code in ref.units else ""
            got.append({u.unit_code, f"kind:{kind}"})
        hits1 += bool(got and got[0] & units)
        hits3 += any(g & units for g in got)
        base_hits3 += any(u in units for u in top3_popular)
    n = len(named)
    print(f"replies naming a unit (heuristic): {n} of {len(frame)}")
    print(
        f"unit suggestion hit@1 {hits1 / n:.3f}  hit@3 {hits3 / n:.3f}  "
        f"(baseline: always the 3 most-named units, hit@3 {base_hits3 / n:.3f}: "
        f"{', '.join(top3_popular)})"
    )


def latency_check(model_dir: Path | None) -> None:
    from classifier.corpus.generate import CORPUS
    from classifier.service import HotlineClassifier

    if model_dir is None or not (model_dir / "metadata.json").exists():
        tmp = Path(tempfile.mkdtemp(prefix="bench-clf-"))
        print(f"(no trained model given: training the seed model into {tmp})", flush=True)
        import subprocess

        subprocess.run(
            [
                sys.executable,
                "-m",
                "hotline",
                "train",
                "--data",
                str(CORPUS),
                "--text-col",
                "text",
                "--label-col",
                "category",
                "--out",
                str(tmp),
                "--also",
                "subcategory",
                "--also",
                "appeal_type",
                "--also",
                "unit",
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        model_dir = tmp
    service = HotlineClassifier.load_blocking(model_dir)
    seed = pd.read_csv(CORPUS).text.tolist()
    rng = np.random.default_rng(0)
    transcripts: list[str] = []
    for _ in range(200):
        text = ""
        while len(text) < 300:
            text += seed[int(rng.integers(len(seed)))]
        transcripts.append(text[:300])
    service.classify_blocking(transcripts[0], district="雁塔区")  # warm-up: jieba dictionary
    times = []
    for text in transcripts:
        started = time.perf_counter()
        service.classify_blocking(text, district="雁塔区", street="小寨路街道")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(0.95 * len(times)) - 1]
    print(
        f"classify + suggest, 300-char transcript ({len(service.bundle.heads)} heads): "
        f"p50 {statistics.median(times):.1f} ms  p95 {p95:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="classifier bench")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "classifier")
    parser.add_argument("--latency-only", action="store_true")
    args = parser.parse_args()
    if args.latency_only:
        latency_check(args.model)
        return
    if not FJ2.exists():
        print(f"missing {FJ2}; nothing to bench")
        return
    frame: Any = pd.read_csv(FJ2)
    print(
        f"tipdm 附件2 dev: {len(frame)} rows, {frame.label_l1.nunique()} labels, "
        f"text column text_seg (raw title+detail for {raw_texts(frame).size} rows)"
    )
    (model, test_index), rows = cross_validate(frame, args.folds, not args.skip_baseline)
    table: Any = pd.DataFrame(rows)
    f1, acc = table.ours_f1, table.ours_acc
    print(
        f"OURS grouped {len(table)}-fold: macro-F1 {f1.mean():.4f} ± {f1.std(ddof=0):.4f}  "
        f"accuracy {acc.mean():.4f} ± {acc.std(ddof=0):.4f}"
    )
    n_train = table.n_train.mean()
    print(
        f"training time: {table.ours_fit_s.mean():.1f} s per fold "
        f"({table.ours_fit_s.mean() / n_train * 1000:.2f} s per 1,000 texts)"
    )
    if "base_f1" in table:
        print(
            f"BASELINE (README words+chars LinearSVC, same folds): macro-F1 "
            f"{table.base_f1.mean():.4f} ± {table.base_f1.std(ddof=0):.4f}  accuracy "
            f"{table.base_acc.mean():.4f}; ours - baseline = "
            f"{f1.mean() - table.base_f1.mean():+.4f}; fit time ratio "
            f"{table.ours_fit_s.mean() / table.base_fit_s.mean():.1f}x"
        )
    for name, value in ANCHORS.items():
        print(f"  anchor {name}: {value:.3f} -> {'beaten' if f1.mean() > value else 'NOT beaten'}")
    test_frame = frame.iloc[test_index]
    raw = raw_texts(test_frame)
    if len(raw):
        pred = model.predict(raw.tolist())
        print(
            f"raw title+detail on the last test fold ({len(raw)} rows): accuracy "
            f"{accuracy_score(test_frame.loc[raw.index].label_l1, pred):.4f} macro-F1 "
            f"{f1_score(test_frame.loc[raw.index].label_l1, pred, average='macro'):.4f}"
        )
    all_raw = raw_texts(frame).tolist()
    warm, per_1k = predict_timing(model, all_raw)
    mean_len = statistics.mean(len(t) for t in all_raw)
    print(
        f"predict time incl. jieba tokenising: {per_1k:.2f} s per 1,000 raw texts "
        f"(mean {mean_len:.0f} chars; first call incl. dictionary load {warm:.2f} s)"
    )
    seg = frame.text_seg.fillna("").tolist()[:2000]
    _, per_1k_seg = predict_timing(model, seg)
    print(f"predict time on text_seg: {per_1k_seg:.2f} s per 1,000 texts")
    unit_check(model)
    latency_check(args.model)


if __name__ == "__main__":
    main()
