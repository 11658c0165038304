"""The session's predictor and classify_blocking share one featurisation per text — and give
exactly the outputs of the per-head path (HeadsPredictor + a fresh classify) on seed texts."""

from __future__ import annotations

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from autofill.scan import TranscriptScanner
from autofill.session import AutofillSession
from classifier.fastpath import features_blocking
from classifier.service import HotlineClassifier
from hotline.autofill_wiring import BundlePredictor, HeadsPredictor, scanner_from_settings
from hotline.commands import classifier as commands
from hotline.settings import Settings
from tests.unit.classifier_data import small_rows, write_csv

# Every third row of the seed slice (all four categories), plus spoken-style transcripts.
TEXTS = [row["text"] for row in small_rows()[::3]] + [
    "喂你好，我姓王，住在雁塔区电子城街道锦业小区，工地晚上十一点还在打桩，电话一五九幺二三四五六七九",
    "小区停水两天了没有通知，家里老人孩子都没法做饭",
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> HotlineClassifier:
    base = tmp_path_factory.mktemp("seat")
    app = typer.Typer()
    commands.register(app)
    data = write_csv(small_rows(), base / "train.csv")
    # fmt: off
    result = CliRunner().invoke(app, [
        "train", "--data", str(data), "--text-col", "text", "--label-col", "category",
        "--out", str(base / "model"), "--also", "appeal_type", "--also", "unit",
    ])
    # fmt: on
    assert result.exit_code == 0, result.output
    return HotlineClassifier.load_blocking(base / "model")


@pytest.fixture(scope="module")
def scanner() -> TranscriptScanner:
    return scanner_from_settings(Settings())


def test_bundle_predictor_equals_the_per_head_predictor(service: HotlineClassifier) -> None:
    bundle = service.bundle
    assert bundle.head("appeal_type") is not None
    old = HeadsPredictor(bundle.main, bundle.head("appeal_type"))
    new = BundlePredictor(bundle)
    for text in TEXTS:
        assert new.predict_category(text) == old.predict_category(text), text
        assert new.predict_appeal_type(text) == old.predict_appeal_type(text), text


def test_seat_update_outputs_are_identical(
    service: HotlineClassifier, scanner: TranscriptScanner
) -> None:
    bundle = service.bundle
    old = HeadsPredictor(bundle.main, bundle.head("appeal_type"))
    new = BundlePredictor(bundle)
    for text in TEXTS:
        bundle.forget_features()
        before_session = AutofillSession(scanner, predictor=old)
        before_session.update(text)
        before = service.classify_blocking(text)  # featurised afresh
        bundle.forget_features()
        after_session = AutofillSession(scanner, predictor=new)
        after_session.update(text)
        after = service.classify_blocking(text)  # features from the session's predictor
        assert after_session.fields == before_session.fields, text
        assert after == before, text


def test_features_are_remembered_per_exact_text_and_bounded(service: HotlineClassifier) -> None:
    bundle = service.bundle
    bundle.forget_features()
    target = bundle.main.target
    first = bundle.features_blocking(TEXTS[0])[target]
    assert bundle.features_blocking(TEXTS[0])[target] is first
    assert bundle.features_blocking(TEXTS[0] + " ")[target] is not first
    for i in range(bundle.memo_size):
        bundle.features_blocking(f"{TEXTS[1]}{i}")
    again = bundle.features_blocking(TEXTS[0])[target]
    assert again is not first  # evicted: the oldest of more than memo_size texts
    assert (again != first).nnz == 0


def test_fast_features_are_bit_identical_to_scikit_learn(service: HotlineClassifier) -> None:
    pipeline = service.bundle.main.loaded.pipeline
    for text in [*TEXTS, "", "   "]:
        fast = features_blocking(pipeline, [text])
        slow = pipeline.named_steps["features"].transform([text]).tocsr()
        assert fast.dtype == slow.dtype
        assert np.array_equal(fast.indptr, slow.indptr), text
        assert np.array_equal(fast.indices, slow.indices), text
        assert np.array_equal(fast.data, slow.data), text
