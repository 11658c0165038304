"""The committed seed corpus is complete, consistent with the reference data and reproducible."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

from classifier.corpus.generate import CORPUS, generate, write_corpus
from core.reference import PLACEHOLDERS, load_reference
from tests.conftest import shared_path


def _rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_corpus_covers_every_category_type_and_register() -> None:
    ref = load_reference()
    rows = _rows()
    assert len(rows) >= 3000
    second_level = {c.code for c in ref.categories.values() if c.level == 2}
    assert {r["subcategory"] for r in rows} == second_level
    assert set(Counter(r["appeal_type"] for r in rows)) == {
        "咨询",
        "求助",
        "投诉",
        "举报",
        "建议",
        "表扬",
    }
    assert {r["register"] for r in rows} == {"summary", "spoken", "web", "title"}
    assert any(r["text"].startswith("市民来电反映") for r in rows)
    assert any(r["text"].startswith("您好，我想问一下") for r in rows)
    assert len({r["text"] for r in rows}) == len(rows)


def test_labels_agree_with_the_reference() -> None:
    ref = load_reference()
    for row in _rows():
        category = ref.category(row["subcategory"])
        assert ref.top_level(category.code).name == row["category"]
        assert row["unit"] in ref.units or row["unit"] in PLACEHOLDERS
        assert row["district"] in {u.district for u in ref.units.values()}


def test_generator_is_deterministic(tmp_path: Path) -> None:
    divisions = shared_path("data", "admin_divisions")
    out = tmp_path / "seed.csv"
    write_corpus(generate(divisions), out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(CORPUS.read_bytes()).hexdigest()
