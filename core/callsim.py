"""A pure, seeded discrete-event model of the hotline: IVR → queue → agents.

Use::

    from core.callsim import simulate, CallSimConfig, AgentSpec, flat_curve
    result = simulate(CallSimConfig(start=..., duration_s=3600, arrivals_per_hour=flat_curve(60),
                                    agents=(AgentSpec("Agent 8001"), AgentSpec("Agent 8002"))))

What happens to a call (mirrors the lab dialplan in ``../shared/ami-traces/README.md``):

1. **Offered** (Poisson arrivals; the rate follows a 24-value hour-of-day table, sampled by
   thinning). The caller enters the IVR and hears a short greeting (``greeting_s``); with
   ``ivr_hangup_prob`` they hang up during it (→ ``IVR_HANGUP``).
2. **Diversion hook** (``config.policy``), called when the greeting ends with a
   :class:`LiveSnapshot` and the run's ``random.Random`` (so a policy may model the caller's
   choice deterministically). It returns a :class:`Route`. ``QUEUE`` joins at once;
   any other route means an offer menu was played (``offer_s``) and the route is the caller's
   choice: ``KEEP_WAITING`` joins the queue, ``VOICEMAIL``/``ONLINE``/``CALLBACK`` end as
   ``DIVERTED``, ``HANGUP`` ends as ``IVR_HANGUP``. Without a policy every call queues.
3. **Queue** (FIFO, ``joinempty=yes``, ``autofill=yes``, ``ringinuse=no``, ``strategy=rrmemory``):
   each waiting caller not ringing and not in its retry pause rings the next idle, unpaused
   member after the last one rung. A member answers after a uniform delay or not at all;
   after ``ring_timeout_s`` unanswered it is RINGNOANSWER and the caller waits ``retry_s``.
   The caller leaves at the first of: patience (→ ``ABANDONED``), ``queue_timeout_s``
   (→ ``TIMEOUT``, to voicemail) or their key press (→ ``EXIT_KEY``, to voicemail or
   online); a ring in progress is then canceled.
4. **Talk** (log-normal per agent), ended by the caller or the agent, then the agent is in
   wrap-up for ``wrapup_s``. Pauses and shift logouts take effect when the agent is idle.

Same config + seed ⇒ identical result. No wall clock, no I/O.
"""

from __future__ import annotations

import functools
import heapq
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from core.callsim_model import (
    DAILY_SHARE,
    AgentChange,
    AgentPause,
    AgentSpec,
    AgentState,
    CallRecord,
    CallSimConfig,
    DiversionHook,
    LiveSnapshot,
    Outcome,
    Ring,
    Route,
    SimResult,
    curve_for_daily_volume,
    flat_curve,
)

__all__ = [
    "DAILY_SHARE",
    "AgentChange",
    "AgentPause",
    "AgentSpec",
    "AgentState",
    "CallRecord",
    "CallSimConfig",
    "DiversionHook",
    "LiveSnapshot",
    "Outcome",
    "Ring",
    "Route",
    "SimResult",
    "curve_for_daily_volume",
    "flat_curve",
    "simple_ewt",
    "simulate",
]


def simple_ewt(position: int, aht_s: float, available: int, staffed: int) -> float:
    """Naive estimated wait for a caller who would be at ``position`` (1-based).

    With an idle member the wait is ~0; otherwise each of the ``staffed`` (logged in, not
    paused) members frees up once per ``aht_s`` on average, so the caller is reached after
    ``position × aht ÷ staffed``. No staff at all → infinity. ``ivr_flows.ewt`` refines this.
    """
    if available >= position:
        return 0.0
    if staffed <= 0:
        return math.inf
    return (position - available) * aht_s / staffed


@dataclass(slots=True)
class _Agent:
    spec: AgentSpec
    state: AgentState = AgentState.LOGGED_OUT
    paused: bool = False
    pause_reason: str = ""
    logout_pending: bool = False
    call: CallRecord | None = None


