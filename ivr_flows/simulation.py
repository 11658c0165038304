"""Drive the call model (:mod:`core.callsim`) through a flow: the diversion hook runs the real
policy engine and a simple caller model presses keys in the offer menus. Used by
``python -m hotline ivr simulate`` and ``bench/diversion.py``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from core.callsim import LiveSnapshot, Outcome, Route, SimResult
from ivr_flows.ewt import estimate_wait, wait_error
from ivr_flows.flow import FinalAction, Flow
from ivr_flows.kpi import (
    SERVICE_LEVEL_S,
    SHORT_ABANDON_S,
    QueueCounts,
    abandon_rate,
    answer_rate,
    diversion_share,
    online_share,
    service_level,
)
from ivr_flows.policy import MenuRun, QueueState, Situation, decide_entry

# What an offered caller does at each prompt (relative weights). "none" = no key before the
# timeout, "hangup" = hangs up. Only actions the menu offers are drawn.
DEFAULT_CHOICES: Mapping[str, float] = {
    "queue": 0.35,
    "voicemail": 0.2,
    "online": 0.3,
    "callback": 0.08,
    "none": 0.05,
    "hangup": 0.02,
}

_ROUTE: dict[FinalAction, Route] = {
    "queue": Route.KEEP_WAITING,
    "voicemail": Route.VOICEMAIL,
    "online": Route.ONLINE,
    "callback": Route.CALLBACK,
    "hangup": Route.HANGUP,
}


def weekdays(day: date) -> bool:
    """Fallback working-day predicate (Mon–Fri) when no official calendar is wired."""
    return day.weekday() < 5


@dataclass(slots=True)
class FlowPolicy:
    """A :data:`core.callsim.DiversionHook` running ``flow`` through the policy engine.

    Records, per call, the EWT it predicted (``predictions``) and why it decided (``reasons``).
    """

    flow: Flow
    is_working_day: Callable[[date], bool] = weekdays
    choices: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CHOICES))
    predictions: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def __call__(self, snap: LiveSnapshot, rng: random.Random) -> Route:
        state = QueueState(
            waiting=snap.waiting,
            available=snap.available,
            logged_in=snap.logged_in,
            aht_recent_s=snap.aht_recent_s,
            paused=snap.paused,
        )
        ewt = estimate_wait(state)
        self.predictions[snap.call_id] = ewt
        entry = decide_entry(self.flow, Situation(snap.now, state, ewt, self.is_working_day))
        self.reasons[snap.call_id] = entry.reason
        if entry.menu is None:
            return Route.QUEUE if entry.action == "queue" else _ROUTE[entry.action or "queue"]
        return self._caller_in_menu(MenuRun(self.flow, entry.menu), rng)

    def _caller_in_menu(self, run: MenuRun, rng: random.Random) -> Route:
        command = run.start()
        for _ in range(50):  # menus end: retries are bounded; guard against menu loops anyway
            if command.kind == "done":
                return _ROUTE[command.action or "queue"]
            if command.kind == "play":
                command = run.next()
                continue
            menu = self.flow.menus[run.menu]
            by_action: dict[str, list[str]] = {}
            for key, option in menu.options.items():
                by_action.setdefault(option.action, []).append(key)
            names = [n for n in self.choices if n in by_action or n in ("none", "hangup")]
            pick = rng.choices(names, weights=[self.choices[n] for n in names])[0]
            if pick == "hangup":
                return Route.HANGUP
            command = run.feed(None if pick == "none" else rng.choice(by_action[pick]))
        return Route.KEEP_WAITING


@dataclass(frozen=True, slots=True)
class Report:
    counts: QueueCounts
    answer_rate: float
    service_level: float
    abandon_rate: float
    diversion_share: float
    online_share: float
    ivr_hangups: int
    ewt: dict[str, float]

    def _ewt_line(self) -> str:
        e = self.ewt
        if not e["n"]:
            return "EWT error            n/a (no answered call was queued without a menu)"
        return (
            f"EWT error            MAE {e['mae_s']:.1f} s, p90 {e['p90_s']:.1f} s, "
            f"bias {e['bias_s']:+.1f} s over {int(e['n'])} answered calls"
        )

    def lines(self) -> list[str]:
        c = self.counts
        return [
            f"calls offered        {c.inbound}",
            f"queued               {c.queued}",
            f"answered             {c.answered}",
            f"answer rate          {self.answer_rate:.1%}",
            f"SL-15                {self.service_level:.1%}",
            f"abandoned            {c.abandoned} (short {c.short_abandons}); rate "
            f"{self.abandon_rate:.1%}",
            f"queue timeouts       {c.timeouts}",
            f"key exits            {c.key_exits}",
            f"diverted in IVR      {dict(c.diverted)}",
            f"hung up in IVR       {self.ivr_hangups}",
            f"diversion share      {self.diversion_share:.1%}",
            f"online share         {self.online_share:.1%} (of diversions)",
            self._ewt_line(),
        ]


def report(result: SimResult, predictions: Mapping[str, float] | None = None) -> Report:
    """KPIs of a run (kpi.md v1 formulas) and the EWT error of calls queued straight away."""
    calls = result.calls
    queued = [c for c in calls if c.queue_join is not None]
    answered = [c for c in queued if c.outcome is Outcome.ANSWERED]
    abandoned = [c for c in queued if c.outcome is Outcome.ABANDONED]
    exits = [c for c in queued if c.outcome is Outcome.EXIT_KEY]
    diverted: dict[str, int] = {"voicemail": 0, "online": 0, "callback": 0}
    for call in result.by_outcome(Outcome.DIVERTED):
        diverted[call.destination or "?"] = diverted.get(call.destination or "?", 0) + 1
    counts = QueueCounts(
        inbound=len(calls),
        queued=len(queued),
        answered=len(answered),
        answered_within_sl=sum(1 for c in answered if (c.wait_s or 0.0) <= SERVICE_LEVEL_S),
        abandoned=len(abandoned),
        short_abandons=sum(1 for c in abandoned if (c.wait_s or 0.0) < SHORT_ABANDON_S),
        timeouts=len(result.by_outcome(Outcome.TIMEOUT)),
        key_exits=len(exits),
        diverted=diverted,
    )
    exit_targets = {"online": 0, "voicemail": 0}
    for call in exits:
        exit_targets[call.destination or "voicemail"] += 1
    pairs: list[tuple[float, float]] = []
    for call in answered:
        predicted = (predictions or {}).get(call.call_id, call.estimated_wait_s)
        if predicted is not None and call.route is Route.QUEUE and call.wait_s is not None:
            pairs.append((predicted, call.wait_s))
    return Report(
        counts=counts,
        answer_rate=answer_rate(counts),
        service_level=service_level(counts),
        abandon_rate=abandon_rate(counts),
        diversion_share=diversion_share(counts),
        online_share=online_share(diverted, exit_targets),
        ivr_hangups=len(result.by_outcome(Outcome.IVR_HANGUP)),
        ewt=wait_error(pairs),
    )
