"""``python -m hotline extract --data CSV --text-col COL``: backfill auto-fill fields of old orders.

Writes one JSON object per input row to stdout (same order, ``ensure_ascii=False``) with the
keys found among :data:`OUTPUT_KEYS`. A row with empty text gives ``{}``, so line N of the
output always belongs to data row N. UTF-8 and GB18030/GBK files (Excel's Chinese CSV) are
both read; a row that cannot be decoded stops the run with its row number.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Final

import typer

from autofill.model import ADDRESS_FIELDS

# The draft fields old orders can be backfilled with (no id number, time, title or summary).
OUTPUT_KEYS: Final = ("phone", "name", *ADDRESS_FIELDS, "appeal_type", "category", "urgency")


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)


def extract(
    data: Annotated[Path, typer.Option("--data", help="CSV file with a header row (UTF-8).")],
    text_col: Annotated[str, typer.Option("--text-col", help="Column holding the appeal text.")],
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="Classifier directory for category/appeal type "
            "(default: HOTLINE_CLASSIFIER__MODEL_DIR when trained).",
        ),
    ] = None,
) -> None:
    """Extract phone, name, address elements, appeal type, category and urgency per row."""
    from autofill.factory import new_session
    from core.errors import DomainError
    from hotline.autofill_wiring import predictor_from_model, scanner_from_settings
    from hotline.settings import Settings

    settings = Settings()
    try:
        predictor = predictor_from_model(
            model or settings.classifier.model_dir, required=model is not None
        )
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=2) from exc
    try:
        encoding = _sniff_encoding(data)
        handle = data.open(encoding=encoding, newline="")
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
        scanner = scanner_from_settings(settings)
        out = sys.stdout
        done = 0
        try:
            for row in reader:
                text = (row.get(text_col) or "").strip()
                found: dict[str, str] = {}
                if text:
                    session = new_session(scanner, predictor=predictor)
                    session.update(text)
                    fields = session.fields
                    found = {key: fields[key].value for key in OUTPUT_KEYS if key in fields}
                out.write(json.dumps(found, ensure_ascii=False) + "\n")
                done += 1
        except (UnicodeDecodeError, csv.Error) as exc:
            # Rows already written stay valid; say exactly where reading stopped.
            typer.echo(
                f"error: {data}: data row {done + 1} (file line {reader.line_num}) "
                f"is not readable as {encoding} CSV: {exc}. {done} rows were written.",
                err=True,
            )
            raise typer.Exit(code=1) from exc


def _sniff_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030 — what Excel saves Chinese CSV files as."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sample's end
            return "gb18030"
    return "utf-8-sig"
