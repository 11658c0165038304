from __future__ import annotations

from pathlib import Path

from core.work_order_rules import transition_table_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "work_orders.md"


def test_documented_role_table_is_the_code() -> None:
    assert transition_table_markdown() in DOC.read_text("utf-8")
