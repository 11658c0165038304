"""Live state reducer: replayed traces (events + QueueStatus snapshots), wrap-up, resync."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from core.calls import CallEnded, CallOffered, CallQueued, DataGap
from core.live import LiveReducer, LiveUpdate
from core.live_snapshots import ChannelSnapshot, ChannelsSnapshot
from telephony.ami_codec import AmiStreamParser
from telephony.snapshots import ListCollector, channels_snapshot, queue_status_snapshots
from telephony.translate import Translator
from tests.conftest import AMI_TRACES
from tests.unit.trace_helpers import trace

WRAPUP = {"hotline": 3}


class Store:
    """What the LiveState port would hold after the bridge writes the updates."""

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}

    def write(self, updates: list[LiveUpdate]) -> None:
        for u in updates:
            json.dumps(u.doc)  # every document is plain JSON
            if u.doc is None:
                self.docs.pop((u.namespace, u.key), None)
            else:
                self.docs[(u.namespace, u.key)] = u.doc

    def get(self, namespace: str, key: str) -> dict[str, Any]:
        return self.docs[(namespace, key)]

    def keys(self, namespace: str) -> list[str]:
        return sorted(k for ns, k in self.docs if ns == namespace)


def _replay(
    name: str, stop: Any = None, reducer: LiveReducer | None = None
) -> tuple[LiveReducer, Store, list[tuple[str, dict[str, Any]]]]:
    """Replay a trace; returns reducer, store and (label, queue doc) checkpoints."""
    reducer, store = reducer or LiveReducer(WRAPUP), Store()
    translator, lists = Translator(), ListCollector()
    checkpoints: list[tuple[str, dict[str, Any]]] = []
    # which of our recorded actions were QueueStatus filtered by Member (partial answers)
    sent = AmiStreamParser(expect_banner=False).feed((AMI_TRACES / f"{name}.tx.raw").read_bytes())
    member_of = {a["ActionID"]: a.get("Member") for a in sent if a.get("ActionID")}
    for at, msg in trace(name).messages:
        done = lists.feed(msg)
        if done is not None:
            action_id, items = done
            for snap in queue_status_snapshots(items, at, member_filter=member_of.get(action_id)):
                store.write(reducer.apply_queue_status(snap))
                checkpoints.append((f"snapshot {action_id}", store.get("queues", snap.queue)))
        for event in translator.feed(msg, at):
            store.write(reducer.apply(event))
            if ("queues", "hotline") in store.docs:
                checkpoints.append((event.name, store.get("queues", "hotline")))
    return reducer, store, checkpoints


def _counts(doc: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in doc["counts"].items() if v}


def test_05_pause_call_and_resync_timeline() -> None:
    _, store, cps = _replay("05-pause-unpause-status-summary")
    by_label = [(label, _counts(doc), doc["waiting_count"]) for label, doc in cps]
    assert by_label[0] == ("snapshot 05-3", {"available": 4}, 0)
    pauses = [c for c in by_label if c[0] == "AgentPaused"]
    assert [p[1] for p in pauses] == [
        {"available": 3, "paused": 1},
        {"available": 2, "paused": 2},
        {"available": 1, "paused": 3},
        {"paused": 4},
    ]
    paused_all = [doc for label, doc in cps if label == "AgentPaused"][-1]
    assert [(m["member_name"], m["state"], m["paused_reason"]) for m in paused_all["members"]] == [
        ("Agent 8001", "paused", "lunch"),
        ("Agent 8002", "paused", "training"),
        ("Agent 8003", "paused", ""),
        ("Agent 8004", "paused", "meeting"),
    ]
    snap = dict(cps)["snapshot 05-10"]
    assert snap["waiting_count"] == 1
    assert snap["longest_wait_s"] == 4  # QueueEntry Wait: 4
    assert snap["waiting"][0]["linkedid"] == "1795241899.14"
    answered = next(doc for label, doc in cps if label == "CallAnswered")
    assert (_counts(answered), answered["waiting_count"]) == ({"on_call": 1, "paused": 3}, 0)
    after_call = next(doc for label, doc in cps if label == "CallCompleted")
    assert _counts(after_call) == {"wrapup": 1, "paused": 3}
    agent = store.get("agents", "Local/8005@agents-out/n")
    assert agent["state"] == "logged_out"
    final = store.get("queues", "hotline")
    assert final["logged_out"] == ["Local/8005@agents-out/n"]
    assert store.keys("calls") == []  # the only call ended and was deleted


def test_05_pause_reasons_and_since() -> None:
    _, store, cps = _replay("05-pause-unpause-status-summary")
    paused_doc = next(doc for label, doc in cps if label == "snapshot 05-10")
    assert paused_doc["agents"]["paused"] == [
        "PJSIP/agent8001",
        "PJSIP/agent8002",
        "PJSIP/agent8003",
        "PJSIP/agent8004",
    ]
    lunch = store.get("agents", "PJSIP/agent8001")
    assert lunch["state"] == "available"  # unpaused at the end


def test_05_agent_doc_while_paused() -> None:
    reducer, store = LiveReducer(WRAPUP), Store()
    translator = Translator()
    seen: dict[str, dict[str, Any]] = {}
    for at, msg in trace("05-pause-unpause-status-summary").messages:
        for event in translator.feed(msg, at):
            store.write(reducer.apply(event))
            if event.name == "AgentPaused":
                seen[getattr(event, "interface", "")] = dict(
                    store.get("agents", getattr(event, "interface", ""))
                )
    assert {i: (d["state"], d["paused_reason"]) for i, d in seen.items()} == {
        "PJSIP/agent8001": ("paused", "lunch"),
        "PJSIP/agent8002": ("paused", "training"),
        "PJSIP/agent8003": ("paused", ""),
        "PJSIP/agent8004": ("paused", "meeting"),
    }
    assert all(d["paused_since"] == d["since"] for d in seen.values())


def test_06_queue_depth_and_end_state() -> None:
    reducer, store, cps = _replay("06-concurrent-20-calls")
    depth = [doc["waiting_count"] for _, doc in cps]
    assert max(depth) == 9  # "Queue positions reached 9"
    longest = max(doc["longest_wait_s"] for _, doc in cps)
    # sampled at event times: the caller who gave up after 29 s was last seen at 27 s
    assert longest == 27
    assert store.keys("calls") == []
    end = store.get("queues", "hotline")
    assert end["waiting_count"] == 0
    last = trace("06-concurrent-20-calls").messages[-1][0]
    store.write(reducer.tick(last + timedelta(seconds=3)))
    assert _counts(store.get("queues", "hotline")) == {"available": 4}


def test_06_positions_are_renumbered_as_callers_leave() -> None:
    _, _, cps = _replay("06-concurrent-20-calls")
    for _, doc in cps:
        assert [w["position"] for w in doc["waiting"]] == list(range(1, doc["waiting_count"] + 1))
        waits = [w["wait_s"] for w in doc["waiting"]]
        assert waits == sorted(waits, reverse=True)  # the head of the queue waited longest


def test_wrapup_ends_only_with_tick() -> None:
    reducer, store = LiveReducer({"hotline": 10}), Store()
    translator = Translator()
    ended_at = None
    for at, msg in trace("01-answered-caller-hangup").messages:
        for event in translator.feed(msg, at):
            store.write(reducer.apply(event))
            if isinstance(event, CallEnded):
                ended_at = at
    assert ended_at is not None
    assert store.get("agents", "PJSIP/agent8001")["state"] == "wrapup"
    store.write(reducer.tick(ended_at + timedelta(seconds=5)))
    assert store.get("agents", "PJSIP/agent8001")["state"] == "wrapup"
    store.write(reducer.tick(ended_at + timedelta(seconds=11)))
    assert store.get("agents", "PJSIP/agent8001")["state"] == "available"
    without = LiveReducer()  # no wrapuptime configured: available at once
    translator = Translator()
    docs = Store()
    for at, msg in trace("01-answered-caller-hangup").messages:
        for event in translator.feed(msg, at):
            docs.write(without.apply(event))
    assert docs.get("agents", "PJSIP/agent8001")["state"] == "available"


T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def test_channels_snapshot_drops_calls_that_vanished() -> None:
    reducer, store = LiveReducer(), Store()
    for lid in ("a", "b"):
        store.write(
            reducer.apply(
                CallOffered(
                    occurred_at=T0,
                    linkedid=lid,
                    uniqueid=lid,
                    channel="",
                    caller_number=lid,
                    caller_name="",
                    dialed="",
                )
            )
        )
        store.write(
            reducer.apply(
                CallQueued(
                    occurred_at=T0, linkedid=lid, queue="q", uniqueid=lid, position=1, count=1
                )
            )
        )
    assert store.get("queues", "q")["waiting_count"] == 2
    alive = ChannelSnapshot("b", "b", "PJSIP/pstn-2", "hotline-queue", "s", "Up", "b", "Queue", 30)
    store.write(reducer.apply_channels(ChannelsSnapshot(T0 + timedelta(seconds=30), (alive,))))
    assert store.keys("calls") == ["b"]
    queue = store.get("queues", "q")
    assert [w["linkedid"] for w in queue["waiting"]] == ["b"]
    assert queue["longest_wait_s"] == 30


def test_gap_marker_is_published() -> None:
    reducer, store = LiveReducer(), Store()
    gap = DataGap(
        occurred_at=T0,
        start=T0 - timedelta(seconds=20),
        end=T0,
        calls_reconciled=3,
        reason="ami lost",
    )
    store.write(reducer.apply(gap))
    assert store.get("system", "gap")["calls_reconciled"] == 3


def test_core_show_channels_answers_become_snapshots() -> None:
    lists = ListCollector()
    done = [d for _, msg in trace("00-session").messages if (d := lists.feed(msg)) is not None]
    by_id = dict(done)
    at = trace("00-session").messages[-1][0]
    assert channels_snapshot(by_id["00-9"], at).channels == ()  # idle system: ListItems 0
    endpoints = [m.get("ObjectName") for m in by_id["00-10"]]
    assert endpoints == ["agent8001", "agent8002", "agent8003", "agent8004", "pstn"]
    live = {
        "Event": "CoreShowChannel",
        "Uniqueid": "1795241705.0",
        "Linkedid": "1795241705.0",
        "Channel": "PJSIP/pstn-00000000",
        "Context": "hotline-queue",
        "Duration": "00:01:05",
    }
    [channel] = channels_snapshot([live], at).channels
    assert (channel.linkedid, channel.duration_s) == ("1795241705.0", 65)
