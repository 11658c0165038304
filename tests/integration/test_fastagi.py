"""FastAGI server over real TCP: the test plays Asterisk (AGI environment, then one answer per
command, DTMF given as GET DATA answers) against ivr_flows.fastagi."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.intake_ports import IvrOutcome
from core.use_cases.voicemail_intake import IntakeVoicemail
from ivr_flows.fastagi import FastAgiServer, IvrPorts, IvrService
from ivr_flows.loader import default_flow_path, load_flow
from tests.ivr_fakes import (
    MemoryCallbacks,
    MemoryDrafts,
    MemoryLiveState,
    MemoryOutcomes,
    MemorySms,
    MemoryTranscription,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agi"
# Monday 2026-11-23 10:00 Asia/Shanghai.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
IDLE = {"waiting": 0, "available": 2, "logged_in": 4, "aht_recent_s": 180.0, "paused": 0}
BUSY = {"waiting": 6, "available": 0, "logged_in": 4, "aht_recent_s": 180.0, "paused": 0}
NOBODY = {"waiting": 0, "available": 0, "logged_in": 0, "aht_recent_s": 180.0}


def env(name: str, **override: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if line:
            key, _, value = line.partition(": ")
            out[key] = value
    out.update(override)
    return out


@dataclass
class Asterisk:
    """Answers AGI commands like Asterisk 22 does. ``dtmf``: one entry per GET DATA — a key,
    None (timeout) or "HANGUP" (the caller hangs up while the prompt plays)."""

    dtmf: list[str | None] = field(default_factory=list)
    hangup_on_stream: int | None = None  # hang up during the n-th STREAM FILE (0-based)
    commands: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    streams: int = 0

    def answer(self, command: str) -> str | None:
        self.commands.append(command)
        verb = " ".join(command.split()[:2])
        if verb == "STREAM FILE":
            self.streams += 1
            if self.hangup_on_stream == self.streams - 1:
                return "200 result=-1 endpos=1200"
            return "200 result=0 endpos=16000"
        if verb == "GET DATA":
            key = self.dtmf.pop(0) if self.dtmf else None
            if key == "HANGUP":
                return "200 result=-1"
            return f"200 result={key}" if key else "200 result= (timeout)"
        if verb == "SET VARIABLE":
            name, value = command.split(" ", 3)[2:]
            self.variables[name] = value.strip('"')
            return "200 result=1"
        return "510 Invalid or unknown command"

    async def call(self, port: int, environment: dict[str, str]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = "".join(f"{key}: {value}\n" for key, value in environment.items()) + "\n"
        writer.write(head.encode())
        await writer.drain()
        while line := await reader.readline():
            reply = self.answer(line.decode().rstrip("\n"))
            writer.write(f"{reply}\n".encode())
            await writer.drain()
        writer.close()
        await writer.wait_closed()


@dataclass
class Rig:
    live: MemoryLiveState
    outcomes: MemoryOutcomes
    sms: MemorySms
    callbacks: MemoryCallbacks
    drafts: MemoryDrafts
    transcription: MemoryTranscription
    port: int


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    live, outcomes, sms = MemoryLiveState(), MemoryOutcomes(), MemorySms()
    callbacks, drafts, asr = MemoryCallbacks(), MemoryDrafts(), MemoryTranscription()
    ports = IvrPorts(
        live_state=live,
        outcomes=outcomes,
        sms=sms,
        callbacks=callbacks,
        voicemail=IntakeVoicemail(drafts, asr, callbacks),
        clock=ManualClock(NOW),
        is_working_day=lambda day: day.weekday() < 5,
    )
    server = FastAgiServer(IvrService(load_flow(default_flow_path()), ports), port=0)
    _, port = await server.start()
    try:
        yield Rig(live, outcomes, sms, callbacks, drafts, asr, port)
    finally:
        await server.close()


async def run(rig: Rig, doc: dict[str, float] | None, dtmf: list[str | None]) -> Asterisk:
    if doc is not None:
        await rig.live.put("queue", "hotline", doc)
    asterisk = Asterisk(dtmf=list(dtmf))
    await asyncio.wait_for(asterisk.call(rig.port, env("hotline-entry.env")), 10)
    return asterisk


Check = Callable[[Rig], bool]


@pytest.mark.parametrize(
    ("doc", "dtmf", "decision", "reason", "outcome", "prompts"),
    [
        # GB/T 33358 default: greeting, then straight to the queue — no menu at all.
        (IDLE, [], "queue", "direct", IvrOutcome.QUEUED, ["hotline/greeting"]),
        # Busy: estimated wait 7×182.5/4 ≈ 319 s > 20 s → offer; caller presses 3 (online).
        (BUSY, ["3"], "online", "wait", IvrOutcome.ONLINE,
         ["hotline/greeting", "hotline/busy-offer"]),
        (BUSY, ["2"], "voicemail", "wait", IvrOutcome.VOICEMAIL, None),
        (BUSY, ["4"], "callback", "wait", IvrOutcome.CALLBACK, None),
        (BUSY, ["1"], "queue", "wait", IvrOutcome.QUEUED, None),
        # Wrong key, then nothing: one retry allowed, then "a person" (the queue).
        (BUSY, ["7", None], "queue", "wait", IvrOutcome.QUEUED,
         ["hotline/greeting", "hotline/busy-offer", "hotline/invalid", "hotline/busy-offer"]),
        # Emergency key plays 110/119/120 and the menu again (not a retry), then voicemail.
        (BUSY, ["9", "2"], "voicemail", "wait", IvrOutcome.VOICEMAIL,
         ["hotline/greeting", "hotline/busy-offer", "hotline/emergency", "hotline/busy-offer"]),
        # Nobody logged in: the no-agents menu; silence twice → its on_exhausted (voicemail).
        (NOBODY, [None, None], "voicemail", "no_agents", IvrOutcome.VOICEMAIL, None),
        # No live-state document at all: rules over it are off, the caller is queued.
        (None, [], "queue", "direct", IvrOutcome.QUEUED, ["hotline/greeting"]),
        # Broken document (text where a number belongs): same.
        ({"waiting": "many", "available": 0, "logged_in": 4, "aht_recent_s": 180.0}, [],
         "queue", "direct", IvrOutcome.QUEUED, None),
    ],
)  # fmt: skip
async def test_entry_decisions_over_tcp(
    rig: Rig,
    doc: dict[str, float] | None,
    dtmf: list[str | None],
    decision: str,
    reason: str,
    outcome: IvrOutcome,
    prompts: list[str] | None,
) -> None:
    asterisk = await run(rig, doc, dtmf)
    assert asterisk.variables["HOTLINE_DECISION"] == decision
    assert asterisk.variables["HOTLINE_REASON"] == reason
    assert not asterisk.dtmf  # every scripted key was asked for
    (record,) = rig.outcomes.records
    assert record.outcome is outcome
    assert record.call_id == "1795241780.7"
    assert record.caller_number == "13800137"
    assert record.reason == reason
    assert record.keys == "".join(k for k in dtmf if k)
    if prompts is not None:
        played = [c.split()[2] for c in asterisk.commands if c.split()[0] in ("STREAM", "GET")]
        assert played == prompts
    if decision == "online":
        (sms,) = rig.sms.sent
        assert sms.to == "13800137"
        assert "https://12345.example.gov.cn/m" in sms.body
    else:
        assert not rig.sms.sent
    assert len(rig.callbacks.tasks) == (1 if decision == "callback" else 0)


async def test_busy_sets_estimated_wait_and_rule(rig: Rig) -> None:
    asterisk = await run(rig, BUSY, ["1"])
    assert asterisk.variables["HOTLINE_EWT"] == str(
        round(7 * 182.5 / 4)
    )  # position 7 × (AHT + ring) ÷ 4 on duty
    assert asterisk.variables["HOTLINE_RULE"] == "long estimated wait"
    assert asterisk.variables["HOTLINE_KEYS"] == "1"
    assert rig.outcomes.records[0].offered


async def test_hangup_in_menu_is_recorded(rig: Rig) -> None:
    asterisk = await run(rig, BUSY, ["HANGUP"])
    assert "HOTLINE_DECISION" not in asterisk.variables
    (record,) = rig.outcomes.records
    assert record.outcome is IvrOutcome.HUNG_UP_IN_IVR
    assert record.reason == "wait"


async def test_hangup_during_greeting(rig: Rig) -> None:
    await rig.live.put("queue", "hotline", IDLE)
    asterisk = Asterisk(hangup_on_stream=0)
    await asyncio.wait_for(asterisk.call(rig.port, env("hotline-entry.env")), 10)
    assert rig.outcomes.records[0].outcome is IvrOutcome.HUNG_UP_IN_IVR


async def test_sms_refused_sends_the_caller_to_a_person(rig: Rig) -> None:
    rig.sms.refuse = True
    asterisk = await run(rig, BUSY, ["3"])
    assert asterisk.variables["HOTLINE_DECISION"] == "queue"
    assert asterisk.variables["HOTLINE_REASON"] == "online_failed"
    assert rig.outcomes.records[0].outcome is IvrOutcome.QUEUED


async def test_live_state_down_still_queues(rig: Rig) -> None:
    rig.live.broken = True
    asterisk = await run(rig, None, [])
    assert asterisk.variables["HOTLINE_DECISION"] == "queue"


async def test_voicemail_done_creates_draft_transcription_and_callback(rig: Rig) -> None:
    asterisk = Asterisk()
    await asyncio.wait_for(asterisk.call(rig.port, env("voicemail-done.env")), 10)
    ((key, (draft_id, request)),) = rig.drafts.drafts.items()
    assert key == ("voicemail", "1795241780.7")
    assert request.recording_path == (
        "/opt/asterisk/var/spool/asterisk/voicemail/hotline/12345/INBOX/msg0000.wav"
    )
    assert request.caller_number == "13800137"
    assert request.received_at == NOW
    (job,) = rig.transcription.jobs
    assert job.draft_id == draft_id
    (task,) = rig.callbacks.tasks
    assert task.reason == "voicemail"
    assert task.draft_id == draft_id


async def test_voicemail_not_left_records_nothing(rig: Rig) -> None:
    asterisk = Asterisk()
    failed = env("voicemail-done.env", agi_arg_2="FAILED")
    await asyncio.wait_for(asterisk.call(rig.port, failed), 10)
    assert not rig.drafts.drafts


async def test_online_key_exit_sends_sms(rig: Rig) -> None:
    asterisk = Asterisk()
    online = env(
        "hotline-entry.env",
        agi_network_script="online",
        agi_request="agi://127.0.0.1:4573/online",
        agi_arg_1="1795241780.7",
    )
    await asyncio.wait_for(asterisk.call(rig.port, online), 10)
    assert asterisk.variables["HOTLINE_SMS"] == "sms-1"
    assert rig.sms.sent[0].call_id == "1795241780.7"


async def test_peer_closing_before_environment_ends_is_harmless(rig: Rig) -> None:
    # panoramisk's own handler spins on read() == b"" here and blocks the loop for ever.
    for payload in (b"", b"agi_network: yes\nagi_network_script: hot"):
        _, writer = await asyncio.open_connection("127.0.0.1", rig.port)
        writer.write(payload)
        await writer.drain()
        writer.close()
        await writer.wait_closed()
    # The server still serves the next call.
    asterisk = await run(rig, IDLE, [])
    assert asterisk.variables["HOTLINE_DECISION"] == "queue"


async def test_unknown_route_closes_the_connection(rig: Rig) -> None:
    asterisk = Asterisk()
    await asyncio.wait_for(
        asterisk.call(rig.port, env("hotline-entry.env", agi_network_script="nope")), 10
    )
    assert asterisk.commands == []


async def test_reads_the_bridge_snapshot_namespace(rig: Rig) -> None:
    """telephony.live_sync writes namespace "queues" with entry/member lists: still understood."""
    members = [{"status": "3", "in_call": True, "paused": False} for _ in range(2)]
    waiting = [{"uniqueid": f"17952417{i}.1", "wait_s": 30} for i in range(5)]
    await rig.live.put("queues", "hotline", {"queue": "hotline", "waiting": waiting,
                                             "members": members})  # fmt: skip
    asterisk = await run(rig, None, ["2"])
    # position 6 × (default AHT 180 + 2.5) ÷ 2 on duty = 547.5 s > 20 s → busy offer.
    assert asterisk.variables["HOTLINE_EWT"] == "548"
    assert asterisk.variables["HOTLINE_DECISION"] == "voicemail"
    assert asterisk.variables["HOTLINE_REASON"] == "wait"
