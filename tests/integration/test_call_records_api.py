"""Call records on SQLite and PostgreSQL: built from a replayed real AMI trace's events,
stored by the bridge's recorder, served by GET /calls (filters) and GET /calls/{linkedid}
(timeline, transcript, linked work orders) with role checks."""

from __future__ import annotations

from dataclasses import replace

from core.call_records import CallRecordReducer
from core.ports import TranscriptSegment, VoicemailReceived
from hotline.telephony_wiring import CallRecorder
from telephony.trace_replay import load_trace, translate_trace
from tests.conftest import shared_path
from tests.integration.api_client import ORDER, START, Api


async def _store_trace(api: Api, name: str) -> list[str]:
    events, _ = translate_trace(load_trace(shared_path("ami-traces"), name))
    recorder = CallRecorder(api.container.call_records)
    for event in events:
        await recorder.on_event(event)
    await recorder.flush()
    return sorted(CallRecordReducer().apply_all(events))


async def test_list_filter_and_detail(api: Api) -> None:
    linkedids = await _store_trace(api, "06-concurrent-20-calls")
    assert len(linkedids) >= 20
    everything = (await api.get("supervisor01", "/calls", limit=200)).json()
    assert everything["total"] == len(linkedids)
    outcomes = {r["outcome"] for r in everything["items"]}
    some = sorted(outcomes)[0]
    filtered = (await api.get("supervisor01", "/calls", outcome=some, limit=200)).json()
    assert filtered["total"] == sum(1 for r in everything["items"] if r["outcome"] == some)
    assert {r["outcome"] for r in filtered["items"]} == {some}
    first = everything["items"][-1]
    stored = await api.container.call_records.get(first["linkedid"])
    assert stored is not None
    number = stored["caller_number"]
    by_number = (await api.get("supervisor01", "/calls", number=number, limit=200)).json()
    assert first["linkedid"] in {r["linkedid"] for r in by_number["items"]}
    start = first["offered_at"]
    later = (await api.get("supervisor01", "/calls", **{"from": start}, limit=200)).json()
    assert 0 < later["total"] <= everything["total"]
    empty = (await api.get("supervisor01", "/calls", queue="no-such-queue")).json()
    assert empty["total"] == 0

    linkedid = first["linkedid"]
    await api.container.transcripts.add(
        TranscriptSegment(linkedid, "caller", 0, 1500, "小区停水三天了", True, 0.9)
    )
    order = (await api.post("agent01", "/work-orders", {**ORDER, "call_id": linkedid})).json()
    detail = (await api.get("supervisor01", f"/calls/{linkedid}")).json()
    assert detail["record"]["linkedid"] == linkedid
    assert detail["record"]["timeline"]  # the call's milestones, in order
    assert [s["text"] for s in detail["transcript"]] == ["小区停水三天了"]
    assert [o["id"] for o in detail["work_orders"]] == [order["id"]]


async def test_roles_and_errors(api: Api) -> None:
    linkedids = await _store_trace(api, "01-answered-caller-hangup")
    unit = await api.get("water01", "/calls")
    assert unit.status_code == 403
    assert unit.json()["code"] == "call.forbidden"
    trainer = (await api.get("trainer01", f"/calls/{linkedids[0]}")).json()
    assert "****" in trainer["record"]["caller_number"]  # no personal-data right: masked
    missing = await api.get("supervisor01", "/calls/nope.1")
    assert missing.status_code == 404
    assert missing.json()["code"] == "call.not_found"
    naive = await api.get("supervisor01", "/calls", **{"from": "2026-11-21T09:00:00"})
    assert naive.status_code == 422


async def test_callbacks_need_a_pbx_link_in_the_process(api: Api) -> None:
    voicemail = VoicemailReceived(
        call_id="1795241705.9",
        caller_number="13812345678",
        recording_path="/var/spool/asterisk/voicemail/hotline/12345/INBOX/msg0000.wav",
        received_at=START,
    )
    order = await api.container.voicemail_intake.receive(voicemail)
    again = await api.container.voicemail_intake.receive(replace(voicemail))
    assert again == order  # idempotent per call: one draft, one job, one task
    tasks = (await api.get("agent01", "/callbacks")).json()
    assert [(t["call_id"], t["draft_id"]) for t in tasks] == [("1795241705.9", order)]
    assert "****" in tasks[0]["caller_number"]
    assert (await api.get("water01", "/callbacks")).status_code == 403
    r = await api.post("agent01", f"/callbacks/{tasks[0]['id']}/call", {"endpoint": "PJSIP/a1"})
    assert r.status_code == 503
    assert r.json()["code"] == "callback.no_pbx"
    jobs = await api.container.transcription_jobs.all()
    assert [(j.call_id, j.status) for j in jobs] == [("1795241705.9", "pending")]
