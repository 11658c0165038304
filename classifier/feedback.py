"""Feedback → training examples, and a JSON-lines :class:`core.feedback.FeedbackStore`.

File format (one JSON object per line, UTF-8), the fields of
:class:`core.feedback.ClassificationFeedback`::

    {"feedback_id": "fb-1", "kind": "corrected", "text": "…",
     "occurred_at": "2026-11-21T08:00:00+08:00", "category": "水电气热",
     "unit": "util.heating", "suggested_unit": "610113", …}

Labels are converted to the convention of the data the model was trained on (a category code
becomes its Chinese name when the base data uses names; a concrete street office becomes
``@street`` for the unit head), so feedback and seed data agree.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import ValidationError
from core.feedback import ClassificationFeedback
from core.reference import PLACEHOLDERS, ReferenceData

TARGET_FIELDS = {
    "category": "category",
    "subcategory": "subcategory",
    "appeal_type": "appeal_type",
    "unit": "unit",
}


def parse_feedback(data: dict[str, Any]) -> ClassificationFeedback:
    fields = dict(data)
    fields["occurred_at"] = datetime.fromisoformat(str(fields["occurred_at"]))
    return ClassificationFeedback(**fields)


def read_feedback_blocking(path: Path) -> list[ClassificationFeedback]:
    """All feedback in a JSONL file; a bad line is an error naming the line (nothing skipped)."""
    if not path.exists():
        raise ValidationError(f"找不到反馈文件 {path}", code="classifier.feedback_missing")
    out: list[ClassificationFeedback] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(parse_feedback(json.loads(line)))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValidationError(
                f"{path.name} 第 {number} 行不是有效的反馈记录：{exc}",
                code="classifier.feedback_invalid",
                details={"line": number},
            ) from exc
    return out


class JsonlFeedbackStore:
    """Append-only JSONL file; one line per judgement (safe to tail, easy to audit)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    async def record(self, feedback: ClassificationFeedback) -> None:
        line = json.dumps(feedback.to_dict(), ensure_ascii=False) + "\n"
        async with self._lock:
            await asyncio.to_thread(self._append_blocking, line)

    def _append_blocking(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)

    async def all(self) -> AsyncIterator[ClassificationFeedback]:
        if not self.path.exists():
            return
        for item in await asyncio.to_thread(read_feedback_blocking, self.path):
            yield item


@dataclass(frozen=True, slots=True)
class FeedbackExamples:
    texts: list[str]
    labels: list[str]
    ids: list[str]
    unusable: int  # e.g. a 退单 naming no accepted unit teaches the unit head nothing


def feedback_examples(
    items: list[ClassificationFeedback],
    target: str,
    base_labels: Collection[str],
    reference: ReferenceData,
) -> FeedbackExamples:
    field = TARGET_FIELDS.get(target, target)
    texts: list[str] = []
    labels: list[str] = []
    ids: list[str] = []
    unusable = 0
    for item in items:
        raw = getattr(item, field, None)
        if not raw:
            unusable += 1
            continue
        texts.append(item.text)
        labels.append(_convention(str(raw), target, base_labels, reference))
        ids.append(item.feedback_id)
    return FeedbackExamples(texts, labels, ids, unusable)


def _convention(label: str, target: str, base: Collection[str], ref: ReferenceData) -> str:
    if label in base:
        return label
    if target == "unit":
        unit = ref.units.get(label)
        if unit is not None and unit.kind == "street" and "@street" in base:
            return "@street"
        if unit is not None and unit.kind == "district_gov" and "@district" in base:
            return "@district"
        return label if label in PLACEHOLDERS or unit is None else unit.code
    category = ref.resolve_category(label)
    if category is not None:
        top = ref.top_level(category.code)
        for candidate in (category.name, category.code, top.name, top.code):
            if candidate in base:
                return candidate
    return label
