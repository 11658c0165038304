"""``python -m hotline extract --data CSV --text-col COL``: backfill auto-fill fields of old orders.

Writes one JSON object per input row to stdout (same order, ``ensure_ascii=False``) with the
keys found among :data:`OUTPUT_KEYS`. A row with empty text gives ``{}``, so line N of the
output always belongs to data row N.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Final

import typer

OUTPUT_KEYS: Final = (
    "phone",
    "name",
    "province",
    "city",
    "district",
    "town",
    "community",
    "road",
    "road_no",
    "poi",
    "house_no",
    "appeal_type",
    "category",
    "urgency",
)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)


def extract(
    data: Annotated[Path, typer.Option("--data", help="CSV file with a header row (UTF-8).")],
    text_col: Annotated[str, typer.Option("--text-col", help="Column holding the appeal text.")],
) -> None:
    """Extract phone, name, address elements, appeal type, category and urgency per row."""
    from autofill.factory import build_scanner, new_session
    from hotline.settings import Settings

    settings = Settings()
    try:
        handle = data.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {data}: {exc}", param_hint="--data") from exc
    with handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        if text_col not in columns:
            raise typer.BadParameter(
                f"column {text_col!r} not in {data} (columns: {', '.join(columns) or 'none'})",
                param_hint="--text-col",
            )
        scanner = build_scanner(
            city=settings.city,
            gazetteer_path=settings.autofill.gazetteer_path,
            area_code=settings.autofill.area_code,
        )
        out = sys.stdout
        for row in reader:
            text = (row.get(text_col) or "").strip()
            found: dict[str, str] = {}
            if text:
                session = new_session(scanner)
                session.update(text)
                fields = session.fields
                found = {key: fields[key].value for key in OUTPUT_KEYS if key in fields}
            out.write(json.dumps(found, ensure_ascii=False) + "\n")
