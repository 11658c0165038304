"""A supervisor's AMI Hangup / Redirect, sent with AgentCommands over TCP, changes the
simulated calls; the real bridge (its event log, queue_log reconciliation) then records the
same outcomes as the simulator's ground truth."""

from __future__ import annotations

from pathlib import Path

from core.call_records import build_call_records
from core.calls import from_stored
from telephony.ami_client import AmiClient, AmiConfig
from telephony.commands import AgentCommands
from telephony.queue_log_tail import QueueLogTail
from telephony.sim.harness import SimClock, memory_bridge
from telephony.sim.memory import MemoryCallEventStore
from telephony.sim.script import CallScript, RingAttempt, Scenario, agent_pool
from telephony.sim.server import SimServer
from tests.waiting import wait_until

CALLS = [
    # answered by 8001 at t=5, would talk until 120
    CallScript(
        0, "13800131", 0, 2, "1", "answered", 120, join_at=2, leave_at=5,
        attempts=(RingAttempt("8001", 2, 5, True),),
    ),
    # queued from t=3 ringing 8002, would time out at 43 and leave a voicemail
    CallScript(
        1, "13800132", 1, 3, "1", "timeout", 70, join_at=3, leave_at=43,
        attempts=(RingAttempt("8002", 3, 18), RingAttempt("8002", 20, 35)),
    ),
    # in the IVR until t=30, then voicemail
    CallScript(2, "13800133", 2, 30, "2", "voicemail", 60),
    # queued from t=4 ringing 8003, would time out at 44: a supervisor moves it to voicemail
    CallScript(
        3, "13800134", 3, 4, "1", "timeout", 70, join_at=4, leave_at=44,
        attempts=(RingAttempt("8003", 4, 19), RingAttempt("8003", 21, 36)),
    ),
]  # fmt: skip
# what the bridge's call record must say (truth outcome → record outcome)
RECORD = {"answered": "answered", "abandoned": "abandoned", "online": "online"}


async def test_hangup_and_redirect_change_the_calls_and_the_bridge_agrees(
    tmp_path: Path,
) -> None:
    qlog = tmp_path / "queue_log"
    server = SimServer(
        Scenario(agent_pool(4), CALLS), base_epoch=1795241705, queue_log=qlog, speed=10
    )
    await server.start()
    clock = SimClock(server)
    client = AmiClient(
        AmiConfig(port=server.port, secret=server.secret, auth="md5", action_timeout_s=5), clock
    )
    store = MemoryCallEventStore()
    bridge = memory_bridge(client, clock, store, queue_log=QueueLogTail(qlog))
    try:
        bridge.start()
        await client.wait_connected(10)
        server.play()
        await wait_until(lambda: server.pbx.now >= 15, "t=15: talking, queued, in the IVR")
        calls = server.pbx.calls
        cmd = AgentCommands(client)
        await cmd.hangup(calls[0].caller.name)  # a supervisor ends the answered call
        await cmd.hangup(calls[1].caller.name)  # …and a waiting one
        await cmd.blind_transfer(calls[2].caller.name, "s", "hotline-online")
        await cmd.blind_transfer(calls[3].caller.name, "s", "hotline-voicemail")
        at = server.pbx.now
        await server.finished.wait()
        await bridge.drain()
        await bridge.reconcile_now()
        await bridge.drain()
    finally:
        await bridge.stop()
        await server.stop()

    truth = {t.linkedid: t for t in server.truth}
    outcomes = [t.outcome for t in server.truth]
    assert outcomes == ["answered", "abandoned", "online", "abandoned"]
    answered, abandoned, online, redirected = server.truth
    assert answered.talk_s is not None
    assert answered.talk_s < 120 - 5  # cut short
    assert abandoned.wait_s is not None
    assert abandoned.wait_s < 40
    assert not online.queued
    assert server.pbx.now < 120  # the scripted ends never played
    records = build_call_records([from_stored(e) for e in store.events])
    got = {linkedid: records[linkedid].outcome.value for linkedid in truth}
    assert got == {linkedid: RECORD[t.outcome] for linkedid, t in truth.items()}
    assert records[answered.linkedid].talk_s == answered.talk_s
    assert records[abandoned.linkedid].wait_s == abandoned.wait_s
    lines = qlog.read_text().splitlines()
    assert any(f"|{answered.linkedid}|" in x and "|COMPLETECALLER|" in x for x in lines)
    assert any(f"|{abandoned.linkedid}|" in x and "|ABANDON|" in x for x in lines)
    # redirected out of the queue: ABANDON in queue_log, abandoned in the bridge's records too
    assert any(f"|{redirected.linkedid}|" in x and "|ABANDON|" in x for x in lines)
    assert records[redirected.linkedid].wait_s == redirected.wait_s
    assert [d.value for d in records[redirected.linkedid].diversions] == ["voicemail"]
    assert at >= 15
