"""The pure policy engine: flow + live situation → what the IVR does. No I/O, no clock.

Two steps, both pure:

* :func:`decide_entry` — at IVR time (after the greeting). Evaluates the flow's diversion rules
  in order against the facts of the moment (after hours, holiday, no agents, estimated wait,
  waiting callers per agent); the first rule that holds fires: it opens an offer menu or sends
  the call straight to an action. No rule: the operator's entry menu if configured, else the
  queue (GB/T 33358-2016 default).
* :class:`MenuRun` — walks menus key by key: ``start()`` and ``feed(key)`` return the next
  :class:`Command` (play a prompt, ask for a key, or done with a final action). Timeouts and
  wrong keys use up retries; when they are exhausted the menu's ``on_exhausted`` action applies
  (a person, i.e. the queue, by default). The FastAGI server and the simulator both drive it.

Missing live state (the telephony bridge is down) never blocks a caller: rules that need it do
not fire and the call goes on to the queue.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from core.errors import CalendarError
from ivr_flows.flow import Condition, FinalAction, Flow, Prompt


@dataclass(frozen=True, slots=True)
class QueueState:
    """The live-state queue document (namespace ``queue``, key = queue name).

    ``available`` = members ready to take a call now (idle, unpaused); ``logged_in`` counts
    paused ones too; ``paused`` is optional (0 when the bridge does not say).
    """

    waiting: int
    available: int
    logged_in: int
    aht_recent_s: float
    paused: int = 0

    @property
    def on_duty(self) -> int:
        return max(0, self.logged_in - self.paused)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> QueueState:
        """Parse a queue document; ValueError naming the field when it is unusable."""
        values: dict[str, Any] = {}
        for name, kind, required in (
            ("waiting", int, True),
            ("available", int, True),
            ("logged_in", int, True),
            ("aht_recent_s", float, True),
            ("paused", int, False),
        ):
            raw = doc.get(name)
            if raw is None:
                if required:
                    raise ValueError(f"queue document lacks {name!r}")
                continue
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise ValueError(f"queue document field {name!r} is not a number: {raw!r}")
            if raw < 0 or not math.isfinite(raw):
                raise ValueError(f"queue document field {name!r} out of range: {raw!r}")
            values[name] = kind(raw)
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Situation:
    now: datetime  # aware
    queue: QueueState | None  # None: no live state
    ewt_s: float | None  # estimated wait for a caller joining now (ivr_flows.ewt)
    is_working_day: Callable[[date], bool]  # WorkingCalendar.is_working_day


@dataclass(frozen=True, slots=True)
class Facts:
    working_day: bool
    after_hours: bool
    no_agents: bool | None  # None = unknown (no live state)
    ewt_s: float | None
    waiting_per_agent: float | None


def _working_day(situation: Situation, day: date) -> bool:
    try:
        return situation.is_working_day(day)
    except CalendarError:
        # A year the calendar has no data for: Mon–Fri rather than refusing calls.
        return day.weekday() < 5


def facts(flow: Flow, situation: Situation) -> Facts:
    local = situation.now.astimezone(flow.zone())
    working = _working_day(situation, local.date())
    after = False
    if flow.mode == "business_hours" and flow.business_hours is not None:
        clock = local.time().replace(tzinfo=None)
        ranges = flow.business_hours.ranges(working)
        after = not any(r.start <= clock < r.end for r in ranges)
    queue = situation.queue
    if queue is None:
        return Facts(working, after, None, situation.ewt_s, None)
    agents = queue.on_duty if flow.ratio_of == "on_duty" else queue.available
    ratio = queue.waiting / agents if agents > 0 else (math.inf if queue.waiting > 0 else 0.0)
    return Facts(working, after, queue.on_duty == 0, situation.ewt_s, ratio)


def holds(when: Condition, fact: Facts) -> bool:
    """All tests of ``when`` hold. A test on unknown live state does not hold."""
    checks: list[bool] = []
    if when.after_hours is not None:
        checks.append(fact.after_hours == when.after_hours)
    if when.holiday is not None:
        checks.append((not fact.working_day) == when.holiday)
    if when.no_agents is not None:
        checks.append(fact.no_agents is not None and fact.no_agents == when.no_agents)
    if when.ewt_over_s is not None:
        checks.append(fact.ewt_s is not None and fact.ewt_s > when.ewt_over_s)
    if when.waiting_per_agent_over is not None:
        ratio = fact.waiting_per_agent
        checks.append(ratio is not None and ratio > when.waiting_per_agent_over)
    return all(checks)


Reason = str  # "direct" | "menu" | a rule label: "wait" | "ratio" | "no_agents" | "after_hours" …


@dataclass(frozen=True, slots=True)
class Entry:
    greeting: tuple[Prompt, ...]  # greeting (+ emergency announcement when in_greeting)
    menu: str | None  # menu to run next, or None
    action: FinalAction | None  # final action when there is no menu
    reason: Reason
    rule: str | None = None  # name of the rule that fired
    facts: Facts | None = None


def decide_entry(flow: Flow, situation: Situation) -> Entry:
    greeting = [flow.greeting]
    if flow.emergency is not None and flow.emergency.in_greeting:
        greeting.append(flow.emergency.prompt)
    fact = facts(flow, situation)
    for rule in flow.diversion:
        if holds(rule.when, fact):
            return Entry(tuple(greeting), rule.menu, rule.action, rule.label, rule.name, fact)
    if flow.menu is not None:
        return Entry(tuple(greeting), flow.menu, None, "menu", None, fact)
    return Entry(tuple(greeting), None, "queue", "direct", None, fact)


@dataclass(frozen=True, slots=True)
class Command:
    kind: Literal["play", "ask", "done"]
    prompt: Prompt | None = None
    timeout_s: float = 0.0
    keys: str = ""  # valid keys for "ask"
    action: FinalAction | None = None  # for "done"
    exhausted: bool = False  # "done" because retries ran out


@dataclass(slots=True)
class MenuRun:
    """Drives menus: ``start()`` gives the first "ask"; answer every "ask" with
    ``feed(key)`` (None = no input before the timeout) and every "play" with ``next()``,
    until a "done" command carries the final action. ``keys`` keeps what was pressed."""

    flow: Flow
    menu: str
    failures: int = 0
    keys: list[str] = field(default_factory=list)

    def _ask(self) -> Command:
        menu = self.flow.menus[self.menu]
        return Command("ask", menu.prompt, menu.timeout_s, "".join(sorted(menu.options)))

    def start(self) -> Command:
        return self._ask()

    def next(self) -> Command:
        """After a "play" (wrong-key notice or emergency announcement): the menu again."""
        return self._ask()

    def feed(self, key: str | None) -> Command:
        menu = self.flow.menus[self.menu]
        option = menu.options.get(key) if key else None
        if key:
            self.keys.append(key)
        if option is None:
            self.failures += 1
            if self.failures > menu.retries:
                return Command("done", action=menu.on_exhausted, exhausted=True)
            if key and menu.invalid is not None:
                return Command("play", menu.invalid)
            return self._ask()
        if option.action == "emergency":
            assert self.flow.emergency is not None  # cross_check guarantees it
            return Command("play", self.flow.emergency.prompt)
        if option.action == "repeat":
            return self._ask()
        if option.action == "menu":
            assert option.menu is not None
            self.menu, self.failures = option.menu, 0
            return self._ask()
        return Command("done", action=option.action)
