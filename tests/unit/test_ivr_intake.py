"""Voicemail intake, online SMS, IVR KPIs and the call-model adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.callsim import AgentSpec, CallSimConfig, Outcome, Route, flat_curve, simulate
from core.clock import SHANGHAI
from core.errors import ValidationError
from core.ports import VoicemailReceived
from core.use_cases.voicemail_intake import IntakeVoicemail
from ivr_flows.flow import Sms
from ivr_flows.kpi import (
    QueueCounts,
    abandon_rate,
    answer_rate,
    diversion_share,
    online_share,
    service_level,
)
from ivr_flows.loader import default_flow_path, load_flow
from ivr_flows.online import online_sms, request_callback
from ivr_flows.simulation import FlowPolicy, report
from ivr_flows.voicemail import recording_file
from tests.ivr_fakes import MemoryCallbacks, MemoryDrafts, MemoryTranscription

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def vm(number: str = "13800137", /, **kw: object) -> VoicemailReceived:
    base: dict[str, object] = {
        "call_id": "1795241780.7",
        "caller_number": number,
        "recording_path": "/var/spool/asterisk/voicemail/hotline/12345/INBOX/msg0000.wav",
        "received_at": NOW,
    }
    base.update(kw)
    return VoicemailReceived(**base)  # type: ignore[arg-type]


async def test_voicemail_makes_draft_job_and_callback_once() -> None:
    drafts, asr, callbacks = MemoryDrafts(), MemoryTranscription(), MemoryCallbacks()
    intake = IntakeVoicemail(drafts, asr, callbacks, callback_within=timedelta(hours=1))
    first = await intake.receive(vm())
    again = await intake.receive(vm())  # a retried delivery: same draft
    assert first == again == "draft-1"
    assert len(drafts.drafts) == 1
    assert asr.jobs[0].recording_path.endswith("msg0000.wav")
    assert callbacks.tasks[0].due_at == NOW + timedelta(hours=1)
    assert callbacks.tasks[0].reason == "voicemail"


async def test_voicemail_without_its_audio_still_drafts_and_calls_back() -> None:
    drafts, asr, callbacks = MemoryDrafts(), MemoryTranscription(), MemoryCallbacks()
    gone = vm(recording_path="/spool/voicemail/hotline/12345/INBOX/msg0004", recording_missing=True)
    draft_id = await IntakeVoicemail(drafts, asr, callbacks).receive(gone)
    ((_, request),) = drafts.drafts.values()
    assert request.attributes == {"recording": "missing"}
    assert not asr.jobs  # nothing to transcribe
    assert [t.draft_id for t in callbacks.tasks] == [draft_id]  # a person asks the citizen


@pytest.mark.parametrize("number", ["anonymous", "", "unknown"])
async def test_voicemail_from_hidden_number_has_no_callback(number: str) -> None:
    drafts, asr, callbacks = MemoryDrafts(), MemoryTranscription(), MemoryCallbacks()
    await IntakeVoicemail(drafts, asr, callbacks).receive(vm(number))
    assert len(drafts.drafts) == 1
    assert len(asr.jobs) == 1
    assert not callbacks.tasks


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"received_at": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"recording_path": ""}, "recording path"),
    ],
)
async def test_bad_voicemail_is_refused_before_anything_is_created(
    kw: dict[str, object], message: str
) -> None:
    drafts = MemoryDrafts()
    with pytest.raises(ValidationError, match=message):
        await IntakeVoicemail(drafts, MemoryTranscription(), MemoryCallbacks()).receive(
            vm("13800137", **kw)
        )
    assert not drafts.drafts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/opt/asterisk/var/spool/asterisk/voicemail/hotline/12345/INBOX/msg0000",
         "/opt/asterisk/var/spool/asterisk/voicemail/hotline/12345/INBOX/msg0000.wav"),
        ("/x/INBOX/msg0001.gsm", "/x/INBOX/msg0001.gsm"),
    ],
)  # fmt: skip
def test_recording_file(raw: str, expected: str) -> None:
    assert recording_file(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "/etc/passwd"])
def test_recording_file_refuses_other_paths(raw: str) -> None:
    with pytest.raises(ValidationError):
        recording_file(raw)


def test_online_sms_text_from_template() -> None:
    sms = online_sms(
        Sms(template="请访问 {link} ({call_id})", link="https://x.cn/a"), "13800137", "c1"
    )
    assert (sms.to, sms.body, sms.call_id) == ("13800137", "请访问 https://x.cn/a (c1)", "c1")
    with pytest.raises(ValidationError):
        online_sms(Sms(), "anonymous", "c1")


async def test_callback_request() -> None:
    tasks = MemoryCallbacks()
    assert await request_callback(tasks, "13800137", "c1", NOW) == "cb-1"
    assert tasks.tasks[0].reason == "callback"
    with pytest.raises(ValidationError):
        await request_callback(tasks, "", "c2", NOW)


COUNTS = QueueCounts(
    inbound=1000,
    queued=900,
    answered=850,
    answered_within_sl=760,
    abandoned=30,
    short_abandons=10,
    timeouts=10,
    key_exits=10,
    diverted={"voicemail": 40, "online": 50, "callback": 5},
)


@pytest.mark.parametrize(
    ("kpi", "expected"),
    [
        (answer_rate, 850 / (900 - 10 - 10)),
        (service_level, 760 / (900 - 10 - 10)),
        (abandon_rate, (30 - 10) / (900 - 10)),
        (diversion_share, (95 + 10) / 1000),
    ],
)
def test_kpi_formulas(kpi: object, expected: float) -> None:
    assert kpi(COUNTS) == pytest.approx(expected)  # type: ignore[operator]


def test_online_share() -> None:
    assert online_share(COUNTS.diverted) == pytest.approx(50 / 95)
    assert online_share(COUNTS.diverted, {"online": 5, "voicemail": 5}) == pytest.approx(55 / 105)
    assert online_share({}) == 0.0


def test_flow_policy_diverts_under_overload_and_reports() -> None:
    policy = FlowPolicy(load_flow(default_flow_path()))
    result = simulate(
        CallSimConfig(
            start=datetime(2026, 11, 23, 9, tzinfo=SHANGHAI),
            duration_s=3600,
            arrivals_per_hour=flat_curve(150),
            agents=tuple(AgentSpec(f"Agent {8001 + i}") for i in range(6)),
            policy=policy,
            seed=3,
        )
    )
    rep = report(result, policy.predictions)
    assert set(policy.reasons.values()) >= {"direct", "wait"}
    assert rep.counts.diverted["online"] > 0
    assert rep.counts.inbound == len(result.calls)
    assert 0 < rep.diversion_share < 1
    assert rep.ewt["n"] > 0
    # Calls the hook sent straight to the queue were the ones the policy said "direct" for.
    for call in result.calls:
        if call.route is Route.QUEUE:
            assert policy.reasons[call.call_id] == "direct"
        if call.outcome is Outcome.DIVERTED:
            assert call.queue_join is None
    assert any(line.startswith("answer rate") for line in rep.lines())
