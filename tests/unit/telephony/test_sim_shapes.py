"""The simulated PBX emits event sequences shaped like the real Asterisk 22 traces."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from telephony.ami_codec import AmiMessage, AmiStreamParser, iter_messages
from telephony.sim.pbx import Pbx
from telephony.sim.script import CallScript, RingAttempt, Scenario, agent_pool
from tests.conftest import shared_path

# The README's condensed view leaves these out; they are checked separately (proportion).
NOISE = {"VarSet", "Newexten", "RTCPSent", "DeviceStateChange", "NewConnectedLine"}
SESSION = {"FullyBooted", "SuccessfulAuth"}
# Events whose position relative to their neighbours differs between the real traces
# themselves (Asterisk threads race): compared as counts, not as positions.
RACY = {"DialState", "QueueMemberStatus", "Cdr"}

AGENTS = agent_pool(4)
# One script per trace, timed like the recording (seconds from the call's arrival).
SCRIPTS: dict[str, CallScript] = {
    "01-answered-caller-hangup": CallScript(
        0, "13800131", 0, 2, "1", "answered", 18, join_at=2, leave_at=5,
        attempts=(RingAttempt("8001", 2, 5, True),),
    ),
    "01b-answered-agent-hangup": CallScript(
        0, "13800131", 0, 2, "1", "answered", 13, join_at=2, leave_at=5,
        attempts=(RingAttempt("8002", 2, 5, True),), hangup_by="agent",
    ),
    "02-abandon-in-queue": CallScript(
        0, "13800131", 0, 3, "1", "abandoned", 24, join_at=3, leave_at=24,
        attempts=(RingAttempt("8003", 3, 18), RingAttempt("8004", 20, 24)),
    ),
    "03-queue-timeout-to-voicemail": CallScript(
        0, "13800131", 0, 3, "1", "timeout", 60, join_at=3, leave_at=43,
        attempts=(
            RingAttempt("8001", 3, 18),
            RingAttempt("8002", 20, 35),
            RingAttempt("8003", 37, 43),
        ),
    ),
    "03b-exit-queue-with-key-to-voicemail": CallScript(
        0, "13800131", 0, 3, "1", "exitkey", 25, join_at=3, leave_at=12,
        attempts=(RingAttempt("8004", 3, 12),),
    ),
    "04-ivr-online-channel": CallScript(0, "13800131", 0, 2, "3", "online", 6),
}  # fmt: skip


def _trace(name: str) -> list[AmiMessage]:
    data = shared_path("ami-traces", f"{name}.rx.raw").read_bytes()
    return [m for m in iter_messages(data) if isinstance(m, AmiMessage) and m.event]


def _render(scenario: Scenario) -> tuple[list[AmiMessage], list[str]]:
    frames: list[str] = []
    qlog: list[str] = []
    Pbx(scenario, 1795241705, frames.append, qlog.append).run_until(1e9)
    parser = AmiStreamParser(expect_banner=False)
    messages = parser.feed("".join(frames).encode())
    assert parser.take_issues() == []
    return messages, qlog


def _names(messages: list[AmiMessage], drop: set[str]) -> list[str]:
    return [m.event or "" for m in messages if m.event not in drop]


@pytest.mark.parametrize("trace", sorted(SCRIPTS))
def test_call_flow_order_equals_the_trace(trace: str) -> None:
    real = _trace(trace)
    sim, _ = _render(Scenario(AGENTS, [SCRIPTS[trace]]))
    drop = NOISE | SESSION | RACY
    assert _names(sim, drop) == _names(real, drop)
    racy = Counter(_names([m for m in sim if m.event in RACY], set()))
    assert racy == Counter(_names([m for m in real if m.event in RACY], set()))


@pytest.mark.parametrize("trace", sorted(SCRIPTS))
def test_queue_log_lines_equal_the_trace_apart_from_ids_and_times(trace: str) -> None:
    real = shared_path("ami-traces", f"{trace}.queue_log").read_text().splitlines()
    _, sim = _render(Scenario(AGENTS, [SCRIPTS[trace]]))

    def shape(line: str) -> list[str]:
        parts = line.split("|")
        del parts[0:2]  # epoch, callid
        if parts[2] == "CONNECT":
            parts[4] = "<agent uniqueid>"
        if parts[2] in ("RINGCANCELED",):
            parts[3] = "<ms>"  # the recording's cancel came mid-second
        return parts

    assert [shape(x) for x in sim] == [shape(x) for x in real]


def _header_orders(messages: list[AmiMessage]) -> dict[str, set[tuple[str, ...]]]:
    out: dict[str, set[tuple[str, ...]]] = {}
    for m in messages:
        out.setdefault(m.event or "", set()).add(tuple(k for k, _ in m.headers))
    return out


def test_every_emitted_event_has_a_header_order_seen_on_the_real_asterisk() -> None:
    real: dict[str, set[tuple[str, ...]]] = {}
    for path in sorted(Path(shared_path("ami-traces")).glob("0*.rx.raw")):
        for event, orders in _header_orders(_trace(path.name.removesuffix(".rx.raw"))).items():
            real.setdefault(event, set()).update(orders)
    sim: dict[str, set[tuple[str, ...]]] = {}
    for script in SCRIPTS.values():
        for event, orders in _header_orders(_render(Scenario(AGENTS, [script]))[0]).items():
            sim.setdefault(event, set()).update(orders)
    unknown = {e: o for e, o in sim.items() if e in real and not o <= real[e]}
    assert unknown == {}
    assert set(sim) - set(real) == set()


def test_noise_share_is_realistic() -> None:
    """In the 20-call trace 2,164 of 2,979 events are VarSet/Newexten (73 %)."""
    real = _trace("06-concurrent-20-calls")
    real_share = sum(m.event in ("VarSet", "Newexten") for m in real) / len(real)
    sim: list[AmiMessage] = []
    for script in SCRIPTS.values():
        sim.extend(_render(Scenario(AGENTS, [script]))[0])
    share = sum(m.event in ("VarSet", "Newexten") for m in sim) / len(sim)
    assert abs(share - real_share) < 0.1, (share, real_share)


def test_ids_look_like_asterisk() -> None:
    sim, _ = _render(Scenario(AGENTS, [SCRIPTS["01-answered-caller-hangup"]]))
    caller = next(m for m in sim if m.event == "Newchannel")
    agent_leg = [m for m in sim if m.event == "Newchannel"][1]
    assert caller["Uniqueid"] == caller["Linkedid"] == "1795241705.0"
    assert caller["Channel"] == "PJSIP/pstn-00000000"
    assert agent_leg["Linkedid"] == "1795241705.0"
    assert agent_leg["Uniqueid"] == "1795241707.1"
    assert agent_leg["Channel"] == "PJSIP/agent8001-00000001"
