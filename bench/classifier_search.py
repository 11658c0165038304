"""Nested grouped CV of a small hyper-parameter / model grid on tipdm 附件2 (honest selection).

    python bench/classifier_search.py [--outer 5] [--inner 3]

Outer: the bench protocol (StratifiedGroupKFold over ``dup_group``, 5 folds, shuffle,
random_state=0). Inside each outer training part, an inner StratifiedGroupKFold (3 folds,
random_state=1) scores every candidate; the best inner candidate is fitted on the whole outer
training part (calibrated like production for the LinearSVC candidates; NB-SVM and SGD are
scored uncalibrated, argmax of their decision values) and scored once on the outer test fold.
The printed nested figure is what the *selection procedure* achieves, with no test-fold peeking.
Per-candidate outer scores are printed too, labelled as information only (not used to choose).

Simplification, stated: the TF-IDF vocabularies/idf of a candidate's feature space are fitted on
the outer training part and reused by its inner folds (unsupervised; labels never leak).
Slow: ~8 min per outer fold on a busy 2-core box (~40 min for 5), n_jobs=1 throughout;
``--outer 1`` runs the first outer fold only.
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
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from classifier.pipeline import PipelineParams, build_pipeline  # noqa: E402

FJ2 = ROOT.parent / "shared" / "data" / "tipdm2020c_fj2_l1" / "fj2_l1_dev.csv"


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str  # svm | nbsvm | sgd
    c: float = 0.5
    char_weight: float = 1.4
    class_weight: str | None = "balanced"
    raw_augment: bool = False


GRID = [
    *[
        Candidate(f"svm C={c} chars×{w}", "svm", c=c, char_weight=w)
        for c in (0.25, 0.5, 1.0)
        for w in (1.0, 1.4, 2.0)
    ],
    Candidate("svm C=0.5 chars×1.4 +raw title/detail rows", "svm", raw_augment=True),
    Candidate("NB-SVM (log-count ratio) C=0.5 chars×1.4", "nbsvm"),
    Candidate("SGD modified_huber averaged chars×1.4", "sgd"),
]


def _stack(words: Any, chars: Any, weight: float) -> Any:
    return sp.hstack([words, chars * weight], format="csr")


def _nb_ratios(x: Any, y: Any, classes: Any, alpha: float = 1.0) -> Any:
    """Per-class log-count ratio r_k = log((p_k/|p_k|) / (q_k/|q_k|)) on binarised features."""
    xb = (x > 0).astype(np.float64)
    ratios = []
    for k in classes:
        p = np.asarray(xb[y == k].sum(axis=0)).ravel() + alpha
        q = np.asarray(xb[y != k].sum(axis=0)).ravel() + alpha
        ratios.append(np.log((p / p.sum()) / (q / q.sum())))
    return np.vstack(ratios)


def _fit_predict(cand: Candidate, x_tr: Any, y_tr: Any, x_te: Any, calibrated: bool) -> Any:
    if cand.kind == "svm":
        svm = LinearSVC(C=cand.c, class_weight=cand.class_weight, random_state=0)
        model: Any = (
            CalibratedClassifierCV(svm, method="sigmoid", cv=3, ensemble=False)
            if calibrated
            else svm
        )
        return model.fit(x_tr, y_tr).predict(x_te)
    if cand.kind == "sgd":
        sgd = SGDClassifier(
            loss="modified_huber",
            alpha=2e-5,
            average=True,
            class_weight="balanced",
            max_iter=30,
            tol=None,
            random_state=0,
        )
        return sgd.fit(x_tr, y_tr).predict(x_te)
    classes = np.unique(y_tr)
    ratios = _nb_ratios(x_tr, y_tr, classes)
    scores = []
    for k, r in zip(classes, ratios, strict=True):
        scale = sp.diags(r.astype(np.float32))
        svm = LinearSVC(C=cand.c, class_weight="balanced", random_state=0)
        svm.fit(x_tr @ scale, (y_tr == k).astype(int))
        scores.append(svm.decision_function(x_te @ scale))
    return classes[np.argmax(np.vstack(scores), axis=0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outer", type=int, default=5)
    parser.add_argument("--inner", type=int, default=3)
    args = parser.parse_args()
    frame: Any = pd.read_csv(FJ2)
    x = frame.text_seg.fillna("").to_numpy()
    y = frame.label_l1.to_numpy()
    groups = frame.dup_group.to_numpy()
    has_raw = (frame.detail.notna() & (frame.detail.astype(str).str.len() > 0)).to_numpy()
    title, detail = frame.title.fillna("").astype(str), frame.detail.fillna("").astype(str)
    raw = (title + "。" + detail).to_numpy()
    outer = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    nested: list[float] = []
    info: dict[str, list[float]] = {c.name: [] for c in GRID}
    chosen: list[str] = []
    for fold, (tr, te) in enumerate(outer.split(x, y, groups)):
        if fold >= args.outer:
            break
        started = time.perf_counter()
        union = build_pipeline(PipelineParams()).named_steps["features"]
        words_t, chars_t = (t for _, t in union.transformer_list)
        w_tr, c_tr = words_t.fit_transform(x[tr]), chars_t.fit_transform(x[tr])
        w_te, c_te = words_t.transform(x[te]), chars_t.transform(x[te])
        raw_idx = tr[has_raw[tr]]
        w_raw, c_raw = words_t.transform(raw[raw_idx]), chars_t.transform(raw[raw_idx])
        print(f"fold {fold}: features {time.perf_counter() - started:.0f}s", flush=True)
        inner = StratifiedGroupKFold(n_splits=args.inner, shuffle=True, random_state=1)
        inner_splits = list(inner.split(tr, y[tr], groups[tr]))
        inner_score: dict[str, float] = {}
        for cand in GRID:
            xs = _stack(w_tr, c_tr, cand.char_weight)
            scores = []
            for itr, ite in inner_splits:
                x_fit, y_fit = xs[itr], y[tr][itr]
                if cand.raw_augment:
                    # raw rows of inner-training groups only
                    keep = np.isin(raw_idx, tr[itr])
                    x_fit = sp.vstack(
                        [x_fit, _stack(w_raw, c_raw, cand.char_weight)[keep]], format="csr"
                    )
                    y_fit = np.concatenate([y_fit, y[raw_idx][keep]])
                pred = _fit_predict(cand, x_fit, y_fit, xs[ite], calibrated=False)
                scores.append(f1_score(y[tr][ite], pred, average="macro"))
            inner_score[cand.name] = float(np.mean(scores))
            # information only: uncalibrated outer score of every candidate
            x_fit, y_fit = xs, y[tr]
            if cand.raw_augment:
                x_fit = sp.vstack([xs, _stack(w_raw, c_raw, cand.char_weight)], format="csr")
                y_fit = np.concatenate([y[tr], y[raw_idx]])
            pred = _fit_predict(cand, x_fit, y_fit, _stack(w_te, c_te, cand.char_weight), False)
            info[cand.name].append(f1_score(y[te], pred, average="macro"))
            print(
                f"  {cand.name:45s} inner {inner_score[cand.name]:.4f}  "
                f"outer(info) {info[cand.name][-1]:.4f}",
                flush=True,
            )
        best = max(GRID, key=lambda c: inner_score[c.name])
        chosen.append(best.name)
        x_fit, y_fit = _stack(w_tr, c_tr, best.char_weight), y[tr]
        if best.raw_augment:
            x_fit = sp.vstack([x_fit, _stack(w_raw, c_raw, best.char_weight)], format="csr")
            y_fit = np.concatenate([y_fit, y[raw_idx]])
        pred = _fit_predict(best, x_fit, y_fit, _stack(w_te, c_te, best.char_weight), True)
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
