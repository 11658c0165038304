"""queue_log: parse every recorded line, outcomes for reconciliation, and export round trip."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from core.call_kpi import compute
from core.call_records import build_call_records
from telephony.queue_log import (
    QueueLogEntry,
    events_from_queue_log,
    outcomes_from_queue_log,
    parse_line,
    parse_lines,
)
from telephony.queue_log_export import export_queue_log
from tests.conftest import AMI_TRACES, shared_path
from tests.unit.trace_helpers import trace_events


def _lines(name: str) -> list[str]:
    return shared_path("ami-traces", name).read_text().splitlines()


def test_full_log_parses_and_round_trips_line_by_line() -> None:
    lines = _lines("queue_log.full")
    entries, issues = parse_lines(lines)
    assert issues == []
    assert len(entries) == 111
    assert [e.to_line() for e in entries] == lines
    assert Counter(e.verb for e in entries) == {
        "ENTERQUEUE": 32,
        "CONNECT": 23,
        "COMPLETECALLER": 22,
        "COMPLETEAGENT": 1,
        "ABANDON": 7,
        "EXITWITHTIMEOUT": 1,
        "EXITWITHKEY": 1,
        "RINGNOANSWER": 4,
        "RINGCANCELED": 4,
        "PAUSE": 4,
        "PAUSEALL": 1,
        "UNPAUSE": 4,
        "UNPAUSEALL": 3,
        "ADDMEMBER": 1,
        "PENALTY": 1,
        "REMOVEMEMBER": 1,
        "QUEUESTART": 1,
    }


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "1795241707|1795241705.0|hotline|NONE|ENTERQUEUE||13800131|1",
            QueueLogEntry(
                1795241707, "1795241705.0", "hotline", "NONE", "ENTERQUEUE", ("", "13800131", "1")
            ),
        ),
        (
            "1795241863|1795241851.11|hotline|NONE|EXITWITHKEY|2|1|1|9",
            QueueLogEntry(
                1795241863, "1795241851.11", "hotline", "NONE", "EXITWITHKEY", ("2", "1", "1", "9")
            ),
        ),
        (
            "1795241905|NONE|hotline|Agent 8004|UNPAUSE|",
            QueueLogEntry(1795241905, "NONE", "hotline", "Agent 8004", "UNPAUSE", ("",)),
        ),
        (
            "1795241926|MANAGER|hotline|Local/8005@agents-out/n|ADDMEMBER|PAUSED",
            QueueLogEntry(
                1795241926,
                "MANAGER",
                "hotline",
                "Local/8005@agents-out/n",
                "ADDMEMBER",
                ("PAUSED",),
            ),
        ),
    ],
)
def test_parse_line_table(line: str, expected: QueueLogEntry) -> None:
    assert parse_line(line) == expected


def test_bad_lines_are_reported_with_their_number_and_the_rest_is_kept() -> None:
    lines = [
        "1795241707|1795241705.0|hotline|NONE|ENTERQUEUE||13800131|1",
        "garbage",
        "",
        "notatime|x|q|NONE|ABANDON|1|1|3",
        "1795241774|1795241705.0|hotline|NONE|ABANDON|1|1|21",
    ]
    entries, issues = parse_lines(lines)
    assert [e.verb for e in entries] == ["ENTERQUEUE", "ABANDON"]
    assert [(i.line_no, i.line) for i in issues] == [
        (2, "garbage"),
        (4, "notatime|x|q|NONE|ABANDON|1|1|3"),
    ]
    assert "at least 5 fields" in issues[0].reason
    assert "epoch" in issues[1].reason


def test_outcomes_of_the_whole_log() -> None:
    outcomes = outcomes_from_queue_log(_lines("queue_log.full"))
    assert Counter(o.outcome for o in outcomes) == {
        "answered": 23,
        "abandoned": 7,
        "timeout": 1,
        "exit_key": 1,
    }
    timeout = next(o for o in outcomes if o.outcome == "timeout")
    assert (timeout.callid, timeout.wait_s, timeout.original_position) == ("1795241780.7", 40, 1)
    assert timeout.rings == [
        ("Agent 8001", "RINGNOANSWER", 15000),
        ("Agent 8002", "RINGNOANSWER", 15000),
        ("Agent 8003", "RINGNOANSWER", 6000),
    ]
    key = next(o for o in outcomes if o.outcome == "exit_key")
    assert (key.key, key.position, key.original_position, key.wait_s) == ("2", 1, 1, 9)
    agent_hangup = next(o for o in outcomes if o.hung_up_by == "agent")
    assert (agent_hangup.callid, agent_hangup.agent, agent_hangup.wait_s, agent_hangup.talk_s) == (
        "1795241730.2",
        "Agent 8002",
        3,
        8,
    )


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@pytest.mark.parametrize(
    ("since", "until", "callids"),
    [
        # a gap covering only the end of 02: the visit that ENDED inside it is reconciled
        (1795241770, 1795241779, ["1795241750.4"]),
        # a gap over 03's start: the visit that ENTERED inside it
        (1795241780, 1795241790, ["1795241780.7"]),
        (1795241744, 1795241749, []),  # nothing entered or ended
        # the 4 unpublished calls only
        (
            1795242100,
            1795242700,
            ["1795242192.57", "1795242216.61", "1795242591.76", "1795242624.80"],
        ),
    ],
)
def test_outcomes_window(since: int, until: int, callids: list[str]) -> None:
    outcomes = outcomes_from_queue_log(_lines("queue_log.full"), _utc(since), _utc(until))
    assert [
        o.callid for o in outcomes if o.callid not in ("1795242481.65", "1795242509.69")
    ] == callids


def test_reconciled_events_give_the_same_kpis_as_the_ami_stream() -> None:
    """06 from queue_log alone (what reconciliation sees) = 06 from AMI: same queue KPIs."""
    from_log = build_call_records(events_from_queue_log(_lines("06-concurrent-20-calls.queue_log")))
    from_ami = build_call_records(trace_events("06-concurrent-20-calls"))
    a, b = compute(from_log.values()), compute(from_ami.values())
    for figure in ("queued", "answered", "abandoned", "short_abandons", "answered_within_sl"):
        assert getattr(a, figure) == getattr(b, figure), figure
    assert a.asa == b.asa
    assert a.talk == b.talk
    assert a.waits == b.waits
    assert {lid: r.outcome for lid, r in from_log.items()} == {
        lid: r.outcome for lid, r in from_ami.items()
    }


# -- export: our timeline as queue_log ------------------------------------------------------------
NOT_FROM_AMI = {"PAUSEALL", "UNPAUSEALL", "PENALTY", "QUEUESTART"}


@pytest.mark.parametrize(
    "name",
    sorted(p.name.removesuffix(".queue_log") for p in AMI_TRACES.glob("*.queue_log"))
    if AMI_TRACES.exists()
    else [],
)
def test_export_reproduces_the_trace_queue_log(name: str) -> None:
    theirs, _ = parse_lines(_lines(f"{name}.queue_log"))
    theirs = [e for e in theirs if e.verb not in NOT_FROM_AMI]
    ours = [parse_line(line) for line in export_queue_log(trace_events(name))]
    assert len(ours) == len(theirs)

    def key(e: QueueLogEntry) -> tuple[str, str, str, int]:
        return (e.callid, e.verb, e.agent, e.time)

    for mine, real in zip(sorted(ours, key=key), sorted(theirs, key=key), strict=True):
        assert (mine.callid, mine.queue, mine.agent, mine.verb) == (
            real.callid,
            real.queue,
            real.agent,
            real.verb,
        )
        assert abs(mine.time - real.time) <= 1  # our clock is the receive time
        if mine.verb == "RINGCANCELED":
            assert abs(int(mine.data[0]) - int(real.data[0])) <= 2  # ms, measured by us
        else:
            assert mine.data == real.data


def test_export_of_06_matches_exactly_except_known_time_and_ms_drift() -> None:
    ours = sorted(export_queue_log(trace_events("06-concurrent-20-calls")))
    theirs = sorted(_lines("06-concurrent-20-calls.queue_log"))
    different = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
    assert different == [
        (
            "1795242026|1795241989.43|hotline|Agent 8003|RINGCANCELED|1513",
            "1795242025|1795241989.43|hotline|Agent 8003|RINGCANCELED|1513",
        ),
        (
            "1795242026|1795241989.43|hotline|NONE|ABANDON|1|8|24",
            "1795242025|1795241989.43|hotline|NONE|ABANDON|1|8|24",
        ),
        (
            "1795242028|1795241992.45|hotline|Agent 8004|RINGCANCELED|895",
            "1795242028|1795241992.45|hotline|Agent 8004|RINGCANCELED|894",
        ),
    ]
