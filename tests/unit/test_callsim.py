"""Invariants of the pure call-centre model (core.callsim)."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import datetime

import pytest

from core.callsim import (
    AgentPause,
    AgentSpec,
    AgentState,
    CallRecord,
    CallSimConfig,
    LiveSnapshot,
    Outcome,
    Route,
    SimResult,
    curve_for_daily_volume,
    flat_curve,
    simple_ewt,
    simulate,
)
from core.clock import SHANGHAI

START = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


def agents(n: int, **kw: float) -> tuple[AgentSpec, ...]:
    return tuple(AgentSpec(f"Agent {8001 + i}", **kw) for i in range(n))  # type: ignore[arg-type]


def overload(seed: int = 7, /, **kw: object) -> CallSimConfig:
    base: dict[str, object] = {
        "start": START,
        "duration_s": 2 * 3600,
        "arrivals_per_hour": flat_curve(90),
        "agents": agents(4, no_answer_prob=0.1),
        "seed": seed,
        "key_exit_prob": 0.2,
        "pauses": (AgentPause("Agent 8002", 600, 900, "lunch"),),
    }
    base.update(kw)
    return CallSimConfig(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def busy() -> SimResult:
    return simulate(overload())


def test_every_call_has_exactly_one_outcome_and_consistent_fields(busy: SimResult) -> None:
    assert len(busy.calls) > 100
    counts = Counter(call.outcome for call in busy.calls)
    assert None not in counts
    assert sum(counts.values()) == len(busy.calls)
    # The overload scenario exercises every queue outcome.
    for outcome in (Outcome.ANSWERED, Outcome.ABANDONED, Outcome.TIMEOUT, Outcome.EXIT_KEY):
        assert counts[outcome] > 0, outcome
    for call in busy.calls:
        answered = call.outcome is Outcome.ANSWERED
        assert (call.answered_at is not None) == answered
        assert (call.talk_end is not None) == answered
        assert (call.left_queue_at is not None) == (
            call.outcome in (Outcome.ABANDONED, Outcome.TIMEOUT, Outcome.EXIT_KEY)
        )
        assert call.ended_at >= call.offered_at


def test_waits_and_positions_are_sane(busy: SimResult) -> None:
    for call in busy.calls:
        if call.queue_join is None:
            continue
        wait = call.wait_s
        assert wait is not None
        assert wait >= 0
        assert call.queue_join >= call.ivr_enter
        assert call.join_position is not None
        assert call.join_position >= 1
        if call.outcome is Outcome.TIMEOUT:
            assert wait == pytest.approx(40.0)
            assert call.destination == "voicemail"
        if call.outcome is Outcome.EXIT_KEY:
            assert call.exit_key in {"2", "3"}
            assert call.destination == {"2": "voicemail", "3": "online"}[call.exit_key]
        if call.leave_position is not None:
            assert 1 <= call.leave_position <= call.join_position
        for ring in call.rings:
            assert ring.end >= ring.start
            assert ring.end - ring.start <= 15.0 + 1e-9
        results = [ring.result for ring in call.rings]
        if call.outcome is Outcome.ANSWERED:
            assert results[-1] == "answered"
            assert "answered" not in results[:-1]


def test_ring_no_answer_is_followed_by_the_retry_pause(busy: SimResult) -> None:
    seen = 0
    for call in busy.calls:
        for before, after in zip(call.rings, call.rings[1:], strict=False):
            if before.result == "no_answer":
                assert before.end - before.start == pytest.approx(15.0)
                assert after.start >= before.end + 2.0 - 1e-9
                seen += 1
    assert seen > 0


def intervals(result: SimResult) -> dict[str, list[tuple[float, float, str]]]:
    """Per agent: (start, end, call) of every ring/talk/wrap-up, from the agent changes."""
    out: dict[str, list[tuple[float, float, str]]] = {}
    last: dict[str, tuple[float, str | None, AgentState]] = {}
    for change in result.agent_changes:
        prev = last.get(change.agent)
        if prev and prev[2] not in (AgentState.AVAILABLE, AgentState.LOGGED_OUT):
            out.setdefault(change.agent, []).append((prev[0], change.t, prev[1] or ""))
        last[change.agent] = (change.t, change.call_id, change.state)
    return out


def test_no_agent_serves_two_calls_at_once(busy: SimResult) -> None:
    per_agent: dict[str, list[tuple[float, float]]] = {}
    for call in busy.calls:
        if call.agent is not None:
            assert call.answered_at is not None
            assert call.talk_end is not None
            per_agent.setdefault(call.agent, []).append((call.answered_at, call.talk_end + 3.0))
        for ring in call.rings:
            per_agent.setdefault(ring.agent, []).append((ring.start, ring.end))
    for spans in per_agent.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end - 1e-9
    # The agent-state view agrees: while an agent is busy with a call it has that call.
    for spans3 in intervals(busy).values():
        for (_, end, _c), (start, _, _d) in itertools.pairwise(spans3):
            assert start >= end - 1e-9


def test_paused_agent_takes_no_new_call(busy: SimResult) -> None:
    for call in busy.calls:
        for ring in call.rings:
            if ring.agent == "Agent 8002":
                assert not 600 < ring.start < 1500
    reasons = {c.reason for c in busy.agent_changes if c.agent == "Agent 8002" and c.paused}
    assert reasons == {"lunch"}


def test_same_seed_same_timeline_other_seed_differs() -> None:
    assert simulate(overload(3)) == simulate(overload(3))
    assert simulate(overload(3)).calls != simulate(overload(4)).calls


def test_littles_law_busy_agents_match_offered_load() -> None:
    """Ample staff: time-average busy agents (from agent changes) ≈ λ × mean handle time
    (from the call records): two independent views of the same run."""
    result = simulate(
        CallSimConfig(
            start=START,
            duration_s=8 * 3600,
            arrivals_per_hour=flat_curve(120),
            agents=agents(15),
            patience_mean_s=None,
            ivr_hangup_prob=0.0,
            seed=11,
        )
    )
    horizon = max(call.ended_at for call in result.calls) + 10
    busy_time = sum(end - start for spans in intervals(result).values() for start, end, _ in spans)
    answered = result.by_outcome(Outcome.ANSWERED)
    assert len(answered) == len(result.calls)  # ample staff: everyone answered
    per_call = [
        c.talk_end - c.answered_at + 3.0 + sum(r.end - r.start for r in c.rings)
        for c in answered
        if c.talk_end is not None and c.answered_at is not None
    ]
    lam = len(answered) / horizon
    assert busy_time / horizon == pytest.approx(lam * (sum(per_call) / len(per_call)), rel=0.02)
    # …and the offered load is what the arrival rate and talk time imply (120/h × ~3 min ≈ 6).
    assert busy_time / horizon == pytest.approx(120 / 3600 * (180 + 3 + 2.5), rel=0.15)


def test_arrivals_follow_the_daily_curve() -> None:
    day = simulate(
        CallSimConfig(
            start=datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI),
            duration_s=24 * 3600,
            arrivals_per_hour=curve_for_daily_volume(4000),
            agents=agents(40),
            seed=5,
        )
    )
    per_hour = Counter(day.when(call.offered_at).hour for call in day.calls)
    assert len(day.calls) == pytest.approx(4000, rel=0.06)
    assert per_hour[10] > 5 * per_hour[3]
    assert per_hour[9] == pytest.approx(4000 * 0.085, rel=0.2)


def test_policy_hook_sees_live_state_and_routes_calls() -> None:
    seen: list[LiveSnapshot] = []

    def policy(snap: LiveSnapshot, rng: random.Random) -> Route:
        seen.append(snap)
        if snap.available == 0 and snap.waiting >= 3:
            return Route.VOICEMAIL if rng.random() < 0.5 else Route.KEEP_WAITING
        return Route.QUEUE

    result = simulate(overload(policy=policy, key_exit_prob=0.0))
    diverted = result.by_outcome(Outcome.DIVERTED)
    assert diverted
    assert all(c.destination == "voicemail" and c.queue_join is None for c in diverted)
    assert {c.route for c in result.calls if c.queue_join is not None} <= {
        Route.QUEUE,
        Route.KEEP_WAITING,
    }
    assert len(seen) == sum(1 for c in result.calls if c.route is not None)
    assert all(s.logged_in == 4 and s.available <= 4 for s in seen)
    assert any(s.paused == 1 for s in seen)
    assert all(s.now == START + (s.now - START) and s.estimated_wait_s >= 0 for s in seen)
    keep = [c for c in result.calls if c.route is Route.KEEP_WAITING]
    assert keep
    assert all(c.queue_join == pytest.approx(c.ivr_enter + 4.0 + 8.0) for c in keep)


def test_no_agent_logged_in_means_nobody_is_answered() -> None:
    result = simulate(overload(agents=agents(2, login_s=10_000), duration_s=1800, pauses=()))
    assert not result.by_outcome(Outcome.ANSWERED)
    assert all(c.outcome is not None for c in result.calls)


def test_shift_logout_waits_for_the_current_call() -> None:
    result = simulate(overload(agents=agents(2, logout_s=1200.0), pauses=()))
    for call in result.calls:
        if call.answered_at is not None:
            assert call.answered_at <= 1200.0 + 15
    logouts = [c for c in result.agent_changes if c.state is AgentState.LOGGED_OUT]
    assert {c.agent for c in logouts} == {"Agent 8001", "Agent 8002"}


@pytest.mark.parametrize(
    ("position", "available", "staffed", "expected"),
    [(1, 1, 4, 0.0), (3, 0, 3, 180.0), (5, 1, 2, 360.0), (1, 0, 0, float("inf"))],
)
def test_simple_ewt(position: int, available: int, staffed: int, expected: float) -> None:
    assert simple_ewt(position, 180.0, available, staffed) == expected


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"start": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"arrivals_per_hour": (1.0,)}, "24 values"),
        ({"agents": agents(1) + agents(1)}, "unique"),
        ({"pauses": (AgentPause("nobody", 0, 1),)}, "unknown agents"),
    ],
)
def test_bad_config_is_refused(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        overload(7, **kw)


def test_call_record_wait_is_none_before_queueing() -> None:
    assert CallRecord("x", "1", 0.0, 0.0).wait_s is None
