"""AMI Hangup and Redirect change the simulator's scripted calls: the call ends or moves at
once with Asterisk's events, queue_log follows, and the ground truth says what the bridge's
translator makes of those events (the call records built from them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from core.call_records import build_call_records
from telephony.ami_codec import AmiMessage, AmiStreamParser
from telephony.queue_log import events_from_queue_log
from telephony.sim.pbx import Applied, Pbx
from telephony.sim.script import CallScript, RingAttempt, Scenario, agent_pool
from telephony.translate import Translator

BASE = 1795241705
# answered by 8001 at t=5, talks until 60
ANSWERED = CallScript(
    0, "13800131", 0, 2, "1", "answered", 60, join_at=2, leave_at=5,
    attempts=(RingAttempt("8001", 2, 5, True),),
)  # fmt: skip
# queued from t=2, nobody answers, times out at 42 → voicemail until 60
QUEUED = CallScript(
    0, "13800131", 0, 2, "1", "timeout", 60, join_at=2, leave_at=42,
    attempts=(RingAttempt("8001", 2, 17), RingAttempt("8002", 19, 34)),
)  # fmt: skip
VOICEMAIL = CallScript(0, "13800131", 0, 2, "2", "voicemail", 40)  # IVR key 2 at t=2

Action = Callable[[Pbx], Applied]


def hangup(name: Callable[[Pbx], str], cause: int = 16) -> Action:
    return lambda pbx: pbx.hangup_channel(name(pbx), cause)


def redirect(name: Callable[[Pbx], str], context: str) -> Action:
    return lambda pbx: pbx.redirect_channel(name(pbx), context)


def caller(pbx: Pbx) -> str:
    return pbx.calls[0].caller.name


def agent(pbx: Pbx) -> str:
    leg = pbx.calls[0].agent_leg
    assert leg is not None
    return leg.name


@dataclass
class Played:
    pbx: Pbx
    events: list[AmiMessage]
    qlog: list[str]
    applied: Applied

    def names(self) -> list[str]:
        return [m.event or "" for m in self.events]

    def record_outcome(self) -> str:
        """What the bridge's translator makes of the events (its call record)."""
        translator = Translator()
        stamped = [(m, datetime.fromtimestamp(int(m["_t"]), UTC)) for m in self.events]
        domain = [e for m, at in stamped for e in translator.feed(m, at)]
        domain += translator.finish()
        return build_call_records(domain)[self.pbx.calls[0].caller.linkedid].outcome.value


def play(script: CallScript, at: float, action: Action) -> Played:
    """Play ``script``; apply ``action`` at ``at``; each event stamped with its sim time."""
    frames: list[tuple[float, str]] = []
    qlog: list[str] = []
    pbx = Pbx(
        Scenario(agent_pool(4), [script]), BASE, lambda f: frames.append((pbx.now, f)), qlog.append
    )
    pbx.run_until(at)
    applied = action(pbx)
    pbx.run_until(1e9)
    parser = AmiStreamParser(expect_banner=False)
    events = []
    for t, f in frames:
        for m in parser.feed(f.encode()):
            events.append(AmiMessage((*m.headers, ("_t", str(int(BASE + t))))))
    return Played(pbx, events, qlog, applied)


def qlog_events(played: Played) -> list[str]:
    return [line.split("|")[4] for line in played.qlog]


def test_hanging_up_the_caller_of_an_answered_call_completes_it_now() -> None:
    p = play(ANSWERED, 20, hangup(caller))
    assert p.applied == "applied"
    assert "HangupRequest" not in p.names()  # the action only flags the channel
    (complete,) = [m for m in p.events if m.event == "AgentComplete"]
    assert (complete["Reason"], complete["TalkTime"]) == ("caller", "15")
    assert qlog_events(p)[-1] == "COMPLETECALLER"
    assert p.qlog[-1].endswith("|COMPLETECALLER|3|15|1")
    truth = p.pbx.truth[0]
    assert (truth.outcome, truth.wait_s, truth.talk_s) == ("answered", 3, 15)
    assert p.names().count("Hangup") == 2  # the scripted end at t=60 never plays
    assert p.record_outcome() == "answered"


def test_hanging_up_the_agent_leg_is_an_agent_completion() -> None:
    p = play(ANSWERED, 30, hangup(agent))
    (complete,) = [m for m in p.events if m.event == "AgentComplete"]
    assert (complete["Reason"], complete["TalkTime"]) == ("agent", "25")
    assert p.qlog[-1].endswith("|COMPLETEAGENT|3|25|1")
    assert p.pbx.truth[0].talk_s == 25


