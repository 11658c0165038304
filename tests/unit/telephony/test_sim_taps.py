"""The simulated PBX renders an ASR tap's own channels (the Local pair running AudioSocket()
and ChanSpy()) as the real Asterisk did in trace 09, and hangs them up as Asterisk would when
the spied leg ends, when the AudioSocket connection fails, or on an AMI Hangup."""

from __future__ import annotations

from telephony.ami_codec import AmiMessage, AmiStreamParser
from telephony.sim.pbx import Pbx
from telephony.sim.script import CallScript, RingAttempt, Scenario, agent_pool
from telephony.sim.taps import SimTap, TapRequest
from tests.sim_tap_support import TRACE_UUID, names, tap_shapes, trace_09_tap_shapes

# trace 09's call: 13800131 queued, agent 8003 answers after 2 s, the caller hangs up
CALL = CallScript(
    0, "13800131", 0, 2, "1", "answered", 22, join_at=2, leave_at=4,
    attempts=(RingAttempt("8003", 2, 4, True),),
)  # fmt: skip


def _request(target: str, one_id: str = "", two_id: str = "") -> TapRequest:
    return TapRequest(
        local="Local/tap@asr-test/n",
        context="asr-test",
        exten="audiosocket",
        one_id=one_id,
        two_id=two_id,
        variables=(
            ("SPY_TARGET", target),
            ("SPY_OPTIONS", "qES"),
            ("ASR_UUID", TRACE_UUID),
            ("ASR_SERVICE", "127.0.0.1:9092"),
        ),
        action_id="09-2",
    )


def _tapped(one_id: str = "", two_id: str = "") -> tuple[Pbx, list[str], SimTap]:
    frames: list[str] = []
    pbx = Pbx(Scenario(agent_pool(4), [CALL]), 1795242481, frames.append, lambda _: None)
    pbx.run_until(5)  # answered
    caller = pbx.calls[0].caller
    return pbx, frames, pbx.taps.start(_request(caller.name, one_id, two_id), caller)


def _parse(frames: list[str]) -> list[AmiMessage]:
    parser = AmiStreamParser(expect_banner=False)
    messages = parser.feed("".join(frames).encode())
    assert parser.take_issues() == []
    return messages


def test_tap_channel_events_equal_trace_09() -> None:
    pbx, frames, _ = _tapped()
    pbx.run_until(1e9)  # the caller hangs up at t=22
    sim = tap_shapes(_parse(frames), pbx.calls[0].caller.name)
    assert sim == trace_09_tap_shapes()


def test_channel_ids_and_linkedid() -> None:
    pbx, frames, tap = _tapped("asr-x", "asr-x-spy")
    assert (tap.one.name, tap.two.name) == (
        "Local/tap@asr-test-00000000;1",
        "Local/tap@asr-test-00000000;2",
    )
    # ChannelId / OtherChannelId are the Uniqueids; the tap is its own call (trace 09)
    assert (tap.one.uniqueid, tap.two.uniqueid) == ("asr-x", "asr-x-spy")
    assert tap.one.linkedid == tap.two.linkedid == "asr-x" != pbx.calls[0].caller.linkedid
    assert {"asr-x", "asr-x-spy"} <= set(pbx.channels)
    pbx.run_until(1e9)
    hangups = [(m["Uniqueid"], m["Cause"]) for m in _parse(frames) if m.event == "Hangup"]
    caller = pbx.calls[0].caller.uniqueid
    assert hangups[hangups.index((caller, "16")) :][:3] == [
        (caller, "16"),
        ("asr-x-spy", "16"),  # right after the spied leg, ;2 first (trace 09)
        ("asr-x", "16"),
    ]
    assert not pbx.channels
    assert not pbx.taps.taps


def test_a_lost_audiosocket_hangs_the_tap_up_before_the_leg() -> None:
    pbx, frames, tap = _tapped("asr-x", "asr-x-spy")
    pbx.run_until(10)
    del frames[:]
    pbx.taps.socket_lost(tap)  # the ASR service dropped the connection
    lost = _parse(frames)
    assert names(tap_shapes(lost, "-")) == [
        "Cdr",
        "SoftHangupRequest",
        "HangupRequest",
        "Hangup",
        "ChanSpyStop",
        "Cdr",
        "DeviceStateChange",
        "SoftHangupRequest",
        "Hangup",
        "DeviceStateChange",
    ]
    hangups = [(m["Uniqueid"], m["Cause"]) for m in lost if m.event == "Hangup"]
    assert hangups == [("asr-x", "16"), ("asr-x-spy", "16")]  # the AudioSocket half leads
    assert "Hangup" not in {m.get("Application") for m in lost}  # AudioSocket() returned -1
    del frames[:]
    pbx.taps.socket_lost(tap)  # once only
    pbx.run_until(1e9)  # the call itself goes on to its normal end
    rest = _parse(frames)
    assert not [m for m in rest if (m.get("Channel") or "").startswith("Local/")]
    assert [m["Reason"] for m in rest if m.event == "AgentComplete"] == ["caller"]


def test_an_ami_hangup_of_the_spy_half_leads_with_its_cause() -> None:
    pbx, frames, _ = _tapped("asr-x", "asr-x-spy")
    del frames[:]
    assert pbx.taps.hang_up("asr-x-spy", 16)
    assert not pbx.taps.hang_up("asr-x-spy", 16)
    got = _parse(frames)
    assert names(tap_shapes(got, "-"))[:2] == ["ChanSpyStop", "Cdr"]
    assert [m["Uniqueid"] for m in got if m.event == "Hangup"] == ["asr-x-spy", "asr-x"]


def test_without_taps_nothing_changes() -> None:
    frames: list[str] = []
    Pbx(Scenario(agent_pool(4), [CALL]), 1795242481, frames.append, lambda _: None).run_until(1e9)
    assert not [m for m in _parse(frames) if "Local/" in (m.get("Channel") or "")]
