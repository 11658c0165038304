"""Every ``HOTLINE_`` environment variable with its default and meaning, generated from the
:class:`hotline.settings.Settings` model (docs/operations.md embeds the output; a test keeps
them in sync)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from hotline.settings import Settings

BEGIN = "<!-- config-table:begin -->"
END = "<!-- config-table:end -->"


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value: Any = field.default_factory()  # type: ignore[call-arg]
    else:
        value = field.default
    if isinstance(value, SecretStr):
        return "(dev placeholder; required outside dev)"
    if value is None:
        return "(empty)"
    if isinstance(value, Path):
        return f"`{value}`"
    if isinstance(value, list | dict | bool):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def _rows(model: type[BaseModel], prefix: str) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        env = f"{prefix}{name.upper()}"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(_rows(annotation, env + "__"))
            continue
        meaning = (field.description or "").replace("|", "\\|").replace("\n", " ")
        rows.append((env, _default(field), meaning))
    return rows


def config_table() -> str:
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for env, default, meaning in _rows(Settings, "HOTLINE_"):
        lines.append(f"| `{env}` | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


def embed(doc: str) -> str:
    """``doc`` with the text between the markers replaced by the current table."""
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{config_table()}{END}{tail}"
