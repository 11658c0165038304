# ruff: noqa: E501  (tables read best one row per line)
"""Both live queue document shapes give the same QueueState."""

from __future__ import annotations

from typing import Any

import pytest

from ivr_flows.policy import QueueState
from ivr_flows.queue_doc import parse_queue_doc


def member(status: str, *, in_call: bool = False, paused: bool = False) -> dict[str, Any]:
    return {"name": "Agent 8001", "interface": "PJSIP/agent8001", "status": status,
            "in_call": in_call, "paused": paused, "paused_reason": "lunch" if paused else ""}  # fmt: skip


# The telephony bridge's resync snapshot (namespace "queues"), as telephony.live_sync writes it.
BRIDGE = {
    "queue": "hotline",
    "calls": 2,
    "waiting": [
        {"uniqueid": "1795241780.7", "position": "1", "caller": "13800137", "wait_s": 12},
        {"uniqueid": "1795241781.9", "position": "2", "caller": "13800138", "wait_s": 4},
    ],
    "members": [
        member("1"),
        member("3", in_call=True),
        member("1", paused=True),
        member("0"),  # Local member with a Custom device state: unknown, not ready
    ],
    "resynced_at": "2026-11-21T06:00:00+00:00",
    "longest_wait_s": 12,
}


@pytest.mark.parametrize(
    ("doc", "default", "expected"),
    [
        (BRIDGE, 180.0, QueueState(waiting=2, available=1, logged_in=4, aht_recent_s=180.0, paused=1)),
        ({**BRIDGE, "aht_recent_s": 200.0}, None, QueueState(2, 1, 4, 200.0, 1)),
        ({"waiting": 3, "available": 0, "logged_in": 4, "aht_recent_s": 183.0}, None, QueueState(3, 0, 4, 183.0)),
        ({"waiting": 3, "available": 0, "logged_in": 4}, 150.0, QueueState(3, 0, 4, 150.0)),
        ({**BRIDGE, "waiting": [], "members": []}, 180.0, QueueState(0, 0, 0, 180.0, 0)),
    ],
)  # fmt: skip
def test_parse_queue_doc(doc: dict[str, Any], default: float | None, expected: QueueState) -> None:
    assert parse_queue_doc(doc, default_aht_s=default) == expected


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (BRIDGE, "lacks 'aht_recent_s'"),
        ({**BRIDGE, "members": ["x"]}, "not a list of members"),
        ({**BRIDGE, "waiting": 3, "members": "all"}, "not a list of members"),
    ],
)
def test_unusable_docs(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_queue_doc(doc)
