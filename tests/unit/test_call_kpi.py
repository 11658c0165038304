"""Call KPI formulas on hand-computed examples and on every recorded trace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from core.agent_time import RingStats, StaffedTime, occupancy, ring_stats, staffed_time
from core.call_kpi import (
    FORMULAS,
    CallKpis,
    KpiSettings,
    by_agent,
    by_interval,
    by_queue,
    compute,
    interval_start,
    kpis_from_events,
)
from core.call_records import CallOutcome, CallRecord, build_call_records
from core.calls import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentPaused,
    AgentUnpaused,
    DiversionTarget,
    ExitReason,
    from_stored,
    to_stored,
)
from core.clock import SHANGHAI
from tests.unit.trace_helpers import trace_events

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _rec(
    lid: str,
    *,
    queued: bool = True,
    wait: int | None = None,
    answered: bool = False,
    talk: int | None = None,
    abandoned: bool = False,
    exit_reason: ExitReason | None = None,
    diversions: tuple[DiversionTarget, ...] = (),
    number: str = "",
    at: datetime = T0,
    agent: str = "",
) -> CallRecord:
    return CallRecord(
        linkedid=lid,
        caller_number=number or f"1380000{lid}",
        offered_at=at,
        ended_at=at + timedelta(minutes=2),
        queue="hotline" if queued or exit_reason else "",
        queued_at=at if queued else None,
        wait_s=wait,
        answered_at=at + timedelta(seconds=wait or 0) if answered else None,
        agent_interface=agent or ("PJSIP/agent8001" if answered else ""),
        talk_s=talk,
        abandoned=abandoned,
        exit_reason=exit_reason,
        diversions=list(diversions),
    )


# A: answered 10 s/100 s   B: answered 20 s/200 s   C: answered 15 s/60 s (SL boundary)
# D: abandoned after 3 s (short)   E: abandoned after 5 s (not short: short is < 5 s)
# F: queue timeout after 40 s   G: pressed a key after 9 s → voicemail
# H: chose online in the IVR   I: hung up in the IVR   J: refused at the door (joinempty)
SAMPLE = [
    _rec("A", wait=10, answered=True, talk=100),
    _rec("B", wait=20, answered=True, talk=200),
    _rec("C", wait=15, answered=True, talk=60),
    _rec("D", wait=3, abandoned=True),
    _rec("E", wait=5, abandoned=True),
    _rec("F", wait=40, exit_reason=ExitReason.TIMEOUT),
    _rec("G", wait=9, exit_reason=ExitReason.KEY, diversions=(DiversionTarget.VOICEMAIL,)),
    _rec("H", queued=False, diversions=(DiversionTarget.ONLINE,)),
    _rec("I", queued=False),
    _rec("J", queued=False, exit_reason=ExitReason.JOINEMPTY),
]


def test_counts_of_the_sample() -> None:
    k = compute(SAMPLE)
    assert (k.inbound, k.queued, k.offered) == (10, 7, 8)
    assert (k.answered, k.abandoned, k.short_abandons, k.timeouts) == (3, 2, 1, 1)
    assert (k.caller_exits, k.joinempty, k.leaveempty, k.full, k.self_served_ivr) == (1, 1, 0, 0, 1)


@pytest.mark.parametrize(
    ("figure", "numerator", "denominator"),
    [
        ("answer_rate", 3, 5),  # 3 ÷ (7 queued − 1 short − 1 caller exit)
        ("answer_rate_wazo", 3, 7),  # 3 ÷ (3 + 2 abandoned + 0 full + 1 joinempty + 0 + 1 timeout)
        ("answer_rate_inbound", 3, 8),  # 3 ÷ (10 inbound − 1 short − 1 self-served)
        ("service_level", 2, 5),  # waits 10 and 15 (inclusive) ÷ answer-rate denominator
        ("service_level_answered", 2, 3),
        ("abandon_rate", 1, 6),  # (2 − 1 short) ÷ (7 − 1)
        ("abandon_rate_with_timeouts", 2, 6),
        ("diversion_share", 2, 10),  # G voicemail, H online
    ],
)
def test_ratio_formulas(figure: str, numerator: int, denominator: int) -> None:
    ratio = getattr(compute(SAMPLE), figure)
    assert (ratio.numerator, ratio.denominator) == (numerator, denominator)


def test_time_statistics_of_the_sample() -> None:
    k = compute(SAMPLE, KpiSettings(wrapup_s={"hotline": 3}))
    assert (k.asa.mean, k.asa.median, k.asa.percentile(90)) == (Fraction(15), Fraction(15), 20)
    assert (k.talk.mean, k.handle.mean) == (
        Fraction(120),
        Fraction(123),
    )  # (100+200+60)/3, + 3 s wrap-up
    assert k.waits.values == (3, 5, 9, 10, 15, 20, 40)
    assert (k.longest_wait, k.waits.percentile(50), k.waits.percentile(90)) == (40, 10, 40)
    assert k.diversions == {"voicemail": 1, "online": 1}


@pytest.mark.parametrize(
    ("short_s", "service_s", "answer_rate", "service_level", "short"),
    [
        (5, 15, Fraction(3, 5), Fraction(2, 5), 1),
        (6, 15, Fraction(3, 4), Fraction(2, 4), 2),  # E (5 s) becomes short too
        (0, 15, Fraction(3, 6), Fraction(2, 6), 0),  # no short-abandon exclusion
        (5, 10, Fraction(3, 5), Fraction(1, 5), 1),  # only A within 10 s
        (5, 20, Fraction(3, 5), Fraction(3, 5), 1),
    ],
)
def test_thresholds_are_configurable(
    short_s: int, service_s: int, answer_rate: Fraction, service_level: Fraction, short: int
) -> None:
    k = compute(SAMPLE, KpiSettings(short_abandon_s=short_s, service_level_s=service_s))
    assert (k.answer_rate.exact, k.service_level.exact, k.short_abandons) == (
        answer_rate,
        service_level,
        short,
    )


@pytest.mark.parametrize(
    ("callback_after", "expected"),
    [
        (timedelta(minutes=10), (1, 1)),
        (timedelta(minutes=30), (1, 1)),  # inclusive
        (timedelta(minutes=31), (0, 1)),
        (timedelta(minutes=-1), (0, 1)),  # before the abandon: not a callback
    ],
)
def test_callback_after_abandon(callback_after: timedelta, expected: tuple[int, int]) -> None:
    e = next(r for r in SAMPLE if r.linkedid == "E")
    assert e.ended_at is not None
    k = compute(SAMPLE, callbacks=[(e.caller_number, e.ended_at + callback_after)])
    ratio = k.callback_after_abandon
    assert (ratio.numerator, ratio.denominator) == expected


@pytest.mark.parametrize(
    ("record", "outcome"),
    [
        (SAMPLE[0], CallOutcome.ANSWERED),
        (SAMPLE[3], CallOutcome.SHORT_ABANDON),
        (SAMPLE[4], CallOutcome.ABANDONED),
        (SAMPLE[5], CallOutcome.TIMEOUT),
        (SAMPLE[6], CallOutcome.EXIT_KEY),
        (SAMPLE[7], CallOutcome.ONLINE),
        (SAMPLE[8], CallOutcome.IVR_HANGUP),
        (SAMPLE[9], CallOutcome.JOINEMPTY),
        (_rec("Q", wait=None), CallOutcome.QUEUE_EXIT_UNKNOWN),  # queued, ended, nothing known
        (CallRecord(linkedid="P", offered_at=T0), CallOutcome.IN_PROGRESS),
    ],
)
def test_outcome_table(record: CallRecord, outcome: CallOutcome) -> None:
    assert record.outcome is outcome


def test_empty_groups_have_no_rates() -> None:
    k = compute([])
    assert (k.answer_rate.value, k.asa.mean, k.longest_wait, k.asa.percentile(90)) == (
        None,
        None,
        None,
        None,
    )


# -- the recorded traces -------------------------------------------------------------------------
def _trace_kpis(name: str, **settings: object) -> CallKpis:
    return kpis_from_events(trace_events(name), KpiSettings(**settings))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("01-answered-caller-hangup", (1, 1, 1, 0, 0, 0, (1, 1), (1, 1), 3)),
        ("01b-answered-agent-hangup", (1, 1, 1, 0, 0, 0, (1, 1), (1, 1), 3)),
        ("02-abandon-in-queue", (1, 1, 0, 1, 0, 0, (0, 1), (0, 1), 21)),
        ("03-queue-timeout-to-voicemail", (1, 1, 0, 0, 1, 0, (0, 1), (0, 1), 40)),
        # the caller chose to leave: excluded from the 接通率 denominator
        ("03b-exit-queue-with-key-to-voicemail", (1, 1, 0, 0, 0, 1, (0, 0), (0, 0), 9)),
        ("04-ivr-online-channel", (1, 0, 0, 0, 0, 0, (0, 0), (0, 0), None)),
        ("05-pause-unpause-status-summary", (1, 1, 1, 0, 0, 0, (1, 1), (1, 1), 10)),
        ("09-asr-tap-chanspy-audiosocket", (1, 1, 1, 0, 0, 0, (1, 1), (1, 1), 2)),
        ("10-asr-ari-snoop-externalmedia", (1, 1, 1, 0, 0, 0, (1, 1), (1, 1), 2)),
        ("07-originate", (0, 0, 0, 0, 0, 0, (0, 0), (0, 0), None)),
    ],
)
def test_kpis_per_trace(name: str, expected: tuple[object, ...]) -> None:
    k = _trace_kpis(name)
    got = (
        k.inbound,
        k.queued,
        k.answered,
        k.abandoned,
        k.timeouts,
        k.caller_exits,
        (k.answer_rate.numerator, k.answer_rate.denominator),
        (k.service_level.numerator, k.service_level.denominator),
        k.longest_wait,
    )
    assert got == expected


def test_diversions_per_trace() -> None:
    assert _trace_kpis("03-queue-timeout-to-voicemail").diversions == {"voicemail": 1}
    assert _trace_kpis("03b-exit-queue-with-key-to-voicemail").diversions == {"voicemail": 1}
    online = _trace_kpis("04-ivr-online-channel")
    assert (online.diversions, online.self_served_ivr) == ({"online": 1}, 1)
    assert (online.diversion_share.numerator, online.diversion_share.denominator) == (1, 1)


# 06, by hand from 06-concurrent-20-calls.queue_log:
#   CONNECT holds: 2 2 2 2 18 16 25 14 16 25 25 25 25 29  (14 answered; sum 226)
#   COMPLETECALLER talks: 24 20 30 28 14 29 22 4 10 16 6 5 20 19  (sum 247)
#   ABANDON waits: 12 18 29 26 24 24  (6 abandoned, none < 5 s)
WAITS_06 = [2, 2, 2, 2, 18, 16, 25, 14, 16, 25, 25, 25, 25, 29]
TALKS_06 = [24, 20, 30, 28, 14, 29, 22, 4, 10, 16, 6, 5, 20, 19]
ABANDONS_06 = [12, 18, 29, 26, 24, 24]


def test_06_hand_computed() -> None:
    k = _trace_kpis("06-concurrent-20-calls", wrapup_s={"hotline": 3})
    assert (k.inbound, k.queued, k.offered, k.answered, k.abandoned, k.short_abandons) == (
        20,
        20,
        20,
        14,
        6,
        0,
    )
    assert k.answer_rate.exact == Fraction(14, 20)
    assert k.answer_rate_wazo.exact == Fraction(14, 20)
    assert sum(1 for w in WAITS_06 if w <= 15) == 5
    assert k.service_level.exact == Fraction(5, 20)  # 2 2 2 2 14
    assert k.service_level_answered.exact == Fraction(5, 14)
    assert k.abandon_rate.exact == Fraction(6, 20)
    assert k.asa.mean == Fraction(sum(WAITS_06), 14) == Fraction(226, 14)
    assert k.asa.median == 17  # (16 + 18) / 2
    assert k.asa.percentile(90) == 25  # rank ceil(12.6) = 13 of 14
    assert k.talk.mean == Fraction(sum(TALKS_06), 14) == Fraction(247, 14)
    assert k.handle.mean == Fraction(247 + 14 * 3, 14)
    assert k.longest_wait == 29
    assert k.waits.values == tuple(sorted(WAITS_06 + ABANDONS_06))
    assert (k.waits.percentile(50), k.waits.percentile(90), k.waits.percentile(95)) == (18, 26, 29)
    assert k.to_dict()["asa_mean"] == pytest.approx(16.142857142857142)


def test_06_per_agent_and_queue() -> None:
    records = build_call_records(trace_events("06-concurrent-20-calls")).values()
    agents = by_agent(records)
    assert {a: (k.answered, k.talk.mean) for a, k in agents.items()} == {
        "PJSIP/agent8001": (3, Fraction(24 + 29 + 20, 3)),
        "PJSIP/agent8002": (4, Fraction(20 + 14 + 10 + 19, 4)),
        "PJSIP/agent8003": (3, Fraction(30 + 22 + 6, 3)),
        "PJSIP/agent8004": (4, Fraction(28 + 4 + 16 + 5, 4)),
    }
    queues = by_queue(records)
    assert list(queues) == ["hotline"]
    assert queues["hotline"].answered == 14


def test_06_falls_in_one_shanghai_quarter_hour() -> None:
    records = build_call_records(trace_events("06-concurrent-20-calls")).values()
    quarters = by_interval(records, "15min")
    start = datetime(2026, 11, 21, 14, 15, tzinfo=SHANGHAI)  # 06:18:55 UTC = 14:18:55 CST
    assert list(quarters) == [start]
    assert quarters[start].queued == 20


@pytest.mark.parametrize(
    ("utc", "interval", "local_start"),
    [
        (
            datetime(2026, 11, 21, 15, 59, 59, tzinfo=UTC),
            "day",
            datetime(2026, 11, 21, 0, 0, tzinfo=SHANGHAI),
        ),
        (
            datetime(2026, 11, 21, 16, 0, 0, tzinfo=UTC),
            "day",
            datetime(2026, 11, 22, 0, 0, tzinfo=SHANGHAI),
        ),
        (
            datetime(2026, 11, 21, 6, 44, 59, tzinfo=UTC),
            "15min",
            datetime(2026, 11, 21, 14, 30, tzinfo=SHANGHAI),
        ),
        (
            datetime(2026, 11, 21, 6, 45, 0, tzinfo=UTC),
            "15min",
            datetime(2026, 11, 21, 14, 45, tzinfo=SHANGHAI),
        ),
        (
            datetime(2026, 11, 21, 6, 59, 59, tzinfo=UTC),
            "hour",
            datetime(2026, 11, 21, 14, 0, tzinfo=SHANGHAI),
        ),
    ],
)
def test_interval_boundaries_are_shanghai_wall_clock(
    utc: datetime, interval: str, local_start: datetime
) -> None:
    assert interval_start(utc, interval) == local_start


def test_interval_grouping_splits_at_shanghai_midnight() -> None:
    late = _rec(
        "L", wait=4, answered=True, talk=10, at=datetime(2026, 11, 21, 15, 59, 0, tzinfo=UTC)
    )
    early = _rec(
        "M", wait=30, answered=True, talk=10, at=datetime(2026, 11, 21, 16, 1, 0, tzinfo=UTC)
    )
    days = by_interval([late, early], "day")
    assert [(d.day, k.answered, k.answered_within_sl) for d, k in days.items()] == [
        (21, 1, 1),
        (22, 1, 0),
    ]
    with pytest.raises(ValueError, match="unknown interval"):
        interval_start(T0, "week")


def test_recomputed_from_the_stored_log() -> None:
    events = trace_events("06-concurrent-20-calls")
    stored = [to_stored(e) for e in events]
    again = kpis_from_events([from_stored(s) for s in stored])
    assert again == kpis_from_events(events)


# -- occupancy ------------------------------------------------------------------------------------
def test_staffed_time_and_occupancy() -> None:
    a, b = "PJSIP/agent8001", "Local/8005@agents-out/n"
    at = T0
    events = [
        AgentPaused(
            occurred_at=at + timedelta(minutes=10),
            queue="hotline",
            interface=a,
            member_name="A",
            reason="lunch",
        ),
        AgentUnpaused(
            occurred_at=at + timedelta(minutes=20), queue="hotline", interface=a, member_name="A"
        ),
        AgentLoggedIn(
            occurred_at=at + timedelta(minutes=30),
            queue="hotline",
            interface=b,
            member_name="B",
            paused=True,
        ),
        AgentUnpaused(
            occurred_at=at + timedelta(minutes=40), queue="hotline", interface=b, member_name="B"
        ),
        AgentLoggedOut(
            occurred_at=at + timedelta(minutes=50), queue="hotline", interface=b, member_name="B"
        ),
    ]
    staffed = staffed_time(
        events, at, at + timedelta(hours=1), initially_logged_in=[("hotline", a)]
    )
    assert staffed == {a: StaffedTime(3600.0, 600.0), b: StaffedTime(1200.0, 600.0)}
    calls = [
        _rec("X", wait=2, answered=True, talk=300, agent=a),
        _rec("Y", wait=2, answered=True, talk=297, agent=a),
        _rec("Z", wait=2, answered=True, talk=97, agent=b),
    ]
    occ = occupancy(calls, staffed, {"hotline": 3})
    assert (occ[a].exact, occ[b].exact) == (Fraction(303 + 300, 3000), Fraction(100, 600))


def test_every_formula_is_written_in_docs_kpi_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "kpi.md").read_text(encoding="utf-8")
    section = doc.split("## Call KPIs", 1)[1]
    for name, (version, formula) in FORMULAS.items():
        assert f"`{name}` v{version}" in section, name
        assert formula in section, name


def test_ring_stats_per_agent() -> None:
    timeout = build_call_records(trace_events("03-queue-timeout-to-voicemail")).values()
    assert ring_stats(timeout) == {
        "PJSIP/agent8001": RingStats(1, 0, 1, 0),
        "PJSIP/agent8002": RingStats(1, 0, 1, 0),
        "PJSIP/agent8003": RingStats(1, 0, 1, 0),
    }
    busy = ring_stats(build_call_records(trace_events("06-concurrent-20-calls")).values())
    assert busy == {
        "PJSIP/agent8001": RingStats(3, 3, 0, 0),
        "PJSIP/agent8002": RingStats(4, 4, 0, 0),
        "PJSIP/agent8003": RingStats(4, 3, 0, 1),
        "PJSIP/agent8004": RingStats(5, 4, 0, 1),
    }
    assert busy["PJSIP/agent8003"].answer_ratio.exact == Fraction(3, 4)
