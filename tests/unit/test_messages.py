from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.errors import InvalidTransitionError
from core.messages import (
    ACTION_LABELS,
    MESSAGES,
    OUT_OF_SCOPE_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    message_for,
)
from core.work_order import Action, OutOfScopeReason, Role, WorkOrderStatus

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"""code\s*=\s*["']([a-z_]+(?:\.[a-z_]+)+|[a-z_]+)["']""")
PACKAGES = (
    "core",
    "storage",
    "telephony",
    "asr",
    "autofill",
    "classifier",
    "agent_api",
    "ivr_flows",
)
SOURCES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))
RAISED = sorted({code for path in SOURCES for code in CODE.findall(path.read_text("utf-8"))})


def test_the_scan_found_codes() -> None:
    assert "work_order.reply_without_contact" in RAISED
    assert "calendar.override_invalid" in RAISED


@pytest.mark.parametrize("code", RAISED)
def test_every_error_code_has_chinese_text(code: str) -> None:
    assert code in MESSAGES


@pytest.mark.parametrize(
    ("labels", "enum"),
    [
        (STATUS_LABELS, WorkOrderStatus),
        (ACTION_LABELS, Action),
        (ROLE_LABELS, Role),
        (OUT_OF_SCOPE_LABELS, OutOfScopeReason),
    ],
)
def test_every_enum_member_has_a_label(labels: object, enum: type) -> None:
    assert set(labels) == set(enum)  # type: ignore[call-overload]


def test_message_fills_details_with_labels() -> None:
    err = InvalidTransitionError("x", details={"action": "sign", "status": "closed", "allowed": []})
    assert message_for(err.code, err.details) == "工单当前状态为“已办结”，不能执行“签收”。"


def test_message_for_calendar_file_error() -> None:
    text = message_for(
        "calendar.override_invalid",
        {"file": "/etc/hotline/cal.csv", "line": 7, "problem": "bad date"},
    )
    assert text == "工作日历调整文件 /etc/hotline/cal.csv 第 7 行有误：bad date"


def test_unknown_code_falls_back_to_the_nearest_prefix_then_generic() -> None:
    assert message_for("work_order.not_found.archived") == MESSAGES["work_order.not_found"]
    assert message_for("nothing.known") == MESSAGES["domain.error"]


def test_missing_placeholder_stays_visible() -> None:
    assert "{fields}" in message_for("work_order.field_required")
