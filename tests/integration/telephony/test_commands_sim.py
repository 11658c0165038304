"""Agent/call commands against the PBX simulator over TCP, including Asterisk's refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.clock import SystemClock
from core.errors import ConflictError, NotFoundError, ValidationError
from telephony.ami_client import AmiClient, AmiConfig
from telephony.ami_codec import AmiMessage
from telephony.commands import AgentCommands
from telephony.errors import (
    ChannelNotFoundError,
    InterfaceAlreadyInQueueError,
    InterfaceNotFoundError,
    InterfaceNotInQueueError,
    OriginateFailedError,
)
from telephony.sim.script import CallScript, RingAttempt, Scenario, agent_pool
from telephony.sim.server import SimServer

# One call that waits in the queue from t=2 (ringing nobody), so its channel is live.
CALL = CallScript(
    0,
    "13800131",
    0,
    2,
    "1",
    "answered",
    300,
    join_at=2,
    leave_at=200,
    attempts=(RingAttempt("8001", 150, 200, True),),
)


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[SimServer]:
    server = SimServer(
        Scenario(agent_pool(4), [CALL]), base_epoch=1795241705, queue_log=tmp_path / "queue_log"
    )
    await server.start()
    server.pbx.run_until(10)  # the caller is queued; nothing is played by wall time
    yield server
    await server.stop()


@pytest.fixture
async def client(sim: SimServer) -> AsyncIterator[AmiClient]:
    c = AmiClient(
        AmiConfig(port=sim.port, secret=sim.secret, auth="md5", action_timeout_s=5), SystemClock()
    )
    c.start()
    await c.wait_connected(5)
    yield c
    await c.stop()


async def _next_event(client: AmiClient, name: str) -> AmiMessage:
    async with asyncio.timeout(60):  # a hang guard, not a timing assertion
        while True:
            item = await client.queue.get()
            if isinstance(item, AmiMessage) and item.event == name:
                return item


async def test_login_logout_and_their_refusals(sim: SimServer, client: AmiClient) -> None:
    cmd = AgentCommands(client)
    await cmd.login(
        "Local/8005@agents-out/n",
        member_name="Agent 8005 (remote)",
        state_interface="Custom:agent8005",
        penalty=1,
        paused=True,
    )
    added = await _next_event(client, "QueueMemberAdded")
    assert (added["Interface"], added["Paused"], added["Membership"]) == (
        "Local/8005@agents-out/n",
        "1",
        "dynamic",
    )
    with pytest.raises(InterfaceAlreadyInQueueError) as already:
        await cmd.login("Local/8005@agents-out/n")
    assert already.value.code == "telephony.interface_already_in_queue"
    assert isinstance(already.value, ConflictError)
    await cmd.logout("Local/8005@agents-out/n")
    with pytest.raises(InterfaceNotInQueueError) as gone:
        await cmd.logout("Local/8005@agents-out/n")
    assert gone.value.code == "telephony.interface_not_in_queue"
    assert gone.value.details["asterisk_message"] == "Unable to remove interface: Not there"
    lines = sim.queue_log_path.read_text().splitlines()
    assert [ln.split("|")[4:] for ln in lines[-2:]] == [
        ["ADDMEMBER", "PAUSED"],
        ["REMOVEMEMBER", ""],
    ]


async def test_pause_with_reason_and_unknown_interface(sim: SimServer, client: AmiClient) -> None:
    cmd = AgentCommands(client)
    await cmd.pause("PJSIP/agent8002", "training")
    paused = await _next_event(client, "QueueMemberPause")
    assert (paused["MemberName"], paused["Paused"], paused["PausedReason"]) == (
        "Agent 8002",
        "1",
        "training",
    )
    await cmd.unpause("PJSIP/agent8002")
    unpaused = await _next_event(client, "QueueMemberPause")
    assert unpaused["Paused"] == "0"
    with pytest.raises(InterfaceNotFoundError) as missing:
        await cmd.pause("PJSIP/agent9999", "lunch")
    assert missing.value.code == "telephony.interface_not_found"
    assert isinstance(missing.value, NotFoundError)
    status = await client.action("QueueStatus", {"Queue": "hotline", "Member": "PJSIP/agent8002"})
    member = next(m for m in status if m.event == "QueueMember")
    assert member["Paused"] == "0"


async def test_hangup_and_transfer_need_a_live_channel(sim: SimServer, client: AmiClient) -> None:
    cmd = AgentCommands(client)
    caller = next(iter(sim.pbx.channels.values())).name
    await cmd.blind_transfer(caller, "110", "emergency-handoff")
    await cmd.hangup(caller)
    for call in (cmd.hangup("PJSIP/pstn-deadbeef"), cmd.blind_transfer("PJSIP/nope-1", "1", "x")):
        with pytest.raises(ChannelNotFoundError) as err:
            await call
        assert err.value.code == "telephony.channel_not_found"
    with pytest.raises(ValidationError):
        await cmd.hangup("PJSIP/x\r\nAction: Logoff")


async def test_originate_callback(sim: SimServer, client: AmiClient) -> None:
    cmd = AgentCommands(client)
    result = await cmd.originate_callback(
        "PJSIP/agent8001",
        context="hotline-online",
        ticket="cb-ticket-0001",
        variables={"CALLBACK_TICKET": "GD20261121-0001"},
    )
    assert (result.uniqueid, result.reason) == ("cb-ticket-0001", "4")
    with pytest.raises(OriginateFailedError) as failed:
        await cmd.originate_callback("PJSIP/nosuchendpoint", context="hotline-online", ticket="t2")
    assert failed.value.code == "telephony.originate_failed"
    assert failed.value.details["reason"] == "0"


async def test_queue_status_shows_the_waiting_caller(sim: SimServer, client: AmiClient) -> None:
    replies = await client.action("QueueStatus", {"Queue": "hotline"})
    assert replies[0]["Message"] == "Queue status will follow"
    entry = next(m for m in replies if m.event == "QueueEntry")
    assert (entry["Position"], entry["CallerIDNum"], entry["Wait"]) == ("1", "13800131", "8")
    done = replies[-1]
    assert done.event == "QueueStatusComplete"
    assert done["ListItems"] == str(len(replies) - 2)
    channels = await client.action("CoreShowChannels")
    assert [m["Uniqueid"] for m in channels if m.event == "CoreShowChannel"] == [entry["Uniqueid"]]
