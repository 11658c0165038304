"""Small labelled data for classifier tests: a slice of the committed seed corpus."""

from __future__ import annotations

import csv
from pathlib import Path

from sklearn.pipeline import Pipeline

from classifier.artifact import save_head_blocking
from classifier.dataset import read_labelled_csv
from classifier.pipeline import PipelineParams
from classifier.text import user_dict_sha256
from classifier.training import fit_blocking

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "classifier" / "corpus" / "seed_appeals.csv"
CATEGORIES = ("水电气热", "劳动和社会保障", "教育文体", "环境保护")


def small_rows(per_category: int = 30) -> list[dict[str, str]]:
    taken: dict[str, int] = {}
    rows: list[dict[str, str]] = []
    with SEED.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["category"] in CATEGORIES and taken.get(row["category"], 0) < per_category:
                taken[row["category"]] = taken.get(row["category"], 0) + 1
                rows.append(row)
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def fit_small_head(base: Path, params: PipelineParams | None = None) -> tuple[Path, Pipeline]:
    """One real fit on ``small_rows()`` saved as a category head under ``base / "model"`` (no
    hold-out pass, so it is quicker than ``train_head_blocking``); the fitted pipeline too."""
    params = params or PipelineParams()
    data = read_labelled_csv(write_csv(small_rows(), base / "d.csv"), "text", "category", "group")
    pipeline = fit_blocking(data.texts, data.labels, params)
    meta = {
        "target": "category",
        "labels": [str(c) for c in pipeline.classes_],
        "data_sha256": data.sha256,
        "user_dict_sha256": user_dict_sha256(params.user_words),
    }
    save_head_blocking(pipeline, base / "model", meta)
    return base / "model", pipeline
