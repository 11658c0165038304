"""The scikit-learn Pipeline: jieba word n-grams + character n-grams + the lead's characters →
calibrated linear model.

Why this shape: on the tipdm messages words and characters each reach ~0.906 macro-F1 and
together ~0.915 (the dataset README's baselines); the union is robust to ASR errors and unseen
place names (characters) while words carry the topic. Char 1–4-grams weighted ×1.4 scored best
on grouped folds of both tipdm and the seed corpus (single characters like 水/电/气 carry the
topic in short call summaries). A third, lower-weighted block of character 1–3-grams of the
*lead* (first 8 tokens: a message's title, a summary's first clause) adds what position says —
the topic is named first — and lifted grouped-CV macro-F1 by ~0.6 points. The scorer is a
one-vs-rest ridge (least squares, ``class_weight="balanced"``), ~0.1 point above LinearSVC on
the same features (nested search); LinearSVC stays available (``estimator="svm"``).
``CalibratedClassifierCV`` (sigmoid, ``ensemble=False``) adds probabilities for the top-3
suggestion while keeping one linear model trained on all data, whose ``coef_`` explains a
prediction. Selection is nested (``bench/classifier_search.py``); figures: docs/classifier.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import RidgeClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifier.text import CharNormaliser, JiebaSegmenter, LeadText


@dataclass(frozen=True, slots=True)
class PipelineParams:
    """Hyper-parameters, chosen by grouped CV on the tipdm dev set (see ``bench/classifier.py``)."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (1, 4)
    min_df: int = 2
    max_features: int | None = 400_000
    char_weight: float = 1.4
    lead_tokens: int = 8
    lead_ngrams: tuple[int, int] = (1, 3)
    lead_weight: float = 0.6
    estimator: str = "ridge"
    alpha: float = 0.5
    c: float = 0.5
    class_weight: str | None = "balanced"
    calibration_folds: int = 3
    random_state: int = 0
    user_words: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = field(default=())

    def with_(self, **changes: Any) -> PipelineParams:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return PipelineParams(**values)


def build_pipeline(
    params: PipelineParams | None = None, *, tokenizer_from: JiebaSegmenter | None = None
) -> Pipeline:
    """A fresh, unfitted Pipeline (nothing heavy happens until ``fit``). ``tokenizer_from``
    shares an existing segmenter's jieba tokenizer instead of building another one."""
    p = params or PipelineParams()
    segmenter = JiebaSegmenter(user_words=p.user_words, stopwords=p.stopwords)
    if tokenizer_from is not None:
        tokenizer_from.share_tokenizer_with(segmenter)
    words = Pipeline(
        [
            ("segment", segmenter),
            (
                "tfidf",
                TfidfVectorizer(
                    token_pattern=r"(?u)\S+",  # noqa: S106 - a regex, not a password
                    lowercase=True,
                    ngram_range=p.word_ngrams,
                    min_df=p.min_df,
                    sublinear_tf=True,
                    max_features=p.max_features,
                    dtype=_float32(),
                ),
            ),
        ]
    )
    chars = Pipeline(
        [
            ("normalise", CharNormaliser()),
            ("tfidf", _char_tfidf(p.char_ngrams, p.min_df, p.max_features)),
        ]
    )
    blocks: list[tuple[str, Any]] = [("words", words), ("chars", chars)]
    weights = {"words": 1.0, "chars": p.char_weight}
    if p.lead_tokens > 0:
        lead = LeadText(user_words=p.user_words, stopwords=p.stopwords, lead_tokens=p.lead_tokens)
        segmenter.share_tokenizer_with(lead)
        tfidf = _char_tfidf(p.lead_ngrams, p.min_df, None)
        blocks.append(("lead", Pipeline([("lead", lead), ("tfidf", tfidf)])))
        weights["lead"] = p.lead_weight
    features = FeatureUnion(blocks, transformer_weights=weights)
    model = CalibratedClassifierCV(
        _linear_model(p), method="sigmoid", cv=p.calibration_folds, ensemble=False
    )
    return Pipeline([("features", features), ("model", model)])


ESTIMATORS = ("ridge", "svm")


def _char_tfidf(ngrams: tuple[int, int], min_df: int, max_features: int | None) -> Any:
    return TfidfVectorizer(
        analyzer="char",
        ngram_range=ngrams,
        min_df=min_df,
        sublinear_tf=True,
        max_features=max_features,
        dtype=_float32(),
    )


def _linear_model(p: PipelineParams) -> Any:
    """The linear scorer under the calibration: ``ridge`` (least-squares one-vs-rest, the
    default: ~+0.1 macro-F1 point over the SVM on grouped tipdm folds with the lead block)
    or ``svm`` (LinearSVC, squared hinge)."""
    if p.estimator == "ridge":
        return RidgeClassifier(alpha=p.alpha, class_weight=p.class_weight)
    if p.estimator == "svm":
        return LinearSVC(C=p.c, class_weight=p.class_weight, random_state=p.random_state)
    raise ValueError(f"unknown estimator {p.estimator!r}; choose one of {', '.join(ESTIMATORS)}")


def segmenters_of(pipeline: Pipeline) -> list[JiebaSegmenter]:
    """Every jieba step of a pipeline (word branch first, then the lead branch if any)."""
    out: list[JiebaSegmenter] = []
    for _name, block in pipeline.named_steps["features"].transformer_list:
        first = block.steps[0][1]
        if isinstance(first, JiebaSegmenter):
            out.append(first)
    return out


def _float32() -> Any:
    import numpy as np

    return np.float32
