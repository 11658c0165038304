"""Train a head: hold-out score, optional feedback effect, final fit on everything, save.

All functions here are CPU-heavy (``_blocking``); call them from the CLI or an executor.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.pipeline import Pipeline

from classifier.artifact import save_head_blocking
from classifier.dataset import LabelledData
from classifier.feedback import FeedbackExamples
from classifier.pipeline import PipelineParams, build_pipeline
from classifier.text import JiebaSegmenter, user_dict_sha256
from core.errors import ValidationError

Progress = Callable[[str], None]
MIN_ROWS_FOR_HOLDOUT = 40
MIN_FEEDBACK_FOR_EFFECT = 10


@dataclass(frozen=True, slots=True)
class Scores:
    macro_f1: float
    accuracy: float
    n: int


def score(y_true: Sequence[str], y_pred: Sequence[str]) -> Scores:
    """Macro-F1 over the classes present in the truth (a model that knows more classes than
    the data is not credited or blamed for the absent ones; predicting them is still an error)."""
    labels = sorted(set(y_true))
    return Scores(
        macro_f1=float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(y_true, y_pred)),
        n=len(y_true),
    )


def check_labels(labels: Sequence[str], params: PipelineParams) -> PipelineParams:
    """Every class needs ≥ 2 examples for calibration; fewer folds when a class is rare."""
    counts = Counter(labels)
    if len(counts) < 2:
        raise ValidationError(
            f"至少需要 2 个类别才能训练，数据中只有 {list(counts)}",
            code="classifier.too_few_classes",
        )
    rare = sorted(label for label, n in counts.items() if n < 2)
    if rare:
        raise ValidationError(
            f"以下类别只有 1 条样本，无法训练和校准概率：{', '.join(rare)}；请补充样本或合并类别",
            code="classifier.class_too_small",
            details={"labels": rare},
        )
    folds = min(params.calibration_folds, min(counts.values()))
    return params.with_(calibration_folds=folds)


def fit_blocking(
    texts: Sequence[str],
    labels: Sequence[str],
    params: PipelineParams,
    tokenizer_from: JiebaSegmenter | None = None,
) -> Pipeline:
    pipeline = build_pipeline(check_labels(labels, params), tokenizer_from=tokenizer_from)
    fitted: Pipeline = pipeline.fit(list(texts), list(labels))
    return fitted


def holdout_split(
    data: LabelledData, random_state: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """20 % held out, grouped when the data names groups (near-duplicates stay together)."""
    n = len(data)
    if n < MIN_ROWS_FOR_HOLDOUT:
        return None
    index = np.arange(n)
    if len(set(data.groups)) < n:
        splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=random_state)
        train, test = next(splitter.split(index, data.labels, data.groups))
    else:
        counts = Counter(data.labels)
        stratify = data.labels if min(counts.values()) >= 2 else None
        train, test = train_test_split(
            index, test_size=0.2, random_state=random_state, stratify=stratify
        )
    train_labels = [data.labels[i] for i in train]
    if min(Counter(train_labels).values()) < 2 or len(set(train_labels)) < 2:
        return None
    return train, test


def feedback_effect_blocking(
    base: LabelledData,
    feedback: FeedbackExamples,
    params: PipelineParams,
    tokenizer_from: JiebaSegmenter | None = None,
) -> dict[str, Any]:
    """Before/after on held-out feedback: base model vs base + the other feedback."""
    n = len(feedback.texts)
    if n < MIN_FEEDBACK_FOR_EFFECT:
        return {"n_feedback": n, "skipped": f"少于 {MIN_FEEDBACK_FOR_EFFECT} 条反馈，不评估效果"}
    rng = np.random.default_rng(params.random_state)
    order = rng.permutation(n)
    cut = max(1, round(n * 0.3))
    test, train = order[:cut], order[cut:]
    test_texts = [feedback.texts[i] for i in test]
    test_labels = [feedback.labels[i] for i in test]
    before = fit_blocking(base.texts, base.labels, params, tokenizer_from)
    after = fit_blocking(
        base.texts + [feedback.texts[i] for i in train],
        base.labels + [feedback.labels[i] for i in train],
        params,
        tokenizer_from,
    )
    return {
        "n_feedback": n,
        "n_test": len(test_labels),
        "before": asdict(score(test_labels, list(before.predict(test_texts)))),
        "after": asdict(score(test_labels, list(after.predict(test_texts)))),
    }


def train_head_blocking(
    data: LabelledData,
    out: Path,
    *,
    target: str,
    text_col: str,
    params: PipelineParams,
    feedback: FeedbackExamples | None = None,
    feedback_source: str | None = None,
    progress: Progress | None = None,
    tokenizer_from: JiebaSegmenter | None = None,
) -> dict[str, Any]:
    """Fit, score and save one head; returns the metadata written. All fits of the run share
    one jieba tokenizer (``tokenizer_from``, or a fresh one for this head)."""
    step = progress or (lambda _msg: None)
    shared = tokenizer_from or JiebaSegmenter(user_words=params.user_words)
    check_labels(data.labels, params)
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "target": target,
        "text_col": text_col,
        "label_col": target,
        "data_source": data.source,
        "data_sha256": data.sha256,
        "n_rows": len(data),
        "skipped_rows": len(data.skipped_rows),
        "user_dict_sha256": user_dict_sha256(params.user_words),
        "user_dict_words": len(set(params.user_words)),
        "params": {k: v for k, v in asdict(params).items() if k not in ("user_words", "stopwords")},
    }
    split = holdout_split(data, params.random_state)
    if split is None:
        meta["scores"] = {"skipped": "数据太少，未做留出评估"}
        step("hold-out fit (skipped)")
        step("hold-out score (skipped)")
    else:
        train, test = split
        model = fit_blocking(
            [data.texts[i] for i in train], [data.labels[i] for i in train], params
        )
        step("hold-out fit")
        truth = [data.labels[i] for i in test]
        predicted = [str(p) for p in model.predict([data.texts[i] for i in test])]
        meta["scores"] = {"holdout": asdict(score(truth, predicted)), "split": "20% grouped"}
        step("hold-out score")
    texts, labels = list(data.texts), list(data.labels)
    if feedback is not None:
        meta["feedback"] = {
            "source": feedback_source,
            "n_examples": len(feedback.texts),
            "n_unusable": feedback.unusable,
            "effect": feedback_effect_blocking(data, feedback, params, shared),
        }
        step("feedback effect")
        texts += feedback.texts
        labels += feedback.labels
    final = fit_blocking(texts, labels, params, shared)
    step("final fit")
    meta["labels"] = [str(c) for c in final.classes_]
    meta["label_counts"] = dict(sorted(Counter(labels).items()))
    meta["n_train"] = len(texts)
    meta["train_seconds"] = round(time.perf_counter() - started, 2)
    meta["trained_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    save_head_blocking(final, out, meta)
    step("save")
    return meta
