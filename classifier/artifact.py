"""Versioned model artifacts: the whole fitted Pipeline (joblib) + ``metadata.json``.

A model directory holds one *head* per target: ``<dir>/model.joblib`` + ``<dir>/metadata.json``
for the main label, and ``<dir>/heads/<column>/…`` for extra targets (appeal type, unit,
subcategory). Loading verifies, before anything is unpickled, that the artifact's sha256 matches
the metadata and that it was trained with the library versions now installed; otherwise it
REFUSES with a message saying what differs and how to retrain. (Unpickling a model built with
another scikit-learn can silently change predictions, and a tampered file must never run.)
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline

from core.errors import DomainError

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
HEADS_DIR = "heads"
FORMAT_VERSION = 1
# Versions that must match exactly for a pickled Pipeline to behave the same.
PINNED_LIBRARIES = ("scikit-learn", "jieba", "numpy", "scipy", "joblib")


class ArtifactError(DomainError):
    """A model directory that cannot be used (missing, tampered, or built with other versions)."""

    code = "classifier.artifact_invalid"


@dataclass(frozen=True, slots=True)
class LoadedHead:
    pipeline: Pipeline
    metadata: dict[str, Any]

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.metadata["labels"]]

    @property
    def target(self) -> str:
        return str(self.metadata["target"])


def current_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PINNED_LIBRARIES:
        versions[name] = importlib_metadata.version(name)
    return versions


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_head_blocking(pipeline: Pipeline, directory: Path, metadata: dict[str, Any]) -> Path:
    """Write the Pipeline and its metadata (versions and artifact hash filled in here)."""
    import joblib

    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / MODEL_FILE
    tmp = model_path.with_suffix(".joblib.tmp")
    joblib.dump(pipeline, tmp, compress=3)
    tmp.replace(model_path)  # atomic: a crash never leaves a half-written model
    full = dict(metadata)
    full["format_version"] = FORMAT_VERSION
    full["versions"] = current_versions()
    full["artifact_sha256"] = file_sha256(model_path)
    meta_path = directory / METADATA_FILE
    meta_tmp = meta_path.with_suffix(".json.tmp")
    meta_tmp.write_text(json.dumps(full, ensure_ascii=False, indent=2), encoding="utf-8")
    meta_tmp.replace(meta_path)
    return model_path


def read_metadata(directory: Path) -> dict[str, Any]:
    meta_path = directory / METADATA_FILE
    if not meta_path.exists():
        raise ArtifactError(
            f"模型目录 {directory} 中没有 {METADATA_FILE}：请先训练 "
            "(python -m hotline train --data CSV --text-col COL --label-col COL "
            f"--out {directory})",
            code="classifier.artifact_missing",
        )
    try:
        data: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{meta_path} 不是有效的 JSON：{exc}") from exc
    return data


def verify_blocking(directory: Path) -> dict[str, Any]:
    """Check hash and versions; return the metadata or raise :class:`ArtifactError`."""
    meta = read_metadata(directory)
    if meta.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(
            f"模型 {directory} 的格式版本 {meta.get('format_version')} 不受支持"
            f"（需要 {FORMAT_VERSION}）：请重新训练",
            code="classifier.artifact_version_mismatch",
        )
    model_path = directory / MODEL_FILE
    if not model_path.exists():
        raise ArtifactError(f"缺少模型文件 {model_path}", code="classifier.artifact_missing")
    actual = file_sha256(model_path)
    if actual != meta.get("artifact_sha256"):
        raise ArtifactError(
            f"拒绝加载 {model_path}：sha256 {actual[:12]}… 与 metadata.json 记录的 "
            f"{str(meta.get('artifact_sha256'))[:12]}… 不一致（文件被改动或不完整），"
            "请重新训练或恢复原文件",
            code="classifier.artifact_hash_mismatch",
            details={"expected": meta.get("artifact_sha256"), "actual": actual},
        )
    mismatches = _version_mismatches(meta.get("versions", {}), current_versions())
    if mismatches:
        listed = "；".join(f"{name} 训练时 {was}，当前 {now}" for name, was, now in mismatches)
        raise ArtifactError(
            f"拒绝加载 {model_path}：库版本不一致（{listed}）。"
            "请用当前环境重新训练：python -m hotline train …",
            code="classifier.artifact_version_mismatch",
            details={"mismatches": [list(m) for m in mismatches]},
        )
    return meta


def _version_mismatches(was: dict[str, str], now: dict[str, str]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for name, current in now.items():
        recorded = str(was.get(name, "?"))
        if name == "python":
            # Pickles are portable across patch releases of CPython, not across minor ones.
            same = recorded.split(".")[:2] == current.split(".")[:2]
        else:
            same = recorded == current
        if not same:
            out.append((name, recorded, current))
    return out


def load_head_blocking(directory: Path) -> LoadedHead:
    import joblib

    meta = verify_blocking(directory)
    pipeline = joblib.load(directory / MODEL_FILE)
    if not isinstance(pipeline, Pipeline):
        raise ArtifactError(f"{directory / MODEL_FILE} 不是 scikit-learn Pipeline")
    segment = pipeline.named_steps["features"].transformer_list[0][1].named_steps["segment"]
    from classifier.text import user_dict_sha256

    recorded = meta.get("user_dict_sha256")
    if {getattr(segment, "user_dict_sha256_", None), user_dict_sha256(segment.user_words)} != {
        recorded
    }:
        raise ArtifactError(
            f"拒绝加载 {directory}：用户词典哈希与 metadata.json 不一致",
            code="classifier.artifact_hash_mismatch",
        )
    return LoadedHead(pipeline=pipeline, metadata=meta)


def head_directories(model_dir: Path) -> dict[str, Path]:
    """Target name → directory, main head first."""
    out: dict[str, Path] = {}
    meta = read_metadata(model_dir)
    out[str(meta["target"])] = model_dir
    heads = model_dir / HEADS_DIR
    if heads.is_dir():
        for child in sorted(heads.iterdir()):
            if (child / METADATA_FILE).exists():
                out[child.name] = child
    return out
