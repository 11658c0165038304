"""Nested grouped CV of a small hyper-parameter / model grid on tipdm 附件2 (honest selection).

    python bench/classifier_search.py [--outer 5] [--inner 3]

Outer: the bench protocol (StratifiedGroupKFold over ``dup_group``, 5 folds, shuffle,
random_state=0). Inside each outer training part, an inner StratifiedGroupKFold (3 folds,
random_state=1) scores every candidate (uncalibrated argmax); the best inner candidate is fitted
on the whole outer training part, calibrated like production (sigmoid, cv=3, ensemble=False), and
scored once on the outer test fold. Candidates: LinearSVC vs RidgeClassifier (α grid), with and
without the lead block (characters of the first 8 tokens, weight grid); words + chars ×1.4 fixed.
The printed nested figure is what the *selection procedure* achieves, with no test-fold peeking.
Per-candidate outer scores are printed too, labelled as information only (not used to choose).

Simplification, stated: the TF-IDF vocabularies/idf of a candidate's feature space are fitted on
the outer training part and reused by its inner folds (unsupervised; labels never leak).
Slow: a few minutes per outer fold on a 2-core box, n_jobs=1 throughout; ``--outer 1`` runs
the first outer fold only. (Session 1's grid — C × char weight, NB-SVM, SGD, extra raw rows — is
in docs/classifier.md; none of it beat the fold noise.)
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.linear_model import RidgeClassifier  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from classifier.pipeline import PipelineParams, build_pipeline  # noqa: E402

FJ2 = ROOT.parent / "shared" / "data" / "tipdm2020c_fj2_l1" / "fj2_l1_dev.csv"


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str  # svm | ridge
    c: float = 0.5  # LinearSVC C
    alpha: float = 0.5  # RidgeClassifier alpha
    lead_weight: float = 0.0  # 0 = no lead block
    char_weight: float = 1.4


GRID = [
    Candidate("svm C=0.5, no lead (production until 2026-11)", "svm"),
    *[Candidate(f"svm C=0.5, lead×{w}", "svm", lead_weight=w) for w in (0.6, 0.9)],
    *[
        Candidate(
            f"ridge α={a}, " + (f"lead×{w}" if w else "no lead"), "ridge", alpha=a, lead_weight=w
        )
        for a in (0.3, 0.5, 1.0)
        for w in (0.0, 0.6, 0.9)
    ],
]


def _stack(blocks: tuple[Any, Any, Any], cand: Candidate) -> Any:
    words, chars, lead = blocks
    parts = [words, chars * cand.char_weight]
    if cand.lead_weight:
        parts.append(lead * cand.lead_weight)
    return sp.hstack(parts, format="csr")


def _fit_predict(cand: Candidate, x_tr: Any, y_tr: Any, x_te: Any, calibrated: bool) -> Any:
    model: Any = (
        LinearSVC(C=cand.c, class_weight="balanced", random_state=0)
        if cand.kind == "svm"
        else RidgeClassifier(alpha=cand.alpha, class_weight="balanced")
    )
    if calibrated:
        model = CalibratedClassifierCV(model, method="sigmoid", cv=3, ensemble=False)
    return model.fit(x_tr, y_tr).predict(x_te)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outer", type=int, default=5)
    parser.add_argument("--inner", type=int, default=3)
    args = parser.parse_args()
    frame: Any = pd.read_csv(FJ2)
    x = frame.text_seg.fillna("").to_numpy()
    y = frame.label_l1.to_numpy()
    groups = frame.dup_group.to_numpy()
    outer = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    nested: list[float] = []
    info: dict[str, list[float]] = {c.name: [] for c in GRID}
    chosen: list[str] = []
    for fold, (tr, te) in enumerate(outer.split(x, y, groups)):
        if fold >= args.outer:
            break
        started = time.perf_counter()
        union = build_pipeline(PipelineParams()).named_steps["features"]
        fitted = [t.fit_transform(x[tr]) for _, t in union.transformer_list]
        train_blocks = (fitted[0], fitted[1], fitted[2])
        tested = [t.transform(x[te]) for _, t in union.transformer_list]
        test_blocks = (tested[0], tested[1], tested[2])
        print(f"fold {fold}: features {time.perf_counter() - started:.0f}s", flush=True)
        inner = StratifiedGroupKFold(n_splits=args.inner, shuffle=True, random_state=1)
        inner_splits = list(inner.split(tr, y[tr], groups[tr]))
        inner_score: dict[str, float] = {}
        for cand in GRID:
            xs = _stack(train_blocks, cand)
            scores = []
            for itr, ite in inner_splits:
                pred = _fit_predict(cand, xs[itr], y[tr][itr], xs[ite], calibrated=False)
                scores.append(f1_score(y[tr][ite], pred, average="macro"))
            inner_score[cand.name] = float(np.mean(scores))
            # information only: uncalibrated outer score of every candidate
            pred = _fit_predict(cand, xs, y[tr], _stack(test_blocks, cand), False)
            info[cand.name].append(f1_score(y[te], pred, average="macro"))
            print(
                f"  {cand.name:45s} inner {inner_score[cand.name]:.4f}  "
                f"outer(info) {info[cand.name][-1]:.4f}",
                flush=True,
            )
        best = max(GRID, key=lambda c: inner_score[c.name])
        chosen.append(best.name)
        pred = _fit_predict(
            best, _stack(train_blocks, best), y[tr], _stack(test_blocks, best), True
        )
        nested.append(f1_score(y[te], pred, average="macro"))
        print(f"  chosen by inner CV: {best.name} -> outer macro-F1 {nested[-1]:.4f}", flush=True)
    print(
        f"NESTED grouped CV (selection inside): macro-F1 {np.mean(nested):.4f} ± "
        f"{np.std(nested):.4f}  per fold {', '.join(f'{v:.4f}' for v in nested)}"
    )
    print(f"chosen per fold: {chosen}")
    print("uncalibrated outer macro-F1 per candidate (information only, not used to choose):")
    for name, values in info.items():
        print(f"  {name:45s} {np.mean(values):.4f} ± {np.std(values):.4f}")


if __name__ == "__main__":
    main()
