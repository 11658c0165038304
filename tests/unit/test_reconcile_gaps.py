"""AMI outages replayed on the real 06 trace: messages inside each gap are lost; at reconnect the
translator is resynced from the channels still alive (what CoreShowChannels would list) and the
queue_log written so far is reconciled into the log. Nothing may be missing or counted twice."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from core.call_kpi import compute
from core.call_reconcile import missing_events
from core.call_records import build_call_records
from core.calls import CallOffered, CallQueued
from core.events import DomainEvent
from telephony.ami_codec import AmiMessage
from telephony.reconcile import after_reconnect, calls_in
from telephony.trace_replay import Trace
from telephony.translate import Translator
from tests.conftest import AMI_TRACES
from tests.unit.trace_helpers import describe, trace, trace_events

NAME = "06-concurrent-20-calls"


def _alive_at(t: Trace, at: datetime) -> set[str]:
    """Linkedids with at least one channel up at ``at`` (the CoreShowChannels answer)."""
    up: dict[str, str] = {}
    for when, msg in t.messages:
        if when > at:
            break
        if msg.event == "Newchannel":
            up[msg["Uniqueid"]] = msg.get("Linkedid") or msg["Uniqueid"]
        elif msg.event == "Hangup":
            up.pop(msg.get("Uniqueid") or "", None)
    return set(up.values())


def replay_with_gaps(gaps: list[tuple[float, float]]) -> tuple[list[DomainEvent], int]:
    t = trace(NAME)
    queue_log = (AMI_TRACES / f"{NAME}.queue_log").read_text().splitlines()
    start = t.messages[0][0]
    translator = Translator()
    log: list[DomainEvent] = []
    lost_at: datetime | None = None
    last_seen = start
    dropped = 0
    for at, msg in t.messages:
        rel = (at - start).total_seconds()
        if any(g0 <= rel < g1 for g0, g1 in gaps):
            lost_at = lost_at or last_seen
            dropped += 1
            continue
        if lost_at is not None:  # reconnected: resync, then reconcile from queue_log
            written = [
                line
                for line in queue_log
                if int(line.split("|", 1)[0]) <= math.floor(at.timestamp())
            ]
            log += after_reconnect(
                translator,
                alive_linkedids=_alive_at(t, at),
                queue_log_lines=written,
                lost_at=lost_at,
                reconnected_at=at,
                existing=log,
            )
            lost_at = None
        log += translator.feed(msg, at)
        last_seen = at
    log += translator.finish()
    return log, dropped


GAPS = {
    "one short gap": [(20.0, 24.0)],
    "five gaps": [(5.0, 7.0), (16.0, 19.5), (30.0, 33.0), (47.0, 52.0), (70.0, 74.0)],
    "long gap over the busiest minute": [(25.0, 60.0)],
    "gap at the very start of calls": [(0.5, 9.0)],
}


def _random_gaps(seed: int) -> list[tuple[float, float]]:
    """Five outages of 0.2-6 s at random points of the 100-s trace."""
    rng = random.Random(seed)
    starts = sorted(rng.uniform(0, 100) for _ in range(5))
    return [(s, s + rng.uniform(0.2, 6)) for s in starts]


for _seed in range(20):
    GAPS[f"random five gaps #{_seed}"] = _random_gaps(_seed)


@pytest.mark.parametrize("label", sorted(GAPS))
def test_no_call_missing_or_counted_twice(label: str) -> None:
    log, dropped = replay_with_gaps(GAPS[label])
    assert dropped > 0
    full = build_call_records(trace_events(NAME))
    got = build_call_records(log)
    assert {lid: r.outcome for lid, r in got.items()} == {lid: r.outcome for lid, r in full.items()}
    offered = [e.linkedid for e in log if isinstance(e, CallOffered)]
    queued = [e.linkedid for e in log if isinstance(e, CallQueued)]
    assert sorted(offered) == sorted(set(offered))
    assert len(offered) == 20
    assert sorted(queued) == sorted(set(queued))
    assert len(queued) == 20
    a, b = compute(got.values()), compute(full.values())
    assert (a.queued, a.answered, a.abandoned, a.answered_within_sl) == (20, 14, 6, 5)
    assert (a.asa, a.talk, a.waits) == (b.asa, b.talk, b.waits)


def test_missing_events_counts_per_member() -> None:
    t0 = trace_events(NAME)[0].occurred_at
    q = CallQueued(occurred_at=t0, linkedid="x", queue="q", uniqueid="x", position=1, count=1)
    again = CallQueued(occurred_at=t0, linkedid="x", queue="q", uniqueid="x", position=2, count=2)
    assert missing_events([q], [q]) == []
    assert missing_events([q], [q, again]) == [again]  # a second visit is kept
    assert missing_events([], [q]) == [q]


def test_departure_undecided_when_the_link_dropped_is_decided_by_queue_log() -> None:
    """QueueCallerAbandon received, link lost 3 s later before Hangup/QUEUESTATUS came."""
    t0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    caller = {"Uniqueid": "1795240800.1", "Linkedid": "1795240800.1", "Channel": "PJSIP/pstn-9"}

    def msg(event: str, **fields: str) -> AmiMessage:
        return AmiMessage((("Event", event), *caller.items(), *fields.items()))

    translator = Translator()
    log: list[DomainEvent] = []
    for seconds, m in [
        (0, msg("Newchannel", Context="from-pstn", Exten="12345", CallerIDNum="13800000000")),
        (1, msg("QueueCallerJoin", Context="hotline-queue", Queue="hotline", Position="1")),
        (
            30,
            msg(
                "QueueCallerAbandon",
                Queue="hotline",
                Position="1",
                OriginalPosition="1",
                HoldTime="29",
            ),
        ),
    ]:
        log += translator.feed(m, t0 + timedelta(seconds=seconds))
    epoch = int(t0.timestamp())
    queue_log = [
        f"{epoch + 1}|1795240800.1|hotline|NONE|ENTERQUEUE||13800000000|1",
        f"{epoch + 30}|1795240800.1|hotline|NONE|ABANDON|1|1|29",
    ]
    log += after_reconnect(
        translator,
        alive_linkedids=set(),
        queue_log_lines=queue_log,
        lost_at=t0 + timedelta(seconds=33),
        reconnected_at=t0 + timedelta(seconds=40),
        existing=log,
    )
    assert [describe(e) for e in log] == [
        "1795240800.1 CallOffered 13800000000 -> 12345",
        "1795240800.1 CallQueued hotline pos=1 count=0",
        "1795240800.1 CallEnded cause=-1",
        "1795240800.1 CallAbandoned pos=1 orig=1 wait=29",
    ]
    assert calls_in(log) == 1
    assert translator.active_calls == []
