"""Options shared by the Alembic environment and the schema-drift check."""

from __future__ import annotations

from typing import Any

from storage.column_types import UtcDateTime


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations must not import our TypeDecorator: render its storage type.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def compare_options() -> dict[str, Any]:
    # render_as_batch: SQLite cannot ALTER most things; batch mode copies the table instead.
    return {"compare_type": True, "render_as_batch": True, "render_item": _render_item}
