"""Data types of the call-centre simulator (:mod:`core.callsim`): its configuration, the
live-state snapshot handed to the diversion hook, and the ground-truth timeline it produces.

Times inside a run are **seconds since** :attr:`CallSimConfig.start` (floats); use
:meth:`SimResult.when` to turn one into an aware datetime. Everything here is stdlib only.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

# A typical 12345 day (share of the daily volume per hour of day, Asia/Shanghai): quiet at
# night, a morning peak 9-11, a second peak 14-17. Sums to 1.
DAILY_SHARE: tuple[float, ...] = (
    0.006, 0.004, 0.003, 0.003, 0.004, 0.008, 0.015, 0.030,
    0.062, 0.085, 0.082, 0.070, 0.050, 0.052, 0.075, 0.078,
    0.072, 0.062, 0.050, 0.042, 0.035, 0.028, 0.018, 0.018,
)  # fmt: skip


def curve_for_daily_volume(calls_per_day: float) -> tuple[float, ...]:
    """Arrival rate (calls per hour) for each hour of day, for a day of ``calls_per_day``."""
    total = sum(DAILY_SHARE)
    return tuple(calls_per_day * share / total for share in DAILY_SHARE)


def flat_curve(calls_per_hour: float) -> tuple[float, ...]:
    """The same rate every hour (handy for steady-state benches and Little's-law checks)."""
    return (calls_per_hour,) * 24


class Route(StrEnum):
    """What the diversion hook decides for a call at IVR time (the caller's final choice)."""

    QUEUE = "queue"  # no offer: straight into the queue (the GB/T 33358 default)
    KEEP_WAITING = "keep_waiting"  # an offer was made; the caller chose to stay → queue
    VOICEMAIL = "voicemail"  # 留言
    ONLINE = "online"  # SMS link to the web/WeChat channel
    CALLBACK = "callback"  # the hotline calls back later
    HANGUP = "hangup"  # the caller hung up while the offer menu played


class Outcome(StrEnum):
    """Exactly one per call."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"  # hung up while queued (ABANDON)
    TIMEOUT = "timeout"  # queue time limit (EXITWITHTIMEOUT) → voicemail
    EXIT_KEY = "exit_key"  # pressed a key while queued (EXITWITHKEY) → voicemail/online
    DIVERTED = "diverted"  # diverted at IVR time (voicemail/online/callback)
    IVR_HANGUP = "ivr_hangup"  # hung up in the greeting or an offer menu


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RINGING = "ringing"
    IN_CALL = "in_call"
    WRAPUP = "wrapup"


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """One agent (queue member). Talk time is log-normal with the given mean and coefficient
    of variation; the phone answers after a uniform delay in ``answer_delay_s``, or not at all
    with probability ``no_answer_prob`` (→ RINGNOANSWER after the ring timeout)."""

    name: str
    talk_mean_s: float = 180.0
    talk_cv: float = 0.6
    answer_delay_s: tuple[float, float] = (1.0, 4.0)
    no_answer_prob: float = 0.0
    login_s: float = 0.0
    logout_s: float | None = None  # None: stays logged in; else logs out after the current call


@dataclass(frozen=True, slots=True)
class AgentPause:
    """A scheduled pause (QueuePause with Reason) of ``agent`` from ``at_s`` for ``duration_s``."""

    agent: str
    at_s: float
    duration_s: float
    reason: str = "break"


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """What the IVR can see when it decides (the live-state queue document, plus the call)."""

    call_id: str
    caller: str
    t: float
    now: datetime
    waiting: int  # callers in the queue now
    available: int  # logged in, not paused, idle
    logged_in: int
    paused: int
    busy: int  # ringing, in call or in wrap-up
    aht_recent_s: float  # mean talk + wrap-up of the last completed calls (or the prior)
    longest_wait_s: float
    estimated_wait_s: float  # simple estimate, see :func:`core.callsim.simple_ewt`


DiversionHook = Callable[[LiveSnapshot, random.Random], Route]


@dataclass(frozen=True, slots=True)
class CallSimConfig:
    """Everything a run needs. Defaults follow the lab queues.conf (timeout=15, retry=2,
    wrapuptime=3, Queue(...,40))."""

    start: datetime  # aware; hour-of-day of the arrival curve is taken in this datetime's zone
    duration_s: float  # arrivals stop after this; calls in progress are played to the end
    arrivals_per_hour: tuple[float, ...]  # 24 rates (calls/hour) indexed by hour of day
    agents: tuple[AgentSpec, ...]
    seed: int = 1
    greeting_s: float = 4.0  # the short greeting before the queue
    ivr_hangup_prob: float = 0.01  # hangs up during the greeting
    offer_s: float = 8.0  # time to hear a diversion offer and press a key
    ring_timeout_s: float = 15.0  # queues.conf timeout
    retry_s: float = 2.0  # queues.conf retry
    wrapup_s: float = 3.0  # queues.conf wrapuptime
    queue_timeout_s: float | None = 40.0  # Queue(...,40); None = wait for ever
    patience_mean_s: float | None = 90.0  # exponential patience in queue; None = infinite
    key_exit_prob: float = 0.0  # share of queued callers who would press a key at some point
    key_exit_mean_s: float = 30.0  # exponential time after joining at which they press
    key_exit_online_share: float = 0.5  # of key exits: online (key 3), else voicemail (key 2)
    caller_hangup_share: float = 0.6  # share of answered calls ended by the caller
    voicemail_s: float = 40.0  # time spent leaving a message
    goodbye_s: float = 6.0  # SMS / callback confirmation prompt before hang-up
    aht_prior_s: float = 183.0  # recent AHT used before any call completed
    aht_window: int = 20  # completed calls in the recent AHT
    pauses: tuple[AgentPause, ...] = ()
    policy: DiversionHook | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("CallSimConfig.start must be timezone-aware")
        if len(self.arrivals_per_hour) != 24:
            raise ValueError("arrivals_per_hour needs 24 values (one per hour of day)")
        if any(rate < 0 for rate in self.arrivals_per_hour):
            raise ValueError("arrival rates must be ≥ 0")
        names = [agent.name for agent in self.agents]
        if len(set(names)) != len(names):
            raise ValueError("agent names must be unique")
        unknown = {pause.agent for pause in self.pauses} - set(names)
        if unknown:
            raise ValueError(f"pauses name unknown agents: {sorted(unknown)}")


@dataclass(slots=True)
class Ring:
    """One attempt to ring a member for a caller (AgentCalled … AgentConnect/RingNoAnswer)."""

    agent: str
    start: float
    end: float = 0.0
    result: str = ""  # "answered" | "no_answer" | "canceled"


@dataclass(slots=True)
class CallRecord:
    """Ground truth for one call. ``None`` = the call never reached that step."""

    call_id: str
    caller: str
    offered_at: float
    ivr_enter: float
    ivr_leave: float | None = None
    route: Route | None = None  # decision of the diversion hook (None: hung up before it)
    estimated_wait_s: float | None = None  # the snapshot's estimate when the hook ran
    queue_join: float | None = None
    join_position: int | None = None
    rings: list[Ring] = field(default_factory=list)
    answered_at: float | None = None
    agent: str | None = None
    talk_end: float | None = None
    hangup_by: str | None = None  # "caller" | "agent"
    left_queue_at: float | None = None  # abandon / timeout / key exit time
    leave_position: int | None = None
    exit_key: str | None = None  # "2" voicemail, "3" online
    outcome: Outcome | None = None
    destination: str | None = None  # voicemail / online / callback when not answered
    ended_at: float = 0.0

    @property
    def wait_s(self) -> float | None:
        """Seconds in queue until answered or left (None if never queued)."""
        if self.queue_join is None:
            return None
        end = self.answered_at if self.answered_at is not None else self.left_queue_at
        return None if end is None else end - self.queue_join


@dataclass(frozen=True, slots=True)
class AgentChange:
    """An agent state change (state and pause flag after the change)."""

    t: float
    agent: str
    state: AgentState
    paused: bool
    reason: str = ""
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class SimResult:
    start: datetime
    calls: tuple[CallRecord, ...]
    agent_changes: tuple[AgentChange, ...]

    def when(self, t: float) -> datetime:
        return self.start + timedelta(seconds=t)

    def by_outcome(self, outcome: Outcome) -> list[CallRecord]:
        return [call for call in self.calls if call.outcome is outcome]
