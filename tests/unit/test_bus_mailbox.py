"""The bounded drop-oldest mailbox behind both bus adapters, step by step."""

from __future__ import annotations

import pytest

from core.ports import BusMessage
from storage.bus_common import RESYNC_TOPIC, Mailbox, topic_matches


@pytest.mark.parametrize(
    ("pattern", "topic", "match"),
    [
        ("*", "anything.at.all", True),
        ("call.*", "call.answered", True),
        ("call.*", "call.a.b", True),
        ("call.*", "call", False),
        ("call.*", "callx.a", False),
        ("call.answered", "call.answered", True),
        ("call.answered", "call.answered.late", False),
    ],
)
def test_topic_matches(pattern: str, topic: str, match: bool) -> None:
    assert topic_matches(pattern, topic) is match


async def test_overflow_drops_oldest_then_one_marker() -> None:
    box = Mailbox(("*",), maxsize=2)
    for i in range(5):
        box.offer(BusMessage(topic="t", payload={"i": i}, seq=i))
    box.close()
    got = [m async for m in box.messages()]
    assert got[0].topic == RESYNC_TOPIC
    assert got[0].payload == {"reason": "overflow", "dropped": 3}
    assert [m.payload["i"] for m in got[1:]] == [3, 4]


async def test_gap_without_overflow_reports_unknown_count() -> None:
    box = Mailbox(("*",), maxsize=10)
    box.offer(BusMessage(topic="t", payload={}, seq=1))
    box.mark_gap("reconnect")
    box.close()
    got = [m async for m in box.messages()]
    assert got[0].payload == {"reason": "reconnect", "dropped": -1}
    assert got[1].seq == 1
