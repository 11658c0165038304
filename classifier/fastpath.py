"""Low-latency inference for one text: the same numbers as ``Pipeline.predict_proba``, without
scikit-learn's per-call overhead.

Why: a live call re-classifies the transcript every few seconds, and sklearn's generic path
(joblib dispatch in FeatureUnion, input validation once per class in the sigmoid calibrators)
costs more than the maths for a single 300-character text — ~15 ms per head against a 20 ms
budget for auto-fill + suggestion. Heads trained on the same texts have identical features, so
a bundle computes them once. ``tests/unit/test_classifier_artifact.py`` checks the equivalence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2


def features_blocking(pipeline: Pipeline, texts: Sequence[str]) -> Any:
    """``FeatureUnion.transform`` without joblib: each block, weighted, stacked (CSR)."""
    union = pipeline.named_steps["features"]
    weights = union.transformer_weights or {}
    blocks = []
    for name, transformer in union.transformer_list:
        block = _block(transformer, list(texts))
        weight = weights.get(name)
        blocks.append(block * weight if weight is not None else block)
    return sp.hstack(blocks, format="csr")


def _block(transformer: Any, texts: list[str]) -> Any:
    """One ``[preprocess, TfidfVectorizer]`` block: the same operations, in the same order, as
    ``TfidfTransformer.transform`` after ``CountVectorizer.transform`` (log, idf, in-place l2
    row normalisation), minus its input validation, which cost ~1 ms per block per text — as
    much as the arithmetic. Anything else goes through scikit-learn."""
    steps = getattr(transformer, "steps", None)
    vectorizer = steps[-1][1] if steps else None
    if (
        not isinstance(vectorizer, TfidfVectorizer)
        or vectorizer.norm != "l2"
        or vectorizer.binary
        or not vectorizer.use_idf
        or len(steps or ()) != 2
    ):
        return transformer.transform(texts)
    docs = steps[0][1].transform(texts) if steps else texts
    counts = CountVectorizer.transform(vectorizer, docs)
    if not sp.isspmatrix_csr(counts) and counts.format != "csr":
        return transformer.transform(texts)
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    counts.data *= vectorizer.idf_[counts.indices]
    inplace_csr_row_normalize_l2(counts)
    return counts


def same_features(a: Pipeline, b: Pipeline) -> bool:
    """True when both pipelines turn any text into the same feature vector."""
    if a is b:
        return True
    ua, ub = a.named_steps["features"], b.named_steps["features"]
    if (ua.transformer_weights or {}) != (ub.transformer_weights or {}):
        return False
    for (na, ta), (nb, tb) in zip(ua.transformer_list, ub.transformer_list, strict=True):
        if na != nb:
            return False
        first_a, first_b = ta.steps[0][1], tb.steps[0][1]
        if repr(first_a.get_params()) != repr(first_b.get_params()):
            return False
        va, vb = ta.steps[-1][1], tb.steps[-1][1]
        if repr(va.get_params()) != repr(vb.get_params()):
            return False
        if va.vocabulary_ != vb.vocabulary_ or not np.array_equal(va.idf_, vb.idf_):
            return False
    return True


class CalibratedScorer:
    """Sigmoid-calibrated LinearSVC probabilities, vectorised over classes.

    Mirrors ``sklearn.calibration._CalibratedClassifier.predict_proba`` for ``method="sigmoid"``
    with one calibrated classifier (``ensemble=False``); anything else falls back to sklearn.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self.model = pipeline.named_steps["model"]
        calibrated = getattr(self.model, "calibrated_classifiers_", [])
        self.fast = (
            len(calibrated) == 1
            and getattr(self.model, "method", None) == "sigmoid"
            and np.array_equal(calibrated[0].estimator.classes_, self.model.classes_)
        )
        if self.fast:
            only = calibrated[0]
            # C-contiguous: scipy's sparse @ dense copies (ravels) a transposed view on every
            # call — 100+ MB per call for a ridge head (liblinear's coef_ happens to be F-ordered)
            self.coef_t = np.ascontiguousarray(np.asarray(only.estimator.coef_).T)
            self.intercept = np.asarray(only.estimator.intercept_)
            self.a = np.array([c.a_ for c in only.calibrators], dtype=float)
            self.b = np.array([c.b_ for c in only.calibrators], dtype=float)
            self.n_classes = len(self.model.classes_)

    def proba(self, features: Any) -> np.ndarray[Any, Any]:
        if not self.fast:
            slow: np.ndarray[Any, Any] = np.asarray(self.model.predict_proba(features))
            return slow
        decision = np.asarray(features @ self.coef_t) + self.intercept
        p = expit(-(self.a * decision + self.b))
        if self.n_classes == 2:
            proba = np.column_stack([1.0 - p[:, 0], p[:, 0]])
        else:
            denominator = p.sum(axis=1, keepdims=True)
            uniform = np.full_like(p, 1.0 / self.n_classes)
            proba = np.divide(p, denominator, out=uniform, where=denominator != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba
