"""What the simulated PBX is told to play: per-call scripts (a call model's ground-truth
timeline, in seconds from the start of the run) and agent pauses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal[
    "answered", "abandoned", "timeout", "exitkey", "online", "voicemail", "ivr_hangup"
]


@dataclass(frozen=True, slots=True)
class Agent:
    number: str  # "8001"

    @property
    def name(self) -> str:
        return f"Agent {self.number}"

    @property
    def interface(self) -> str:
        return f"PJSIP/agent{self.number}"


def agent_pool(count: int) -> list[Agent]:
    return [Agent(str(8001 + i)) for i in range(count)]


@dataclass(frozen=True, slots=True)
class RingAttempt:
    """One member rung for a queued caller; ``end`` is when it stopped ringing."""

    agent: str
    start: float
    end: float
    answered: bool = False


@dataclass(frozen=True, slots=True)
class CallScript:
    call_no: int
    caller: str
    arrival: float
    key_at: float  # IVR digit pressed
    choice: str  # "1" queue, "2" voicemail, "3" online channels
    outcome: Outcome
    end_at: float
    join_at: float | None = None
    leave_at: float | None = None
    attempts: tuple[RingAttempt, ...] = ()
    hangup_by: Literal["caller", "agent"] = "caller"
    exit_key: str = "2"  # key pressed to leave the queue (2 voicemail, 3 online)
    busy_divert_offered: bool = False  # hotline-busy menu played before queueing


@dataclass(frozen=True, slots=True)
class PauseScript:
    agent: str
    start: float
    end: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    agents: list[Agent]
    calls: list[CallScript]
    pauses: list[PauseScript] = field(default_factory=list)

    @property
    def duration(self) -> float:
        ends = [c.end_at for c in self.calls] + [p.end for p in self.pauses]
        return max(ends, default=0.0)