@dataclass(slots=True)
class _Waiting:
    call: CallRecord
    ringing: _Agent | None = None
    retry_until: float = 0.0
    token: int = 0  # bumps on every ring so stale RING_END events are ignored


@dataclass(order=True, slots=True)
class _Event:
    t: float
    seq: int
    action: Callable[[], None] = field(compare=False)


class _Model:
    def __init__(self, config: CallSimConfig) -> None:
        self.cfg = config
        self.rng = random.Random(config.seed)
        self.now = 0.0
        self.heap: list[_Event] = []
        self.seq = 0
        self.agents = [_Agent(spec) for spec in config.agents]
        self.by_name = {agent.spec.name: agent for agent in self.agents}
        self.queue: list[_Waiting] = []
        self.calls: list[CallRecord] = []
        self.changes: list[AgentChange] = []
        self.recent_handle: deque[float] = deque(maxlen=config.aht_window)
        self.rr_next = 0  # rrmemory: index of the member after the last one rung

    # --- event plumbing ---------------------------------------------------------------
    def at(self, t: float, action: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.heap, _Event(t, self.seq, action))

    def run(self) -> SimResult:
        for agent in self.agents:
            self.at(agent.spec.login_s, functools.partial(self.login, agent))
            if agent.spec.logout_s is not None:
                self.at(agent.spec.logout_s, functools.partial(self.logout, agent))
        for pause in self.cfg.pauses:
            self.at(pause.at_s, functools.partial(self.pause, pause))
        self.schedule_arrivals()
        while self.heap:
            event = heapq.heappop(self.heap)
            self.now = event.t
            event.action()
            self.dispatch()
        return SimResult(self.cfg.start, tuple(self.calls), tuple(self.changes))

    def schedule_arrivals(self) -> None:
        """Non-homogeneous Poisson process by thinning against the peak hourly rate."""
        peak = max(self.cfg.arrivals_per_hour) / 3600.0
        if peak <= 0:
            return
        t = 0.0
        while True:
            t += self.rng.expovariate(peak)
            if t >= self.cfg.duration_s:
                return
            hour = (self.cfg.start + timedelta(seconds=t)).hour
            if self.rng.random() * peak <= self.cfg.arrivals_per_hour[hour] / 3600.0:
                self.at(t, self.make_arrival(t))

    def make_arrival(self, t: float) -> Callable[[], None]:
        # Draw the caller's identity now, so the arrival stream does not depend on the policy.
        call = CallRecord(
            call_id=f"sim-{len(self.calls) + 1:06d}",
            caller=f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}",
            offered_at=t,
            ivr_enter=t,
        )
        self.calls.append(call)
        return lambda: self.arrive(call)

    # --- agents ---------------------------------------------------------------------------
    def set_agent(self, agent: _Agent, state: AgentState, call: CallRecord | None = None) -> None:
        agent.state = state
        reason = agent.pause_reason if agent.paused else ""
        call_id = call.call_id if call else None
        self.changes.append(
            AgentChange(self.now, agent.spec.name, state, agent.paused, reason, call_id)
        )

    def login(self, agent: _Agent) -> None:
        self.set_agent(agent, AgentState.AVAILABLE)

    def logout(self, agent: _Agent) -> None:
        if agent.state is AgentState.AVAILABLE:
            self.set_agent(agent, AgentState.LOGGED_OUT)
        elif agent.state is not AgentState.LOGGED_OUT:
            agent.logout_pending = True

    def pause(self, pause: AgentPause) -> None:
        agent = self.by_name[pause.agent]
        agent.paused, agent.pause_reason = True, pause.reason
        if agent.state is not AgentState.LOGGED_OUT:
            self.set_agent(agent, agent.state, agent.call)
        self.at(self.now + pause.duration_s, lambda: self.unpause(agent))

    def unpause(self, agent: _Agent) -> None:
        agent.paused, agent.pause_reason = False, ""
        if agent.state is not AgentState.LOGGED_OUT:
            self.set_agent(agent, agent.state, agent.call)

    def idle(self, agent: _Agent) -> None:
        agent.call = None
        if agent.logout_pending:
            agent.logout_pending = False
            self.set_agent(agent, AgentState.LOGGED_OUT)
        else:
            self.set_agent(agent, AgentState.AVAILABLE)

    # --- IVR ------------------------------------------------------------------------------
    def arrive(self, call: CallRecord) -> None:
        if self.rng.random() < self.cfg.ivr_hangup_prob:
            at = self.now + self.rng.uniform(0.5, self.cfg.greeting_s)
            self.at(at, lambda: self.finish_ivr(call, Outcome.IVR_HANGUP, None))
        else:
            self.at(self.now + self.cfg.greeting_s, lambda: self.decide(call))

    def snapshot(self, call: CallRecord) -> LiveSnapshot:
        staffed = [a for a in self.agents if a.state is not AgentState.LOGGED_OUT]
        unpaused = [a for a in staffed if not a.paused]
        available = sum(1 for a in unpaused if a.state is AgentState.AVAILABLE)
        handles = self.recent_handle
        aht = sum(handles) / len(handles) if handles else self.cfg.aht_prior_s
        joins = [w.call.queue_join for w in self.queue if w.call.queue_join is not None]
        longest = self.now - min(joins) if joins else 0.0
        return LiveSnapshot(
            call_id=call.call_id,
            caller=call.caller,
            t=self.now,
            now=self.cfg.start + timedelta(seconds=self.now),
            waiting=len(self.queue),
            available=available,
            logged_in=len(staffed),
            paused=len(staffed) - len(unpaused),
            busy=sum(1 for a in staffed if a.state is not AgentState.AVAILABLE),
            aht_recent_s=aht,
            longest_wait_s=longest,
            estimated_wait_s=simple_ewt(len(self.queue) + 1, aht, available, len(unpaused)),
        )

    def decide(self, call: CallRecord) -> None:
        route = Route.QUEUE
        if self.cfg.policy is not None:
            snap = self.snapshot(call)
            call.estimated_wait_s = snap.estimated_wait_s
            route = self.cfg.policy(snap, self.rng)
        call.route = route
        if route is Route.QUEUE:
            self.join(call)
            return
        done = self.now + self.cfg.offer_s
        if route is Route.KEEP_WAITING:
            self.at(done, lambda: self.join(call))
        elif route is Route.HANGUP:
            self.at(done, lambda: self.finish_ivr(call, Outcome.IVR_HANGUP, None))
        else:
            self.at(done, lambda: self.finish_ivr(call, Outcome.DIVERTED, route.value))

    def finish_ivr(self, call: CallRecord, outcome: Outcome, destination: str | None) -> None:
        call.ivr_leave = self.now
        self.end(call, outcome, destination, self.now)

    def end(self, call: CallRecord, outcome: Outcome, destination: str | None, t: float) -> None:
        call.outcome, call.destination = outcome, destination
        # Leaving a message takes a while; SMS and callback end with a short confirmation.
        if destination == "voicemail":
            t += self.cfg.voicemail_s
        elif destination is not None:
            t += self.cfg.goodbye_s
        call.ended_at = t

    # --- queue ----------------------------------------------------------------------------
    def join(self, call: CallRecord) -> None:
        call.ivr_leave = self.now
        call.queue_join = self.now
        entry = _Waiting(call)
        self.queue.append(entry)
        call.join_position = len(self.queue)
        # The caller's exit: first of patience, the queue time limit and a key press.
        exits: list[tuple[float, Outcome]] = []
        if self.cfg.patience_mean_s is not None:
            exits.append((self.rng.expovariate(1 / self.cfg.patience_mean_s), Outcome.ABANDONED))
        if self.cfg.queue_timeout_s is not None:
            exits.append((self.cfg.queue_timeout_s, Outcome.TIMEOUT))
        if self.rng.random() < self.cfg.key_exit_prob:
            exits.append((self.rng.expovariate(1 / self.cfg.key_exit_mean_s), Outcome.EXIT_KEY))
        if exits:
            after, why = min(exits, key=lambda pair: pair[0])
            self.at(self.now + after, lambda: self.leave_queue(entry, why))

    def leave_queue(self, entry: _Waiting, why: Outcome) -> None:
        if entry not in self.queue:
            return  # answered meanwhile
        call = entry.call
        call.leave_position = self.queue.index(entry) + 1
        self.queue.remove(entry)
        call.left_queue_at = self.now
        if entry.ringing is not None:
            self.cancel_ring(entry)
        if why is Outcome.ABANDONED:
            self.end(call, why, None, self.now)
        elif why is Outcome.TIMEOUT:
            self.end(call, why, "voicemail", self.now)
        else:
            online = self.rng.random() < self.cfg.key_exit_online_share
            call.exit_key = "3" if online else "2"
            self.end(call, why, "online" if online else "voicemail", self.now)

    def cancel_ring(self, entry: _Waiting) -> None:
        agent = entry.ringing
        assert agent is not None
        entry.call.rings[-1].end, entry.call.rings[-1].result = self.now, "canceled"
        entry.ringing, entry.token = None, entry.token + 1
        self.idle(agent)

    def free_agent(self) -> _Agent | None:
        count = len(self.agents)
        for step in range(count):
            agent = self.agents[(self.rr_next + step) % count]
            if agent.state is AgentState.AVAILABLE and not agent.paused:
                self.rr_next = (self.rr_next + step + 1) % count
                return agent
        return None

    def dispatch(self) -> None:
        for entry in self.queue:
            if entry.ringing is not None or entry.retry_until > self.now:
                continue
            agent = self.free_agent()
            if agent is None:
                return
            self.ring(entry, agent)

    def ring(self, entry: _Waiting, agent: _Agent) -> None:
        spec, call = agent.spec, entry.call
        entry.ringing, entry.token = agent, entry.token + 1
        agent.call = call
        self.set_agent(agent, AgentState.RINGING, call)
        call.rings.append(Ring(spec.name, self.now))
        delay = self.rng.uniform(*spec.answer_delay_s)
        answers = self.rng.random() >= spec.no_answer_prob and delay < self.cfg.ring_timeout_s
        token = entry.token
        end = self.now + (delay if answers else self.cfg.ring_timeout_s)
        self.at(end, lambda: self.ring_end(entry, agent, token, answers))

    def ring_end(self, entry: _Waiting, agent: _Agent, token: int, answered: bool) -> None:
        if entry.token != token or entry.ringing is not agent:
            return  # the ring was canceled
        call = entry.call
        ring = call.rings[-1]
        ring.end = self.now
        entry.ringing = None
        if not answered:
            ring.result = "no_answer"
            entry.retry_until = self.now + self.cfg.retry_s
            self.at(entry.retry_until, lambda: None)  # wake the dispatcher after the retry
            self.idle(agent)
            return
        ring.result = "answered"
        self.queue.remove(entry)
        call.answered_at, call.agent = self.now, agent.spec.name
        self.set_agent(agent, AgentState.IN_CALL, call)
        talk = _lognormal(self.rng, agent.spec.talk_mean_s, agent.spec.talk_cv)
        by_caller = self.rng.random() < self.cfg.caller_hangup_share
        self.at(self.now + talk, lambda: self.talk_end(call, agent, by_caller))

    def talk_end(self, call: CallRecord, agent: _Agent, by_caller: bool) -> None:
        call.talk_end = self.now
        call.hangup_by = "caller" if by_caller else "agent"
        self.end(call, Outcome.ANSWERED, None, self.now)
        assert call.answered_at is not None
        self.recent_handle.append(self.now - call.answered_at + self.cfg.wrapup_s)
        self.set_agent(agent, AgentState.WRAPUP, call)
        self.at(self.now + self.cfg.wrapup_s, lambda: self.idle(agent))


def _lognormal(rng: random.Random, mean: float, cv: float) -> float:
    sigma2 = math.log1p(cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


def simulate(config: CallSimConfig) -> SimResult:
    """Run the model to completion (arrivals until ``duration_s``, then drain) and return the
    ground-truth timeline: one :class:`CallRecord` per call, and every agent state change."""
    return _Model(config).run()
