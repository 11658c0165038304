"""Small labelled data for classifier tests: a slice of the committed seed corpus."""

from __future__ import annotations

import csv
from pathlib import Path

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
