"""One call for the worker and the CLI: text (+ place from auto-fill) → category, appeal type,
handling-unit suggestion, with explanations.

Heads used when present in the model directory: ``category`` (main), ``subcategory``,
``appeal_type``, ``unit``. The subcategory distribution is made consistent with the category
head (p(sub) ∝ p_sub(sub) · p_cat(parent)), so the two levels never contradict each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.model import HeadPrediction, ModelBundle, Scored
from classifier.suggest import Suggestion, suggest_units
from core.reference import ReferenceData, load_reference


@dataclass(frozen=True, slots=True)
class Classification:
    text: str
    category: HeadPrediction
    subcategory: tuple[Scored, ...]
    appeal_type: HeadPrediction | None
    suggestion: Suggestion


class HotlineClassifier:
    def __init__(self, bundle: ModelBundle, reference: ReferenceData) -> None:
        self.bundle = bundle
        self.reference = reference

    @classmethod
    def load_blocking(
        cls, model_dir: Path, reference: ReferenceData | None = None
    ) -> HotlineClassifier:
        return cls(ModelBundle.load_blocking(model_dir), reference or load_reference())

    def classify_blocking(
        self,
        text: str,
        *,
        district: str | None = None,
        street: str | None = None,
        enterprise: bool = False,
        urgent: bool = False,
    ) -> Classification:
        features = self.bundle.features_blocking(text)
        main_head = self.bundle.main
        main = main_head.rank_blocking(
            text, k=len(main_head.classes), explain=5, features=features[main_head.target]
        )
        category_probs = [(s.label, s.probability) for s in main.ranked]
        sub = self._subcategories(text, category_probs, features)
        appeal = self.bundle.head("appeal_type")
        appeal_pred = (
            appeal.rank_blocking(text, k=3, features=features["appeal_type"]) if appeal else None
        )
        unit_head = self.bundle.head("unit")
        unit_probs: list[tuple[str, float]] = []
        if unit_head is not None:
            ranked = unit_head.rank_blocking(text, k=5, features=features["unit"]).ranked
            unit_probs = [(s.label, s.probability) for s in ranked]
        dist = [(s.label, s.probability) for s in sub] if sub else category_probs
        suggestion = suggest_units(
            dist,
            self.reference,
            district=district,
            street=street,
            unit_probabilities=unit_probs,
            top_terms=main.top_terms,
            enterprise=enterprise,
            urgent=urgent,
        )
        top3 = HeadPrediction(main.target, main.ranked[:3], main.top_terms)
        return Classification(text, top3, sub[:3], appeal_pred, suggestion)

    def _subcategories(
        self, text: str, category_probs: list[tuple[str, float]], features: dict[str, Any]
    ) -> tuple[Scored, ...]:
        head = self.bundle.head("subcategory")
        if head is None:
            return ()
        parent_p: dict[str, float] = {}
        for label, p in category_probs:
            category = self.reference.resolve_category(label)
            if category is not None:
                parent_p[category.code] = p
        ranked = head.rank_blocking(
            text, k=len(head.classes), features=features["subcategory"]
        ).ranked
        joint: list[tuple[str, float]] = []
        for s in ranked:
            category = self.reference.resolve_category(s.label)
            parent = category.parent_code if category else None
            weight = parent_p.get(parent, 0.0) if parent and parent_p else 1.0
            joint.append((s.label, s.probability * weight))
        total = sum(p for _, p in joint) or 1.0
        joint.sort(key=lambda item: -item[1])
        return tuple(Scored(label, p / total) for label, p in joint)