def test_hanging_up_a_queued_caller_is_an_abandon() -> None:
    p = play(QUEUED, 10, hangup(caller, cause=0))
    assert p.qlog[-1].endswith("|ABANDON|1|1|8")
    (abandon,) = [m for m in p.events if m.event == "QueueCallerAbandon"]
    assert abandon["HoldTime"] == "8"
    hangups = [m for m in p.events if m.event == "Hangup"]
    assert [(m["Channel"][:10], m["Cause"]) for m in hangups] == [
        ("PJSIP/agen", "0"),  # the ringing member leg is cancelled
        ("PJSIP/pstn", "0"),
    ]
    assert "MessageWaiting" not in p.names()  # no timeout, no voicemail any more
    truth = p.pbx.truth[0]
    assert (truth.outcome, truth.queued, truth.wait_s) == ("abandoned", True, 8)
    assert p.record_outcome() == "abandoned"


def test_hanging_up_in_the_ivr() -> None:
    p = play(ANSWERED, 1, hangup(caller))
    assert "QueueCallerJoin" not in p.names()
    assert p.qlog == []
    truth = p.pbx.truth[0]
    assert (truth.outcome, truth.queued) == ("ivr_hangup", False)
    assert p.record_outcome() == "ivr_hangup"


def test_hanging_up_in_voicemail_ends_it_there() -> None:
    p = play(VOICEMAIL, 10, hangup(caller, cause=0))
    assert p.names().count("Hangup") == 1
    assert p.names().count("MessageWaiting") == 1
    assert [m["_t"] for m in p.events if m.event == "Hangup"] == [str(BASE + 10)]
    assert p.pbx.truth[0].outcome == "voicemail"


def test_redirecting_a_queued_caller_to_voicemail() -> None:
    p = play(QUEUED, 10, redirect(caller, "hotline-voicemail"))
    assert p.applied == "applied"
    assert p.qlog[-1].endswith("|ABANDON|1|1|8")  # Queue() logs an async goto so
    assert "VoiceMail" in [m.get("Application") for m in p.events]
    (message,) = [m for m in p.events if m.event == "MessageWaiting"]
    assert message["_t"] == str(BASE + 30)  # 20 s to leave the message
    truth = p.pbx.truth[0]
    assert (truth.outcome, truth.wait_s) == ("abandoned", 8)


def test_the_translator_counts_a_redirect_out_of_the_queue_as_queue_log_does() -> None:
    p = play(QUEUED, 10, redirect(caller, "hotline-voicemail"))
    assert p.record_outcome() == "abandoned"
    linkedid = p.pbx.calls[0].caller.linkedid
    rebuilt = build_call_records(events_from_queue_log(p.qlog))[linkedid]  # reconciliation
    assert (rebuilt.outcome.value, rebuilt.wait_s) == ("abandoned", 8)


def test_redirecting_an_ivr_caller_to_the_online_channel() -> None:
    p = play(ANSWERED, 1, redirect(caller, "hotline-online"))
    assert "QueueCallerJoin" not in p.names()
    assert [m["UserEvent"] for m in p.events if m.event == "UserEvent"] == ["HotlineOnlineChannel"]
    assert [m["_t"] for m in p.events if m.event == "Hangup"] == [str(BASE + 5)]
    truth = p.pbx.truth[0]
    assert (truth.outcome, truth.queued) == ("online", False)
    assert p.record_outcome() == "online"


@pytest.mark.parametrize(
    ("script", "at", "action"),
    [
        (ANSWERED, 20, redirect(caller, "hotline-voicemail")),  # bridged: not modelled
        (QUEUED, 10, hangup(agent)),  # a ringing member leg: not modelled
        (QUEUED, 10, redirect(caller, "emergency-handoff")),  # not in the simulated dialplan
    ],
)
def test_what_is_not_modelled_leaves_the_script_alone(
    script: CallScript, at: float, action: Action
) -> None:
    untouched = play(script, at, lambda pbx: "ignored")
    p = play(script, at, action)
    assert p.applied == "ignored"
    assert p.names() == untouched.names()
    assert p.qlog == untouched.qlog


def test_no_such_channel() -> None:
    assert play(ANSWERED, 20, hangup(lambda _: "PJSIP/pstn-deadbeef")).applied == "no_channel"
    assert play(ANSWERED, 90, hangup(caller)).applied == "no_channel"  # already gone
