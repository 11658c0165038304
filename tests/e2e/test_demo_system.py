"""The demo's components in one process on SQLite, with the PBX simulator at compressed time:
a few hundred calls through the IVR's diversion policy, AMI over TCP, the real bridge.

Checks what the product promises: call events stored, live state populated, KPIs recomputed
from the stored log equal the simulator's ground truth, voicemail diversions became
work-order drafts (with transcription jobs and callback tasks), online diversions filled the
SMS outbox, call records are served by GET /calls."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import httpx

from agent_api.app import create_app
from core.call_kpi import KpiSettings, kpis_from_events
from core.calls import CALL_EVENT_TYPES, CallCompleted, from_stored
from hotline.bootstrap import build_container
from hotline.commands.calls import export_lines
from hotline.components import RunningSim, SimOptions, demo_components
from hotline.serving import BASE_DEMO_COMPONENTS
from hotline.settings import Settings
from hotline.telephony_wiring import IntakeSubscriber, TelephonyLink
from telephony.sim.harness import SHORT_ABANDON_S, SL_S, Figures, truth_figures

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
FAR = datetime(2100, 1, 1, tzinfo=UTC)
GUARD_S = 120.0  # hang guard, not a timing assertion
CALLS = 300


async def test_demo_components_run_a_simulated_day_part(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        log_level="WARNING",
        asr={"audiosocket_port": 0, "models_dir": tmp_path / "models"},
        ivr={"agi_port": 0},
        classifier={"model_dir": tmp_path / "no-classifier"},
    )
    sim = SimOptions(calls_per_hour=900, agents=8, speed=200, max_calls=CALLS, seed=3)
    container = build_container(settings)
    await container.start()
    try:
        for _, component in [*BASE_DEMO_COMPONENTS, *demo_components(sim)]:
            await component(container)
        running = container.extras["simulator"]
        link = container.extras["telephony"]
        intake = container.extras["intake"]
        assert isinstance(running, RunningSim)
        assert isinstance(link, TelephonyLink)
        assert isinstance(intake, IntakeSubscriber)
        await asyncio.wait_for(running.finished.wait(), GUARD_S)
        await link.bridge.drain(within_s=GUARD_S)
        await link.bridge.reconcile_now()
        await link.bridge.drain(within_s=GUARD_S)
        await link.recorder.flush()
        assert link.recorder.failures == 0

        stored = await container.call_events.between(EPOCH, FAR)
        events = [from_stored(e) for e in stored if e.name in CALL_EVENT_TYPES]
        assert len(events) > CALLS  # several events per call
        kpis = kpis_from_events(
            events, KpiSettings(short_abandon_s=SHORT_ABANDON_S, service_level_s=SL_S)
        )
        from_log = Figures(
            kpis.offered, kpis.answered, kpis.abandoned, kpis.service_level.exact, kpis.asa.mean
        )
        truth = truth_figures(running.server.truth)
        print("stored log:", from_log.rows(), "\nground truth:", truth.rows())
        assert from_log == truth
        assert truth.offered > 0
        assert truth.answered > 0

        queues = await container.live.all("queues")
        agents = await container.live.all("agents")
        assert "hotline" in queues
        assert {f"PJSIP/agent{8001 + i}" for i in range(8)} <= set(agents)
        # the IVR's estimated wait gets the simulated calls' real AHT, not the 180 s default:
        # talk (AgentComplete TalkTime) + wrapuptime 3 of the last 20 completed calls
        done = sorted(
            (e for e in events if isinstance(e, CallCompleted)), key=lambda e: e.occurred_at
        )
        last = [e.talk_s + 3 for e in done[-20:]]
        assert len(done) > 20
        assert queues["hotline"]["aht_calls"] == 20
        assert queues["hotline"]["aht_recent_s"] == sum(last) / 20

        # diversions under load: voicemail → drafts (+ jobs, callbacks), online → SMS
        await asyncio.wait_for(intake.queue.join(), GUARD_S)
        voicemails = {e.linkedid for e in stored if e.name == "VoicemailLeft"}
        onlines = {
            e.linkedid
            for e in stored
            if e.name == "CallDiverted" and e.payload.get("target") == "online"
        }
        assert voicemails
        assert onlines
        assert intake.drafts == len(voicemails)
        assert intake.failures == 0
        jobs = await container.transcription_jobs.all()
        assert {j.call_id for j in jobs} == voicemails
        assert {j.status for j in jobs} == {"pending"}  # no model: recorded as pending
        for job in jobs[:5]:
            order = await container.orders.get(job.draft_id)
            assert order is not None
            assert order.status.value == "draft"
            assert order.channel.value == "voicemail"
            assert order.call_id == job.call_id
        callbacks = await container.callbacks.open_tasks(limit=1000)
        assert {t.call_id for t in callbacks} == voicemails
        outbox = await container.sms.outbox(limit=1000)
        assert {sms.call_id for _, sms, _ in outbox} == onlines

        # call records: one per call, served by the API with role checks
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            token = (
                await client.post(
                    "/api/v1/auth/login",
                    json={"username": "supervisor01", "password": "supervisor01-12345"},
                )
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            page = (await client.get("/api/v1/calls", headers=auth, params={"limit": 1})).json()
            offered = {e.linkedid for e in stored if e.name == "CallOffered"}
            assert page["total"] == len(offered)
            vm = sorted(voicemails)[0]
            detail = (await client.get(f"/api/v1/calls/{vm}", headers=auth)).json()
            assert detail["record"]["outcome"] in ("voicemail", "exit_key", "timeout")
            assert [o["status"] for o in detail["work_orders"]] == ["draft"]

            # the callback worklist: ring the agent through the (simulated) PBX
            tasks = (await client.get("/api/v1/callbacks", headers=auth)).json()
            assert len(tasks) == len(voicemails)
            refused = await client.post(
                f"/api/v1/callbacks/{tasks[0]['id']}/call",
                headers=auth,
                json={"endpoint": "PJSIP/nobody"},
            )
            assert refused.status_code == 503
            assert refused.json()["code"] == "telephony.originate_failed"
            called = await client.post(
                f"/api/v1/callbacks/{tasks[0]['id']}/call",
                headers=auth,
                json={"endpoint": "PJSIP/agent8001"},
            )
            assert called.status_code == 200, called.text
            assert called.json()["status"] == "done"
            assert called.json()["attempts"] == 2
            again = await client.post(
                f"/api/v1/callbacks/{tasks[0]['id']}/call",
                headers=auth,
                json={"endpoint": "PJSIP/agent8001"},
            )
            assert again.status_code == 409
    finally:
        await container.stop()

    # queue_log export from our stored timeline ≙ the simulated Asterisk's own queue_log
    exported = await export_lines(settings, EPOCH, FAR)
    simulated = (tmp_path / "sim" / "queue_log").read_text(encoding="utf-8").splitlines()
    assert _milestones(exported) == _milestones(simulated)
    assert sum(1 for v in _milestones(exported) if v[1] == "ENTERQUEUE") == truth.offered


QUEUE_VERBS = frozenset(
    {"ENTERQUEUE", "CONNECT", "ABANDON", "COMPLETECALLER", "COMPLETEAGENT", "EXITWITHTIMEOUT",
     "EXITWITHKEY"}
)  # fmt: skip


def _milestones(lines: list[str]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for line in lines:
        parts = line.split("|")
        if len(parts) > 4 and parts[4] in QUEUE_VERBS:
            out.add((parts[1], parts[4]))
    return out
