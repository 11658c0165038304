"""Tap planning and gap detection, replaying the real trace 09 (AMI-only ChanSpy tap)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from asr.legs import InMemoryLegDirectory, Leg
from asr.session import SegmentSink
from asr.tap import TapConfig, TapCoordinator, plan_taps
from core.clock import ManualClock
from tests.asr_fakes import MemoryTranscriptStore
from tests.conftest import shared_path

TRACE = "09-asr-tap-chanspy-audiosocket.jsonl"


def parse(raw: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in raw.split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep and key not in fields:
            fields[key] = value
    return fields


def trace() -> list[tuple[str, float, dict[str, str]]]:
    rows = []
    for line in shared_path("ami-traces", TRACE).read_text().splitlines():
        record = json.loads(line)
        rows.append((record["dir"], float(record["t"]), parse(record["raw"])))
    return rows


def at(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def agent_connect() -> tuple[float, dict[str, str]]:
    return next((t, e) for d, t, e in trace() if e.get("Event") == "AgentConnect")


def test_plans_match_the_originate_asterisk_accepted_in_trace_09() -> None:
    recorded = next(e for d, _, e in trace() if d == "tx" and e.get("Action") == "Originate")
    _, event = agent_connect()
    ids = iter(["0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003", "0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0004"])
    plans = plan_taps(event, TapConfig(context="asr-test"), lambda: next(ids))
    caller, agent = plans
    assert caller.leg == Leg("1795242481.65", "caller", "PJSIP/pstn-0000003a")
    assert agent.leg == Leg("1795242481.65", "agent", "PJSIP/agent8003-0000003b")
    assert agent.target_uniqueid == "1795242483.66"
    for key in ("Action", "Channel", "Context", "Exten", "Priority", "Async"):
        assert caller.action[key] == recorded[key], key
    assert caller.action["Variable"] == [
        "SPY_TARGET=PJSIP/pstn-0000003a",
        "SPY_OPTIONS=qESo",  # trace 09 used qES: one stream with both voices
        "ASR_UUID=0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003",
        "ASR_SERVICE=127.0.0.1:9092",
    ]
    assert caller.action["ChannelId"] == "asr-0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003"
    assert "SPY_TARGET=PJSIP/agent8003-0000003b" in agent.action["Variable"]


def test_plan_refuses_other_events() -> None:
    with pytest.raises(ValueError, match="expected an AgentConnect"):
        plan_taps({"Event": "Hangup"}, TapConfig())


async def replay(tap_lost_at: float | None) -> list[tuple[str, int, int]]:
    """Replay trace 09 from AgentConnect on; optionally the tap hangs up early."""
    t0, event = agent_connect()
    store = MemoryTranscriptStore()
    legs = InMemoryLegDirectory()
    ids = iter(["0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003", "0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0004"])
    coordinator = TapCoordinator(
        legs, SegmentSink(None, store), ManualClock(at(t0)), new_id=lambda: next(ids)
    )
    await coordinator.on_agent_connect(event, at(t0))
    lose_tap = tap_lost_at is not None
    assert await legs.lookup("0B1E9A3C-5D2F-4C6B-9E8A-12345A0C0003") is not None
    for direction, t, fields in trace():
        if direction != "rx" or t < t0:
            continue
        if fields.get("ActionID") == "09-2":  # our ActionID in place of the recorder's
            fields = {**fields, "ActionID": "asr-tap-0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003"}
        if lose_tap and fields.get("Event") == "Hangup" and fields["Uniqueid"] == "1795242485.67":
            continue  # the tap's real hangup is moved earlier, below
        if tap_lost_at is not None and tap_lost_at <= t:
            hangup = {"Event": "Hangup", "Uniqueid": "1795242485.67"}
            await coordinator.on_event(hangup, at(tap_lost_at))
            tap_lost_at = None
        await coordinator.on_event(fields, at(t))
    assert coordinator.active == 0  # both tapped legs hung up: state released
    assert await legs.lookup("0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003") is None
    return [(s.speaker, s.start_ms, s.end_ms) for s in store.segments]


async def test_normal_hangup_in_trace_09_records_no_gap() -> None:
    assert await replay(None) == []


async def test_tap_lost_mid_call_records_a_gap_up_to_the_leg_hangup() -> None:
    t0, _ = agent_connect()
    gaps = await replay(t0 + 6.0)
    assert len(gaps) == 1
    speaker, start_ms, end_ms = gaps[0]
    assert speaker == "caller"
    assert start_ms == 6000
    caller_hangup = next(
        t
        for d, t, e in trace()
        if e.get("Event") == "Hangup" and e.get("Uniqueid") == "1795242481.65"
    )
    assert end_ms == round((caller_hangup - t0) * 1000)
