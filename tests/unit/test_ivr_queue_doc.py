# ruff: noqa: E501  (tables read best one row per line)
"""The live queue document the bridge really writes (core.live, replayed from a real trace) and
the flat shape give the QueueState the IVR policy needs."""

from __future__ import annotations

from typing import Any

import pytest

from ivr_flows.policy import QueueState
from ivr_flows.queue_doc import parse_queue_doc
from tests.unit.test_live_state_reducer import _replay


def _bridge_docs() -> dict[str, dict[str, Any]]:
    """Queue documents of trace 05 (4 agents; pauses, one caller, one answer) as the bridge's
    live reducer wrote them, at three points of the trace."""
    _, store, checkpoints = _replay("05-pause-unpause-status-summary")
    docs = dict(checkpoints)
    return {
        "all paused, one caller waiting": docs["snapshot 05-10"],
        "one on a call, three paused": next(
            d for label, d in checkpoints if label == "CallAnswered"
        ),
        "end: all unpaused, one wrapping up or free": store.get("queues", "hotline"),
    }


BRIDGE = _bridge_docs()


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ("all paused, one caller waiting", QueueState(waiting=1, available=0, logged_in=4, aht_recent_s=180.0, paused=4)),
        ("one on a call, three paused", QueueState(waiting=0, available=0, logged_in=4, aht_recent_s=180.0, paused=3)),
        # the call completed (TalkTime 13) + wrapuptime 3: the real AHT, not the 180 s default
        ("end: all unpaused, one wrapping up or free", QueueState(waiting=0, available=3, logged_in=4, aht_recent_s=16.0, paused=0)),
    ],
)  # fmt: skip
def test_bridge_documents_from_a_real_trace(point: str, expected: QueueState) -> None:
    assert parse_queue_doc(BRIDGE[point], default_aht_s=180.0) == expected


def test_bridge_document_counts_agree_with_the_reducers_own_counts() -> None:
    for doc in BRIDGE.values():
        state = parse_queue_doc(doc, default_aht_s=180.0)
        assert state.available == doc["counts"]["available"]
        assert state.paused == doc["counts"]["paused"]
        assert state.waiting == doc["waiting_count"]


@pytest.mark.parametrize(
    ("doc", "default", "expected"),
    [
        ({"waiting": 3, "available": 0, "logged_in": 4, "aht_recent_s": 183.0}, None, QueueState(3, 0, 4, 183.0)),
        ({"waiting": 3, "available": 0, "logged_in": 4}, 150.0, QueueState(3, 0, 4, 150.0)),
        ({"queue": "hotline", "waiting": [], "members": [], "aht_recent_s": 200.0}, None, QueueState(0, 0, 0, 200.0, 0)),
    ],
)  # fmt: skip
def test_parse_queue_doc(doc: dict[str, Any], default: float | None, expected: QueueState) -> None:
    assert parse_queue_doc(doc, default_aht_s=default) == expected


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (BRIDGE["all paused, one caller waiting"], "lacks 'aht_recent_s'"),
        ({"waiting": [], "members": ["x"]}, "not a list of members"),
        ({"waiting": 3, "members": "all"}, "not a list of members"),
    ],
)
def test_unusable_docs(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_queue_doc(doc)
