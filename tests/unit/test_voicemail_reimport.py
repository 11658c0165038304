"""The spool re-import use case: which spool messages become drafts (fakes of its ports)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from core.clock import ManualClock
from core.ports import VoicemailReceived
from core.use_cases.voicemail_reimport import (
    ReimportVoicemail,
    SpoolMessage,
    SpoolProblem,
    SpoolScan,
    recording_slot,
)

T0 = datetime(2026, 11, 21, 6, 17, 22, tzinfo=UTC)
LIVE_PATH = "/opt/asterisk/var/spool/asterisk/voicemail/hotline/12345/INBOX/msg0000.wav"


def message(number: str = "msg0000", **kw: object) -> SpoolMessage:
    base: dict[str, object] = {
        "path": f"/spool/voicemail/hotline/12345/INBOX/{number}.txt",
        "context": "hotline",
        "mailbox": "12345",
        "folder": "INBOX",
        "number": number,
        "origtime": T0,
        "caller_number": "13800137",
        "duration_s": 7.0,
        "msg_id": f"1795241842-{number}",
        "recording_path": f"/spool/voicemail/hotline/12345/INBOX/{number}.wav",
    }
    base.update(kw)
    return SpoolMessage(**base)  # type: ignore[arg-type]


class Spool:
    def __init__(self, *messages: SpoolMessage, problems: tuple[SpoolProblem, ...] = ()) -> None:
        self.messages = list(messages)
        self.problems = list(problems)

    async def scan(self) -> SpoolScan:
        return SpoolScan(self.messages, self.problems)


class Voicemails:
    """The voicemail log (``StoredVoicemails``) and an intake that writes to it."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[VoicemailReceived, str | None]] = {}
        self.received: list[VoicemailReceived] = []
        self.refuse: set[str] = set()

    def store(self, vm: VoicemailReceived, draft: str | None) -> None:
        self.rows[vm.call_id] = (vm, draft)

    async def get(self, call_id: str) -> tuple[VoicemailReceived, str | None, str] | None:
        row = self.rows.get(call_id)
        if row is None:
            return None
        return row[0], row[1], "drafted" if row[1] else "received"

    async def received_between(self, since: datetime, until: datetime) -> list[VoicemailReceived]:
        return [vm for vm, _ in self.rows.values() if since <= vm.received_at <= until]

    async def receive(self, voicemail: VoicemailReceived) -> str:
        self.received.append(voicemail)
        if voicemail.call_id in self.refuse:
            raise ConnectionError("database went away")
        self.store(voicemail, f"draft-{voicemail.call_id}")
        return f"draft-{voicemail.call_id}"


def reimport(
    spool: Spool, vms: Voicemails, now: datetime, settle_s: float = 120
) -> ReimportVoicemail:
    return ReimportVoicemail(spool, vms, vms, ManualClock(now), settle=timedelta(seconds=settle_s))


async def test_new_messages_become_drafts_once_and_young_ones_wait() -> None:
    vms = Voicemails()
    spool = Spool(message("msg0000", linkedid="1795241780.7"), message("msg0001"))
    young = reimport(spool, vms, T0 + timedelta(seconds=60))  # ended 53 s ago
    report = await young.execute()
    assert (report.imported, len(report.recent)) == ([], 2)

    later = reimport(spool, vms, T0 + timedelta(minutes=10))
    first = await later.execute()
    assert [(m.number, d) for m, d in first.imported] == [
        ("msg0000", "draft-1795241780.7"),
        ("msg0001", "draft-vm:1795241842-msg0001"),
    ]
    assert vms.received[0].received_at == T0
    again = await later.execute()
    assert (again.imported, len(again.present)) == ([], 2)
    assert len(vms.received) == 2


async def test_a_legacy_message_imported_live_is_recognised_by_its_slot() -> None:
    vms = Voicemails()
    live = VoicemailReceived("1795241780.7", "13800137", LIVE_PATH, T0 + timedelta(seconds=12))
    vms.store(live, "draft-live")
    same_slot = message("msg0000")  # no linkedid in its .txt
    other_slot = message("msg0001", origtime=T0 + timedelta(seconds=5))
    reused_slot = message(  # msg0000 again, after the mailbox was renumbered, a day later
        "msg0000", folder="INBOX", origtime=T0 + timedelta(days=1), msg_id="1795328242-00000000"
    )
    report = await reimport(
        Spool(same_slot, other_slot, reused_slot), vms, T0 + timedelta(days=2)
    ).execute()
    assert [m.number for m in report.present] == ["msg0000"]
    assert [(m.number, m.origtime) for m, _ in report.imported] == [
        ("msg0001", other_slot.origtime),
        ("msg0000", reused_slot.origtime),
    ]
    assert [vm.call_id for vm in vms.received] == [other_slot.call_id, reused_slot.call_id]


async def test_a_linkedid_message_never_matches_by_slot() -> None:
    """With the dialplan's linkedid the key decides: a different call in the same slot is a
    different message."""
    vms = Voicemails()
    vms.store(VoicemailReceived("1795241000.1", "139", LIVE_PATH, T0), "draft-other")
    report = await reimport(
        Spool(message(linkedid="1795241780.7")), vms, T0 + timedelta(hours=1)
    ).execute()
    assert [d for _, d in report.imported] == ["draft-1795241780.7"]


async def test_half_done_imports_are_completed() -> None:
    vms = Voicemails()
    own = message("msg0000", linkedid="1795241780.7")
    vms.store(own.voicemail(), None)  # logged, but the draft was never linked
    live = VoicemailReceived("1795241790.9", "13800138", LIVE_PATH.replace("0000", "0001"), T0)
    vms.store(live, None)  # a legacy message's live import stopped half-way too
    legacy = message("msg0001", origtime=T0 - timedelta(seconds=20))
    report = await reimport(Spool(own, legacy), vms, T0 + timedelta(hours=1)).execute()
    assert len(report.imported) == 2
    assert [vm.call_id for vm in vms.received] == ["1795241790.9", "1795241780.7"]
    assert vms.received[0] == live  # completed under the live call id: no second voicemail


async def test_one_failure_and_broken_files_do_not_stop_the_rest() -> None:
    vms = Voicemails()
    vms.refuse.add("vm:1795241842-msg0000")
    problem = SpoolProblem("/spool/voicemail/hotline/12345/INBOX/msg0009.txt", "empty file")
    spool = Spool(message("msg0000"), message("msg0001"), problems=(problem,))
    report = await reimport(spool, vms, T0 + timedelta(hours=1)).execute()
    assert [m.number for m, _ in report.imported] == ["msg0001"]
    assert report.broken == [problem]
    [failed] = report.failed
    assert failed.path.endswith("msg0000.txt")
    assert "database went away" in failed.reason
    assert report.summary() == ("imported 1, already present 0, broken 1, failed 1, too recent 0")


def test_recording_slot() -> None:
    assert recording_slot(LIVE_PATH) == ("hotline", "12345", "INBOX", "msg0000")
    assert recording_slot(LIVE_PATH.removesuffix(".wav")) == (
        "hotline",
        "12345",
        "INBOX",
        "msg0000",
    )
    assert recording_slot("/tmp/x.wav") is None
    assert recording_slot("a/b/c/notmsg.wav") is None
    assert replace(message(), folder="Old").slot == ("hotline", "12345", "Old", "msg0000")
