"""Recent AHT in the live queue document: talk (AgentComplete TalkTime) + queue wrap-up of the
last completed calls, replayed from real traces; the rolling window; the IVR reading it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.calls import CallCompleted
from core.handle_time import AhtWindow, RecentHandleTimes
from core.live import LiveReducer
from ivr_flows.ewt import estimate_wait
from ivr_flows.queue_doc import parse_queue_doc
from telephony.translate import Translator
from tests.conftest import AMI_TRACES
from tests.unit.test_live_state_reducer import WRAPUP, _replay
from tests.unit.trace_helpers import trace

WRAP = WRAPUP["hotline"]  # the lab queue's wrapuptime=3


def _queue_log_talk_times(name: str) -> list[int]:
    """TalkTime of every COMPLETECALLER/COMPLETEAGENT line, in order (epoch|callid|queue|agent|
    EVENT|hold|talk|origpos): a second source, independent of the AMI translation."""
    lines = (AMI_TRACES / f"{name}.queue_log").read_text(encoding="utf-8").splitlines()
    return [int(f[6]) for f in (line.split("|") for line in lines) if f[4].startswith("COMPLETE")]


def test_trace_06_talk_times_are_the_recorded_ones() -> None:
    assert _queue_log_talk_times("06-concurrent-20-calls") == [
        20, 24, 30, 28, 14, 4, 29, 10, 22, 16, 6, 5, 20, 19,
    ]  # fmt: skip


def test_06_recent_aht_is_mean_talk_plus_wrapup_of_all_14_answered_calls() -> None:
    _, store, cps = _replay("06-concurrent-20-calls")
    end = store.get("queues", "hotline")
    talks = _queue_log_talk_times("06-concurrent-20-calls")
    assert (sum(talks), len(talks)) == (247, 14)
    assert end["aht_calls"] == 14
    assert end["aht_recent_s"] == (247 + 14 * WRAP) / 14  # 20.64 s
    first_done = next(i for i, (label, _) in enumerate(cps) if label == "CallCompleted")
    assert all(doc["aht_recent_s"] is None for _, doc in cps[:first_done])  # no history yet
    assert cps[first_done][1]["aht_recent_s"] == 20 + WRAP  # first AgentComplete: TalkTime 20


def test_06_window_keeps_the_last_calls_only() -> None:
    reducer = LiveReducer(WRAPUP, aht_window=AhtWindow(calls=5))
    _, store, _ = _replay("06-concurrent-20-calls", reducer=reducer)
    end = store.get("queues", "hotline")
    assert end["aht_calls"] == 5
    assert end["aht_recent_s"] == (16 + 6 + 5 + 20 + 19 + 5 * WRAP) / 5  # 16.2 s


def test_wrapup_unknown_gives_talk_only() -> None:
    _, store, _ = _replay("06-concurrent-20-calls", reducer=LiveReducer())
    assert store.get("queues", "hotline")["aht_recent_s"] == 247 / 14


def test_old_calls_age_out_with_tick_and_the_ivr_falls_back() -> None:
    reducer = LiveReducer(WRAPUP, aht_window=AhtWindow(calls=20, max_age_s=3600))
    _, store, _ = _replay("01-answered-caller-hangup", reducer=reducer)
    assert store.get("queues", "hotline")["aht_recent_s"] == 13 + WRAP  # COMPLETECALLER|3|13|1
    translator = Translator()
    done = next(
        at
        for at, msg in trace("01-answered-caller-hangup").messages
        for e in translator.feed(msg, at)
        if isinstance(e, CallCompleted)
    )
    store.write(reducer.tick(done + timedelta(seconds=3600)))
    assert store.get("queues", "hotline")["aht_calls"] == 1
    store.write(reducer.tick(done + timedelta(seconds=3601)))
    doc = store.get("queues", "hotline")
    assert (doc["aht_recent_s"], doc["aht_calls"]) == (None, 0)
    assert parse_queue_doc(doc, default_aht_s=180.0).aht_recent_s == 180.0


def test_ivr_reads_the_real_aht_from_the_bridge_document() -> None:
    _, store, _ = _replay("06-concurrent-20-calls")
    doc = store.get("queues", "hotline")
    state = parse_queue_doc(doc, default_aht_s=180.0)
    assert state.aht_recent_s == (247 + 14 * WRAP) / 14  # not the 180 s default
    busy = {**doc, "waiting": [{}] * 3}  # three callers ahead, all four agents busy
    busy["members"] = [{**m, "state": "on_call"} for m in doc["members"]]
    ewt = estimate_wait(parse_queue_doc(busy, default_aht_s=180.0), ring_s=2.5)
    # 4 releases needed (position 4, none available) by 4 on duty: one handle cycle
    assert ewt == pytest.approx((247 + 14 * WRAP) / 14 + 2.5)  # ≈ 23 s, not 182.5 s


T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def test_rolling_window_evicts_the_oldest_by_count() -> None:
    times = RecentHandleTimes(AhtWindow(calls=3, max_age_s=0))
    assert times.recent("hotline", T0).mean_s is None
    for i, handle in enumerate([100, 10, 20, 30]):
        times.add("hotline", T0 + timedelta(seconds=i), handle)
    assert times.recent("hotline", T0) == times.recent("hotline", T0 + timedelta(days=9))
    recent = times.recent("hotline", T0 + timedelta(days=9))  # max_age_s=0: no age limit
    assert (recent.mean_s, recent.calls) == (20.0, 3)  # 100 evicted
    assert times.recent("other", T0).calls == 0  # per queue


def test_rolling_window_keeps_the_latest_completions_when_one_arrives_late() -> None:
    times = RecentHandleTimes(AhtWindow(calls=2, max_age_s=0))
    times.add("hotline", T0 + timedelta(seconds=10), 10)
    times.add("hotline", T0 + timedelta(seconds=20), 20)
    times.add("hotline", T0, 1000)  # reconciled from queue_log after a gap: older than both
    assert times.recent("hotline", T0).mean_s == 15.0
    times.add("hotline", T0 + timedelta(seconds=15), 40)
    assert times.recent("hotline", T0).mean_s == 30.0  # 20 and 40; 10 evicted


def test_rolling_window_evicts_by_age() -> None:
    times = RecentHandleTimes(AhtWindow(calls=10, max_age_s=60))
    times.add("hotline", T0, 100)
    times.add("hotline", T0 + timedelta(seconds=30), 50)
    assert times.recent("hotline", T0 + timedelta(seconds=60)).mean_s == 75.0
    later = times.recent("hotline", T0 + timedelta(seconds=61))
    assert (later.mean_s, later.calls) == (50.0, 1)
    assert times.recent("hotline", T0 + timedelta(seconds=91)).mean_s is None


@pytest.mark.parametrize(("calls", "max_age_s"), [(0, 60.0), (5, -1.0)])
def test_window_settings_are_checked(calls: int, max_age_s: float) -> None:
    with pytest.raises(ValueError, match="AHT window"):
        AhtWindow(calls, max_age_s)
