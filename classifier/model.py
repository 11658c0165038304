"""A loaded model directory: one calibrated Pipeline per target, typed predictions, explanations.

``ModelBundle.load_blocking(dir)`` verifies every head (hash, versions) before use. Predictions
return plain dataclasses, so callers never touch scikit-learn objects.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifier.artifact import LoadedHead, head_directories, load_head_blocking
from classifier.fastpath import CalibratedScorer, features_blocking, same_features
from classifier.pipeline import segmenters_of

# Distinct texts whose features a bundle remembers. A seat-assist update featurises one text
# for the session's predictor and again for classify_blocking; a live call's transcript grows,
# so older texts never come back and a handful of entries is enough (one per concurrent call).
FEATURE_MEMO_SIZE = 16

# Function words never shown as "the words that weighed most" (they may still weigh).
DISPLAY_STOP = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "有",
        "和",
        "与",
        "也",
        "都",
        "还",
        "就",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "嗯",
        "喂",
        "我",
        "我们",
        "你",
        "你们",
        "您",
        "他",
        "她",
        "他们",
        "这",
        "那",
        "这个",
        "那个",
        "一下",
        "就是",
        "一直",
        "已经",
        "什么",
        "怎么",
        "请",
        "要",
        "把",
        "被",
        "给",
        "说",
        "让",
        "到",
        "对",
        "从",
        "又",
        "很",
        "太",
        "没",
        "不",
        "个",
        "些",
        "里",
    ]
)


@dataclass(frozen=True, slots=True)
class Scored:
    label: str
    probability: float


@dataclass(frozen=True, slots=True)
class HeadPrediction:
    target: str
    ranked: tuple[Scored, ...]
    top_terms: tuple[str, ...] = ()

    @property
    def best(self) -> Scored:
        return self.ranked[0]


@dataclass(slots=True)
class Head:
    """One fitted target (category, subcategory, appeal_type, unit…)."""

    loaded: LoadedHead
    _word_names: np.ndarray[Any, Any] | None = field(default=None, repr=False)
    _n_word: int = 0
    _scorer: CalibratedScorer | None = field(default=None, repr=False)

    @property
    def target(self) -> str:
        return self.loaded.target

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.loaded.pipeline.classes_]

    def predict_proba_blocking(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        proba: np.ndarray[Any, Any] = self.loaded.pipeline.predict_proba(list(texts))
        return proba

    def predict_blocking(self, texts: Sequence[str]) -> list[str]:
        return [str(label) for label in self.loaded.pipeline.predict(list(texts))]

    def features_blocking(self, texts: Sequence[str]) -> Any:
        return features_blocking(self.loaded.pipeline, texts)

    def scorer(self) -> CalibratedScorer:
        if self._scorer is None:
            self._scorer = CalibratedScorer(self.loaded.pipeline)
        return self._scorer

    def rank_blocking(
        self, text: str, k: int = 3, explain: int = 0, features: Any = None
    ) -> HeadPrediction:
        """Top-k labels for one text; pass ``features`` computed by a head with the same
        features (see :meth:`ModelBundle.features_blocking`) to skip re-tokenising."""
        if features is None:
            features = self.features_blocking([text])
        proba = self.scorer().proba(features)[0]
        order = np.argsort(-proba)[:k]
        classes = self.classes
        ranked = tuple(Scored(classes[i], float(proba[i])) for i in order)
        terms: tuple[str, ...] = ()
        if explain:
            terms = self._top_terms(features, int(order[0]), explain)
        return HeadPrediction(self.target, ranked, terms)

    def _top_terms(self, features: Any, class_index: int, n: int) -> tuple[str, ...]:
        """Word n-grams of this text that pushed hardest towards the class (tf-idf × weight)."""
        names = self._words()
        svm = self.loaded.pipeline.named_steps["model"].calibrated_classifiers_[0].estimator
        coef = np.asarray(svm.coef_)
        # Binary LinearSVC has one row scoring the second class.
        if coef.shape[0] == 1:
            weights = coef[0] if class_index == 1 else -coef[0]
        else:
            weights = coef[class_index]
        row = features.tocsr()[0]
        idx = row.indices[row.indices < self._n_word]
        if idx.size == 0:
            return ()
        contrib = row[0, idx].toarray().ravel() * weights[idx]
        best = idx[np.argsort(-contrib)]
        positive = [i for i, c in zip(best, np.sort(contrib)[::-1], strict=True) if c > 0]
        terms = [str(names[i]) for i in positive]
        shown = [t for t in terms if not any(w in DISPLAY_STOP for w in t.split())]
        return tuple(shown[:n])

    def _words(self) -> np.ndarray[Any, Any]:
        if self._word_names is None:
            words = self.loaded.pipeline.named_steps["features"].transformer_list[0][1]
            self._word_names = np.asarray(words.named_steps["tfidf"].get_feature_names_out())
            self._n_word = len(self._word_names)
        return self._word_names


@dataclass(slots=True)
class ModelBundle:
    directory: Path
    heads: dict[str, Head]
    # head target → the target whose features it can reuse (itself when unique)
    feature_owner: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load_blocking(cls, directory: Path) -> ModelBundle:
        heads = {
            target: Head(load_head_blocking(path))
            for target, path in head_directories(directory).items()
        }
        # Heads trained with the same user dictionary share one jieba tokenizer.
        segmenters = [s for h in heads.values() for s in segmenters_of(h.loaded.pipeline)]
        for other in segmenters[1:]:
            segmenters[0].share_tokenizer_with(other)
        owners: dict[str, str] = {}
        for target, head in heads.items():
            owners[target] = next(
                (
                    owner
                    for owner in dict.fromkeys(owners.values())
                    if same_features(heads[owner].loaded.pipeline, head.loaded.pipeline)
                ),
                target,
            )
        return cls(directory=directory, heads=heads, feature_owner=owners)

    # exact text → its features per head (read-only sparse rows), most recent last
    _memo: OrderedDict[str, dict[str, Any]] = field(
        default_factory=OrderedDict, repr=False, compare=False
    )
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    memo_size: int = FEATURE_MEMO_SIZE

    def features_blocking(self, text: str) -> dict[str, Any]:
        """Features of one text for every head, computed once per distinct feature space and
        remembered for the last :attr:`memo_size` distinct texts (keyed by the exact text), so
        the auto-fill's predictor and ``classify_blocking`` on the same transcript tokenise it
        once. Callers must not modify the returned matrices."""
        with self._memo_lock:
            known = self._memo.get(text)
            if known is not None:
                self._memo.move_to_end(text)
                return dict(known)
        computed: dict[str, Any] = {}
        out: dict[str, Any] = {}
        for target, owner in self.feature_owner.items():
            if owner not in computed:
                computed[owner] = self.heads[owner].features_blocking([text])
            out[target] = computed[owner]
        if self.memo_size > 0:
            with self._memo_lock:
                self._memo[text] = out
                self._memo.move_to_end(text)
                while len(self._memo) > self.memo_size:
                    self._memo.popitem(last=False)
        return dict(out)

    def forget_features(self) -> None:
        """Drop the remembered features and jieba cuts (benchmarks time a cold update with it:
        in a live call every update is a new, longer text)."""
        with self._memo_lock:
            self._memo.clear()
        for head in self.heads.values():
            for segmenter in segmenters_of(head.loaded.pipeline):
                segmenter.forget_cuts()

    @property
    def main(self) -> Head:
        return next(iter(self.heads.values()))

    def head(self, target: str) -> Head | None:
        return self.heads.get(target)

    def predict_blocking(self, text: str, k: int = 3, explain: int = 5) -> list[HeadPrediction]:
        features = self.features_blocking(text)
        return [
            head.rank_blocking(text, k=k, explain=explain, features=features[target])
            for target, head in self.heads.items()
        ]
