"""Reading labelled CSV files for training and evaluation, with clear errors for bad input.

Rows with an empty text or label are skipped and *counted* (reported to the operator), never
silently dropped; a missing column or an unreadable file is an error naming what was found.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class LabelledData:
    texts: list[str]
    labels: list[str]
    groups: list[str]
    sha256: str
    source: str
    skipped_rows: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


def read_labelled_csv(
    path: Path, text_col: str, label_col: str, group_col: str | None = None
) -> LabelledData:
    """``text_col`` may name several columns joined by ``+`` (e.g. ``title+detail``)."""
    if not path.exists():
        raise ValidationError(f"找不到数据文件 {path}", code="classifier.data_missing")
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path} 不是 UTF-8 编码（{exc.reason}，字节 {exc.start}）：请另存为 UTF-8 CSV",
            code="classifier.data_encoding",
        ) from exc
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.DictReader(content.splitlines())
    columns = list(reader.fieldnames or [])
    text_cols = text_col.split("+")
    wanted = [*text_cols, label_col] + ([group_col] if group_col else [])
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise ValidationError(
            f"{path.name} 缺少列 {', '.join(missing)}；现有列：{', '.join(columns)}",
            code="classifier.data_column_missing",
        )
    texts: list[str] = []
    labels: list[str] = []
    groups: list[str] = []
    skipped: list[int] = []
    for line, row in enumerate(reader, start=2):
        text = "。".join(part for c in text_cols if (part := (row.get(c) or "").strip()))
        label = (row.get(label_col) or "").strip()
        if not text or not label:
            skipped.append(line)
            continue
        texts.append(text)
        labels.append(label)
        groups.append((row.get(group_col) or "").strip() if group_col else str(line))
    if not texts:
        raise ValidationError(
            f"{path.name} 没有可用的行（列 {text_col}/{label_col} 全为空）",
            code="classifier.data_empty",
        )
    return LabelledData(
        texts=texts,
        labels=labels,
        groups=groups,
        sha256=hashlib.sha256(raw).hexdigest(),
        source=str(path),
        skipped_rows=skipped,
    )
