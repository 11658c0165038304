"""docs/operations.md stays in sync with the code: the configuration table is the one
``python -m hotline config-table`` generates, every variable has a meaning, and every bus
topic the system publishes is documented."""

from __future__ import annotations

import re

import pytest

from core.calls import CALL_EVENT_TYPES, AgentEvent
from hotline.config_table import BEGIN, END, config_table
from hotline.workers import AUTOFILL_TOPIC, ESCALATED_TOPIC
from tests.conftest import ROOT

DOC = ROOT / "docs" / "operations.md"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _topic(name: str, cls: type) -> str:  # the bridge's naming rule
    if issubclass(cls, AgentEvent):
        return "agent." + _snake(name.removeprefix("Agent"))
    return "call." + _snake(name.removeprefix("Call") if name.startswith("Call") else name)


def test_config_table_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    embedded = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert embedded == config_table().strip(), (
        "run: python -m hotline config-table --write docs/operations.md"
    )


def test_every_variable_has_a_meaning() -> None:
    rows = [line for line in config_table().splitlines()[2:] if line.startswith("| `HOTLINE_")]
    assert len(rows) > 40
    missing = [row.split("|")[1].strip() for row in rows if not row.split("|")[3].strip()]
    assert missing == []


@pytest.mark.parametrize(
    "topic",
    [
        *(_topic(name, cls) for name, cls in CALL_EVENT_TYPES.items()),
        "asr.segment",
        AUTOFILL_TOPIC,
        ESCALATED_TOPIC,
        "bus.resync",
    ],
)
def test_bus_topic_documented(topic: str) -> None:
    assert f"`{topic}`" in DOC.read_text(encoding="utf-8")
