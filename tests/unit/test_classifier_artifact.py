"""Artifact round trip and refused loads; the private jieba tokenizer."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import jieba
import numpy as np
import pytest

from classifier.artifact import METADATA_FILE, MODEL_FILE, ArtifactError
from classifier.dataset import read_labelled_csv
from classifier.model import ModelBundle
from classifier.pipeline import PipelineParams
from classifier.text import JiebaSegmenter
from classifier.training import train_head_blocking
from core.errors import ValidationError
from tests.unit.classifier_data import fit_small_head, small_rows, write_csv

PROBES = [
    "小区停水两天了，没有通知",
    "公司拖欠工资三个月了",
    "孩子上学划片太远",
    "楼下广场舞噪音太吵",
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    params = PipelineParams(user_words=("暖气", "拖欠工资"))
    model_dir, pipeline = fit_small_head(tmp_path_factory.mktemp("clf"), params)
    return model_dir, pipeline.predict_proba(PROBES)


def _copy(model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    target.mkdir()
    for name in (MODEL_FILE, METADATA_FILE):
        (target / name).write_bytes((model_dir / name).read_bytes())
    return target


def test_round_trip_gives_identical_predictions(trained: tuple[Path, np.ndarray]) -> None:
    model_dir, before = trained
    bundle = ModelBundle.load_blocking(model_dir)
    after = bundle.main.predict_proba_blocking(PROBES)
    np.testing.assert_array_equal(before, after)
    # the low-latency path gives the same numbers as Pipeline.predict_proba
    fast = bundle.main.scorer().proba(bundle.main.features_blocking(PROBES))
    np.testing.assert_allclose(fast, before, rtol=1e-6, atol=1e-9)
    union = bundle.main.loaded.pipeline.named_steps["features"].transform(PROBES)
    assert abs(bundle.main.features_blocking(PROBES) - union).max() == 0
    assert bundle.main.predict_blocking(PROBES) == [
        "水电气热",
        "劳动和社会保障",
        "教育文体",
        "环境保护",
    ]
    meta = bundle.main.loaded.metadata
    assert meta["labels"] == sorted(meta["labels"])
    assert set(meta["versions"]) >= {"python", "scikit-learn", "jieba", "numpy"}
    assert len(meta["data_sha256"]) == 64
    assert len(meta["user_dict_sha256"]) == 64


def test_explanation_names_words_of_the_text(trained: tuple[Path, np.ndarray]) -> None:
    bundle = ModelBundle.load_blocking(trained[0])
    text = "公司拖欠工资三个月了"
    ranked = bundle.main.rank_blocking(text, explain=3)
    assert ranked.best.label == "劳动和社会保障"
    assert ranked.top_terms
    assert all(term.replace(" ", "") in text for term in ranked.top_terms)


def test_tampered_artifact_is_refused(trained: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    target = _copy(trained[0], tmp_path)
    with (target / MODEL_FILE).open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ArtifactError, match="sha256") as info:
        ModelBundle.load_blocking(target)
    assert info.value.code == "classifier.artifact_hash_mismatch"


@pytest.mark.parametrize(
    ("library", "recorded"), [("scikit-learn", "1.0.2"), ("jieba", "0.39"), ("python", "3.9.18")]
)
def test_version_mismatch_is_refused(
    trained: tuple[Path, np.ndarray], tmp_path: Path, library: str, recorded: str
) -> None:
    target = _copy(trained[0], tmp_path)
    meta = json.loads((target / METADATA_FILE).read_text(encoding="utf-8"))
    meta["versions"][library] = recorded
    (target / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ArtifactError, match=f"{library} 训练时 {recorded}") as info:
        ModelBundle.load_blocking(target)
    assert info.value.code == "classifier.artifact_version_mismatch"
    assert "重新训练" in info.value.message


def test_user_dictionary_mismatch_is_refused(
    trained: tuple[Path, np.ndarray], tmp_path: Path
) -> None:
    target = _copy(trained[0], tmp_path)
    meta = json.loads((target / METADATA_FILE).read_text(encoding="utf-8"))
    meta["user_dict_sha256"] = "0" * 64
    (target / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ArtifactError, match="用户词典哈希"):
        ModelBundle.load_blocking(target)


def test_missing_model_dir_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="python -m hotline train"):
        ModelBundle.load_blocking(tmp_path)


def test_segmenter_uses_a_private_tokenizer() -> None:
    word = "小寨路街道办事处东门"
    segmenter = JiebaSegmenter(user_words=(word,)).fit(["x"])
    assert word in segmenter.tokens(f"我在{word}等你")
    assert word not in jieba.dt.FREQ  # the global default tokenizer is untouched
    clone = pickle.loads(pickle.dumps(segmenter))
    assert "_jieba_holder" in segmenter.__dict__
    assert "_jieba_holder" not in clone.__dict__  # the 30 MB dictionary is not pickled…
    assert clone.transform([f"我在{word}等你"]) == segmenter.transform([f"我在{word}等你"])


def test_single_example_class_is_a_clear_error(tmp_path: Path) -> None:
    rows = small_rows(5)
    rows[0] = {**rows[0], "category": "独苗"}
    data = read_labelled_csv(write_csv(rows, tmp_path / "d.csv"), "text", "category")
    with pytest.raises(ValidationError, match="独苗"):
        train_head_blocking(
            data, tmp_path / "m", target="category", text_col="text", params=PipelineParams()
        )


def test_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    path = write_csv(small_rows(3), tmp_path / "d.csv")
    with pytest.raises(ValidationError, match="缺少列 body"):
        read_labelled_csv(path, "body", "category")
