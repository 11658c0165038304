"""A caller redirected out of Queue() (AMI ``Redirect``, e.g. a supervisor moving a waiting
caller to voicemail) is counted as Asterisk's queue_log counts it: ABANDON.

app_queue (queue_exec, label ``stop``): an async goto makes the wait loop return -1 exactly like
a hang-up, so it calls ``record_abandoned`` (``QueueCallerAbandon``), writes ``ABANDON``, leaves
the queue (``QueueCallerLeave``) and returns -1 without setting QUEUESTATUS; the PBX loop then
clears the async-goto flag and runs the new location. No recording has a redirect, so the
sequence is built from trace 03 (a real timeout at 40 s followed by voicemail): its Queue()
normal-return part (``VarSet QUEUESTATUS=TIMEOUT`` and the two ``hotline-queue`` priorities
after Queue) removed, what stays is the wire of a Redirect to ``hotline-voicemail,s,1`` at 40 s.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.call_records import CallOutcome, build_call_records
from core.calls import CallAbandoned, CallDiverted, CallExitedQueue
from core.events import DomainEvent
from telephony.ami_codec import AmiMessage
from telephony.queue_log import events_from_queue_log
from telephony.queue_log_export import export_queue_log
from telephony.translate import Translator
from tests.conftest import AMI_TRACES
from tests.unit.trace_helpers import describe, trace

TIMEOUT_TRACE = "03-queue-timeout-to-voicemail"
LID = "1795241780.7"


def _is_queue_return(msg: AmiMessage) -> bool:
    """What Queue() sends only when it returns normally: QUEUESTATUS and the next priorities."""
    if msg.get("Uniqueid") != LID:
        return False
    if msg.event == "VarSet":
        return msg.get("Variable") == "QUEUESTATUS"
    return (
        msg.event == "Newexten"
        and msg.get("Context") == "hotline-queue"
        and msg.get("Priority") in ("6", "7")
    )


def _translate(messages: list[tuple[datetime, AmiMessage]]) -> list[DomainEvent]:
    translator = Translator()
    out = [e for at, msg in messages for e in translator.feed(msg, at)]
    return out + translator.finish()


def _redirected() -> list[tuple[datetime, AmiMessage]]:
    messages = list(trace(TIMEOUT_TRACE).messages)
    kept = [(at, m) for at, m in messages if not _is_queue_return(m)]
    assert len(messages) - len(kept) == 3  # the sequence really is trace 03 minus that part
    return kept


def _tail(events: list[DomainEvent]) -> list[str]:
    lines = [describe(e).removeprefix(f"{LID} ") for e in events]
    return lines[lines.index("AgentRingNoAnswer Agent 8003 6000ms") + 1 :]


def test_the_redirected_caller_is_an_abandon_then_a_voicemail() -> None:
    assert _tail(_translate(_redirected())) == [
        "Agent 8003 DeviceState status=1 in_call=0",
        "CallAbandoned pos=1 orig=1 wait=40",  # decided by the dialplan going on elsewhere
        "CallDiverted voicemail via=queue_redirect",
        "VoicemailLeft 12345@hotline msg0000",
        "CallEnded cause=0",
    ]


def test_the_real_timeout_still_is_a_timeout() -> None:
    events = _translate(list(trace(TIMEOUT_TRACE).messages))
    assert _tail(events)[0] == "CallExitedQueue timeout pos=1 orig=1 wait=40"
    assert "CallDiverted voicemail via=queue_timeout" in _tail(events)


def test_live_and_queue_log_rebuilt_records_agree() -> None:
    live = build_call_records(_translate(_redirected()))[LID]
    # what Asterisk writes on that path: EXITWITHTIMEOUT's place taken by ABANDON|pos|origpos|wait
    recorded = (AMI_TRACES / f"{TIMEOUT_TRACE}.queue_log").read_text().splitlines()
    written = [line.replace("|EXITWITHTIMEOUT|", "|ABANDON|") for line in recorded]
    rebuilt = build_call_records(events_from_queue_log(written))[LID]
    assert live.outcome == rebuilt.outcome == CallOutcome.ABANDONED
    assert (live.wait_s, live.original_position) == (rebuilt.wait_s, rebuilt.original_position)
    assert live.queued  # offered and queued in both
    assert rebuilt.queued
    assert [d.value for d in live.diversions] == ["voicemail"]  # the diversion stays visible
    # and our own queue_log export of the live events says ABANDON as Asterisk did
    assert [x.split("|", 4)[4] for x in export_queue_log(_translate(_redirected()))][-1] == (
        "ABANDON|1|1|40"
    )


# -- hand-made sequences --------------------------------------------------------------------------
T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
CALLER = {"Uniqueid": "c-1", "Linkedid": "c-1", "Channel": "PJSIP/pstn-1"}


def _msg(event: str, **fields: str) -> AmiMessage:
    return AmiMessage((("Event", event), *CALLER.items(), *fields.items()))


def _queue_decisions(*steps: tuple[float, AmiMessage]) -> list[str]:
    translator = Translator()
    out = [e for s, msg in steps for e in translator.feed(msg, T0 + timedelta(seconds=s))]
    return [describe(e) for e in out if isinstance(e, CallAbandoned | CallExitedQueue)]


START = (
    (0.0, _msg("Newchannel", Context="from-pstn", Exten="12345", CallerIDNum="1")),
    (0.5, _msg("VarSet", Context="from-pstn", Variable="IVR_TRIES", Value="0")),
    (1.0, _msg("QueueCallerJoin", Context="hotline-queue", Queue="q", Position="2", Count="2")),
    (30.0, _msg("QueueCallerAbandon", Queue="q", Position="1", OriginalPosition="2",
                HoldTime="29")),
    (30.0, _msg("VarSet", Variable="QUEUEPOSITION", Value="1")),
    (30.0, _msg("QueueCallerLeave", Context="hotline-queue", Queue="q", Position="1")),
)  # fmt: skip


def test_dialplan_going_on_without_queuestatus_is_an_abandon() -> None:
    elsewhere = (30.0, _msg("Newexten", Context="hotline-voicemail", Exten="s", Priority="1"))
    assert _queue_decisions(*START, elsewhere) == ["c-1 CallAbandoned pos=1 orig=2 wait=29"]


def test_a_hang_up_that_runs_the_h_extension_stays_an_abandon() -> None:
    h = (30.0, _msg("Newexten", Context="hotline-queue", Exten="h", Priority="1"))
    hangup = (30.1, _msg("Hangup", Cause="16"))
    assert _queue_decisions(*START, h, hangup) == ["c-1 CallAbandoned pos=1 orig=2 wait=29"]


def test_queuestatus_before_the_dialplan_goes_on_still_decides() -> None:
    status = (30.0, _msg("VarSet", Variable="QUEUESTATUS", Value="TIMEOUT"))
    next_priority = (30.0, _msg("Newexten", Context="hotline-queue", Exten="s", Priority="6"))
    assert _queue_decisions(*START, status, next_priority) == [
        "c-1 CallExitedQueue timeout pos=1 orig=2 wait=29"
    ]


def test_the_redirect_diversion_says_so() -> None:
    translator = Translator()
    voicemail = _msg("Newexten", Context="hotline-voicemail", Application="VoiceMail")
    out = [
        e
        for s, msg in (*START, (30.0, voicemail))
        for e in translator.feed(msg, T0 + timedelta(seconds=s))
    ]
    assert [(d.target.value, d.via) for d in out if isinstance(d, CallDiverted)] == [
        ("voicemail", "queue_redirect")
    ]
