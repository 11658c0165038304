"""Turn :mod:`core.callsim`'s ground-truth timeline into scripts the simulated PBX plays.

The call model decides *what* happens (arrivals, IVR choices, rings, answers, patience,
timeouts, pauses); this module only maps its records onto the lab dialplan's shapes.
"""

from __future__ import annotations

from core.callsim import AgentState, CallRecord, Outcome, Route, SimResult
from telephony.sim.script import (
    Agent,
    CallScript,
    PauseScript,
    RingAttempt,
    Scenario,
)
from telephony.sim.script import (
    Outcome as ScriptOutcome,
)

_DIVERTED_KEY = {"voicemail": "2", "online": "3", "callback": "3"}


def agent_number(name: str) -> str:
    """``"Agent 8001"`` → ``"8001"`` (the lab's MemberName convention)."""
    return name.rsplit(" ", 1)[-1]


def _script(no: int, call: CallRecord) -> CallScript:
    rings = tuple(
        RingAttempt(agent_number(r.agent), r.start, r.end, r.result == "answered")
        for r in call.rings
    )
    offered = call.route not in (None, Route.QUEUE)
    outcome = call.outcome
    if outcome is Outcome.IVR_HANGUP or outcome is None:
        return CallScript(
            no,
            call.caller,
            call.offered_at,
            key_at=call.ended_at,
            choice="",
            outcome="ivr_hangup",
            end_at=call.ended_at,
        )
    if outcome is Outcome.DIVERTED:
        key = _DIVERTED_KEY.get(call.destination or "", "2")
        kind: ScriptOutcome = "voicemail" if key == "2" else "online"
        at = call.ivr_leave if call.ivr_leave is not None else call.offered_at
        return CallScript(
            no,
            call.caller,
            call.offered_at,
            key_at=at,
            choice=key,
            outcome=kind,
            end_at=call.ended_at,
        )
    assert call.queue_join is not None
    mapping: dict[Outcome, ScriptOutcome] = {
        Outcome.ANSWERED: "answered",
        Outcome.ABANDONED: "abandoned",
        Outcome.TIMEOUT: "timeout",
        Outcome.EXIT_KEY: "exitkey",
    }
    leave = call.answered_at if outcome is Outcome.ANSWERED else call.left_queue_at
    end = call.talk_end if outcome is Outcome.ANSWERED and call.talk_end else call.ended_at
    return CallScript(
        no,
        call.caller,
        call.offered_at,
        key_at=call.queue_join,
        choice="1",
        outcome=mapping[outcome],
        end_at=end,
        join_at=call.queue_join,
        leave_at=leave,
        attempts=rings,
        hangup_by="agent" if call.hangup_by == "agent" else "caller",
        exit_key=call.exit_key or "2",
        busy_divert_offered=offered,
    )


def scenario_from_callsim(result: SimResult, agent_names: list[str]) -> Scenario:
    calls = [_script(i, call) for i, call in enumerate(result.calls)]
    pauses: list[PauseScript] = []
    open_pause: dict[str, tuple[float, str]] = {}
    for change in result.agent_changes:
        number = agent_number(change.agent)
        if change.paused and number not in open_pause:
            open_pause[number] = (change.t, change.reason)
        elif not change.paused and number in open_pause:
            start, reason = open_pause.pop(number)
            pauses.append(PauseScript(number, start, change.t, reason))
        if change.state is AgentState.LOGGED_OUT and number in open_pause:
            start, reason = open_pause.pop(number)
            pauses.append(PauseScript(number, start, change.t, reason))
    end = max((c.end_at for c in calls), default=0.0)
    pauses.extend(PauseScript(n, s, end, r) for n, (s, r) in open_pause.items())
    return Scenario([Agent(agent_number(n)) for n in agent_names], calls, pauses)
