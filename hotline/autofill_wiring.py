"""Wiring of the auto-fill: settings → scanner, and the classifier seen as a CategoryPredictor.

``autofill`` must not import ``classifier`` (independent siblings), so the adapter lives here.
It is typed structurally against the classifier (anything with
``rank_blocking(text, k) -> .ranked[(label, probability)]``), which is what
``classifier.model.ModelBundle`` offers::

    bundle = ModelBundle.load_blocking(settings.classifier.model_dir)
    predictor = BundlePredictor(bundle)

:class:`BundlePredictor` featurises a text once for both heads, and the bundle remembers those
features, so a ``classify_blocking`` of the same transcript right after the session's update
does not tokenise it again. :class:`HeadsPredictor` takes any two heads (each featurises alone).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from autofill.factory import build_scanner
from autofill.model import LabelScore
from autofill.scan import TranscriptScanner
from hotline.settings import Settings

log = logging.getLogger(__name__)


class _Scored(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def probability(self) -> float: ...


class _Ranked(Protocol):
    @property
    def ranked(self) -> Sequence[_Scored]: ...


class RankingHead(Protocol):
    def rank_blocking(self, text: str, k: int = 3, explain: int = 0) -> _Ranked: ...


class _SharingHead(Protocol):
    @property
    def target(self) -> str: ...

    def rank_blocking(
        self, text: str, k: int = 3, explain: int = 0, features: Any = None
    ) -> _Ranked: ...


class FeatureBundle(Protocol):
    """What :class:`classifier.model.ModelBundle` offers: per-head features of one text."""

    @property
    def main(self) -> _SharingHead: ...

    def head(self, target: str) -> _SharingHead | None: ...

    def features_blocking(self, text: str) -> dict[str, Any]: ...


class HeadsPredictor:
    """:class:`autofill.model.CategoryPredictor` over classifier heads (blocking: run the
    session in an executor, as the worker does)."""

    def __init__(self, category: RankingHead, appeal_type: RankingHead | None = None) -> None:
        self._category = category
        self._appeal_type = appeal_type

    def predict_category(self, text: str) -> Sequence[LabelScore]:
        return _scores(self._category, text)

    def predict_appeal_type(self, text: str) -> Sequence[LabelScore]:
        return _scores(self._appeal_type, text) if self._appeal_type is not None else ()


class BundlePredictor:
    """:class:`autofill.model.CategoryPredictor` over a model bundle: the text's features are
    computed once (by the bundle, which remembers them per text) and shared by the category
    and appeal-type heads — same probabilities as :class:`HeadsPredictor`, one tokenisation."""

    def __init__(self, bundle: FeatureBundle) -> None:
        self._bundle = bundle
        self._category = bundle.main
        self._appeal_type = bundle.head("appeal_type")

    def predict_category(self, text: str) -> Sequence[LabelScore]:
        return self._ranked(self._category, text)

    def predict_appeal_type(self, text: str) -> Sequence[LabelScore]:
        return self._ranked(self._appeal_type, text) if self._appeal_type is not None else ()

    def _ranked(self, head: _SharingHead, text: str) -> list[LabelScore]:
        features = self._bundle.features_blocking(text)[head.target]
        ranked = head.rank_blocking(text, k=3, features=features).ranked
        return [LabelScore(s.label, s.probability) for s in ranked]


def _scores(head: RankingHead, text: str) -> list[LabelScore]:
    return [LabelScore(s.label, s.probability) for s in head.rank_blocking(text, k=3).ranked]


def predictor_from_model(model_dir: Path, *, required: bool) -> BundlePredictor | None:
    """The classifier in ``model_dir`` as a predictor; ``None`` (logged) when no model was
    trained there and none was asked for explicitly — extraction still runs without
    category/appeal type from the model."""
    from classifier.model import ModelBundle

    if not (model_dir / "metadata.json").exists() and not required:
        log.warning("no classifier model in %s: category comes from cues only", model_dir)
        return None
    return BundlePredictor(ModelBundle.load_blocking(model_dir))


def scanner_from_settings(settings: Settings) -> TranscriptScanner:
    return build_scanner(
        city=settings.city,
        gazetteer_path=settings.autofill.gazetteer_path,
        area_code=settings.autofill.area_code,
    )
