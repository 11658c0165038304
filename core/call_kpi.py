"""Call KPIs: named, versioned formulas recomputed from the call-event log.

Every figure is a :class:`Ratio` (numerator, denominator) or a :class:`Stat` over the waits /
handle times of the calls it counts, so a wallboard number can be drilled down to its calls.
The formulas are written out in ``docs/kpi.md`` ("## Call KPIs"); :data:`FORMULAS` is the same
list in code, with versions. Change a formula → bump its version.

Which calls are counted: every :class:`core.call_records.CallRecord`. A call belongs to the
interval in which it entered the queue (``queued_at``), or — never queued — in which it was
offered. Intervals are 15 min / hour / day on Asia/Shanghai wall-clock boundaries.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from core.call_records import DEFAULT_SHORT_ABANDON_S, CallOutcome, CallRecord, build_call_records
from core.clock import SHANGHAI
from core.events import DomainEvent

KPI_SET_VERSION = "call-kpi/1"
DEFAULT_SERVICE_LEVEL_S = 15

# name → (version, formula). docs/kpi.md repeats these verbatim.
FORMULAS: Mapping[str, tuple[int, str]] = {
    "offered": (1, "queued + joinempty + full"),
    "answered": (1, "queued calls connected to an agent (AgentConnect / CONNECT)"),
    "abandoned": (1, "caller hung up while queued (ABANDON; timeouts excluded), all waits"),
    "short_abandons": (1, "abandoned with wait < T_short (default 5 s)"),
    "answer_rate": (1, "answered ÷ (queued − short_abandons − caller_exits)"),
    "answer_rate_wazo": (
        1,
        "answered ÷ (answered + abandoned + full + joinempty + leaveempty + timeout)",
    ),
    "answer_rate_inbound": (1, "answered ÷ (inbound − short_abandons − self_served_ivr)"),
    "service_level": (1, "answered with wait ≤ T_sl ÷ (queued − short_abandons − caller_exits)"),
    "service_level_answered": (1, "answered with wait ≤ T_sl ÷ answered"),
    "abandon_rate": (1, "(abandoned − short_abandons) ÷ (queued − short_abandons)"),
    "abandon_rate_with_timeouts": (
        1,
        "(abandoned − short_abandons + timeouts) ÷ (queued − short_abandons)",
    ),
    "asa": (1, "mean wait of answered calls (mean, median, p90 nearest-rank)"),
    "aht": (1, "mean(talk + wrap-up) of completed answered calls; wrap-up = queue wrapuptime"),
    "aht_talk": (1, "mean talk of completed answered calls"),
    "longest_wait": (1, "max wait of answered and unanswered queued calls"),
    "wait": (1, "waits of all queued calls that left the queue (p50, p90, p95 nearest-rank)"),
    "occupancy": (1, "(talk + wrap-up) ÷ (logged-in − paused) seconds"),
    "diversion_share": (1, "calls diverted (voicemail/online/callback) ÷ inbound"),
    "callback_after_abandon": (
        1,
        "numbers with a (non-short) abandon called back within 30 min ÷ those numbers",
    ),
}


@dataclass(frozen=True, slots=True)
class Ratio:
    numerator: int | float
    denominator: int | float

    @property
    def value(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator

    @property
    def exact(self) -> Fraction | None:
        if not self.denominator:
            return None
        return Fraction(self.numerator) / Fraction(self.denominator)


@dataclass(frozen=True, slots=True)
class Stat:
    """A multiset of whole seconds; build with :meth:`of` (sorted, so equal sets compare equal)."""

    values: tuple[int, ...]

    @classmethod
    def of(cls, values: Iterable[int]) -> Stat:
        return cls(tuple(sorted(values)))

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> Fraction | None:
        return Fraction(sum(self.values), len(self.values)) if self.values else None

    @property
    def median(self) -> Fraction | None:
        if not self.values:
            return None
        s = sorted(self.values)
        mid = len(s) // 2
        return Fraction(s[mid]) if len(s) % 2 else Fraction(s[mid - 1] + s[mid], 2)

    def percentile(self, p: float) -> int | None:
        """Nearest-rank percentile: the smallest value with at least p% of values ≤ it."""
        if not self.values:
            return None
        s = sorted(self.values)
        rank = max(1, math.ceil(p / 100 * len(s)))
        return s[rank - 1]

    @property
    def max(self) -> int | None:
        return max(self.values) if self.values else None


# The v1 ratio formulas over counts (FORMULAS above). compute() and the IVR simulation's report
# (ivr_flows.kpi) both use them, so a formula is written once.
def answer_rate(answered: int, queued: int, short_abandons: int, caller_exits: int) -> Ratio:
    return Ratio(answered, queued - short_abandons - caller_exits)


def service_level(within_sl: int, queued: int, short_abandons: int, caller_exits: int) -> Ratio:
    return Ratio(within_sl, queued - short_abandons - caller_exits)


def abandon_rate(abandoned: int, queued: int, short_abandons: int) -> Ratio:
    """``abandoned`` includes the short abandons."""
    return Ratio(abandoned - short_abandons, queued - short_abandons)


def diversion_share(diverted: int, inbound: int) -> Ratio:
    """``diverted``: calls that went to voicemail/online/callback, whether the IVR diverted them
    or the caller left the queue with a key."""
    return Ratio(diverted, inbound)


@dataclass(frozen=True, slots=True)
class KpiSettings:
    short_abandon_s: int = DEFAULT_SHORT_ABANDON_S
    service_level_s: int = DEFAULT_SERVICE_LEVEL_S
    wrapup_s: Mapping[str, int] = field(default_factory=dict)  # queue → wrapuptime (s)
    callback_window: timedelta = timedelta(minutes=30)


_LOST = (CallOutcome.ABANDONED, CallOutcome.SHORT_ABANDON, CallOutcome.TIMEOUT)
_QUEUE_EXITS = (
    CallOutcome.EXIT_KEY,
    CallOutcome.LEAVEEMPTY,
    CallOutcome.QUEUE_EXIT_UNKNOWN,
)


@dataclass(frozen=True, slots=True)
class CallKpis:
    """KPIs of one group of calls (a queue, an agent, an interval, or everything)."""

    inbound: int
    queued: int
    offered: int
    answered: int
    abandoned: int
    short_abandons: int
    timeouts: int
    caller_exits: int
    joinempty: int
    leaveempty: int
    full: int
    self_served_ivr: int
    answered_within_sl: int
    answer_rate: Ratio
    answer_rate_wazo: Ratio
    answer_rate_inbound: Ratio
    service_level: Ratio
    service_level_answered: Ratio
    abandon_rate: Ratio
    abandon_rate_with_timeouts: Ratio
    asa: Stat
    handle: Stat  # talk + wrap-up per completed answered call
    talk: Stat
    waits: Stat  # answered + unanswered queue waits
    diversions: Mapping[str, int]
    diversion_share: Ratio
    callback_after_abandon: Ratio
    settings: KpiSettings

    @property
    def longest_wait(self) -> int | None:
        return self.waits.max

    def to_dict(self) -> dict[str, object]:
        def r(x: Ratio) -> dict[str, object]:
            return {"numerator": x.numerator, "denominator": x.denominator, "value": x.value}

        def f(x: Fraction | None) -> float | None:
            return None if x is None else float(x)

        return {
            "version": KPI_SET_VERSION,
            "inbound": self.inbound,
            "queued": self.queued,
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "short_abandons": self.short_abandons,
            "timeouts": self.timeouts,
            "caller_exits": self.caller_exits,
            "joinempty": self.joinempty,
            "leaveempty": self.leaveempty,
            "full": self.full,
            "self_served_ivr": self.self_served_ivr,
            "answer_rate": r(self.answer_rate),
            "answer_rate_wazo": r(self.answer_rate_wazo),
            "answer_rate_inbound": r(self.answer_rate_inbound),
            "service_level": r(self.service_level),
            "service_level_answered": r(self.service_level_answered),
            "abandon_rate": r(self.abandon_rate),
            "abandon_rate_with_timeouts": r(self.abandon_rate_with_timeouts),
            "asa_mean": f(self.asa.mean),
            "asa_median": f(self.asa.median),
            "asa_p90": self.asa.percentile(90),
            "aht": f(self.handle.mean),
            "aht_talk": f(self.talk.mean),
            "longest_wait": self.longest_wait,
            "wait_p50": self.waits.percentile(50),
            "wait_p90": self.waits.percentile(90),
            "wait_p95": self.waits.percentile(95),
            "diversions": dict(self.diversions),
            "diversion_share": r(self.diversion_share),
            "callback_after_abandon": r(self.callback_after_abandon),
            "service_level_s": self.settings.service_level_s,
            "short_abandon_s": self.settings.short_abandon_s,
        }


def compute(
    records: Iterable[CallRecord],
    settings: KpiSettings | None = None,
    callbacks: Iterable[tuple[str, datetime]] = (),
) -> CallKpis:
    """KPIs over ``records``. ``callbacks``: (number, connected_at) of outbound callbacks."""
    cfg = settings or KpiSettings()
    recs = list(records)
    outcomes = [_outcome(r, cfg) for r in recs]
    count = outcomes.count
    queued = sum(1 for r in recs if r.queued)
    answered = [r for r, o in zip(recs, outcomes, strict=True) if o is CallOutcome.ANSWERED]
    short = count(CallOutcome.SHORT_ABANDON)
    abandoned = count(CallOutcome.ABANDONED) + short
    timeouts = count(CallOutcome.TIMEOUT)
    exits = count(CallOutcome.EXIT_KEY)
    joinempty, leaveempty, full = (
        count(CallOutcome.JOINEMPTY),
        count(CallOutcome.LEAVEEMPTY),
        count(CallOutcome.FULL),
    )
    self_served = sum(
        1
        for r, o in zip(recs, outcomes, strict=True)
        if not r.queued and r.diversions and o is not CallOutcome.IN_PROGRESS
    )
    waits_answered = tuple(r.wait_s or 0 for r in answered)
    within = sum(1 for w in waits_answered if w <= cfg.service_level_s)
    completed = [r for r in answered if r.talk_s is not None]
    talk = tuple(r.talk_s or 0 for r in completed)
    handle = tuple((r.talk_s or 0) + cfg.wrapup_s.get(r.queue, 0) for r in completed)
    waits = tuple(
        r.wait_s
        for r, o in zip(recs, outcomes, strict=True)
        if r.queued
        and r.wait_s is not None
        and (o is CallOutcome.ANSWERED or o in _LOST + _QUEUE_EXITS)
    )
    diversions: dict[str, int] = defaultdict(int)
    diverted = 0
    for r in recs:
        if r.diversions:
            diverted += 1
            diversions[r.diversions[0].value] += 1
    inbound = sum(1 for r in recs if r.offered_at is not None)
    return CallKpis(
        inbound=inbound,
        queued=queued,
        offered=queued + joinempty + full,
        answered=len(answered),
        abandoned=abandoned,
        short_abandons=short,
        timeouts=timeouts,
        caller_exits=exits,
        joinempty=joinempty,
        leaveempty=leaveempty,
        full=full,
        self_served_ivr=self_served,
        answered_within_sl=within,
        answer_rate=answer_rate(len(answered), queued, short, exits),
        answer_rate_wazo=Ratio(
            len(answered), len(answered) + abandoned + full + joinempty + leaveempty + timeouts
        ),
        answer_rate_inbound=Ratio(len(answered), inbound - short - self_served),
        service_level=service_level(within, queued, short, exits),
        service_level_answered=Ratio(within, len(answered)),
        abandon_rate=abandon_rate(abandoned, queued, short),
        abandon_rate_with_timeouts=Ratio(abandoned - short + timeouts, queued - short),
        asa=Stat.of(waits_answered),
        handle=Stat.of(handle),
        talk=Stat.of(talk),
        waits=Stat.of(waits),
        diversions=dict(diversions),
        diversion_share=diversion_share(diverted, inbound),
        callback_after_abandon=_callback_ratio(recs, outcomes, callbacks, cfg.callback_window),
        settings=cfg,
    )


def _outcome(record: CallRecord, cfg: KpiSettings) -> CallOutcome:
    return record.outcome_with(cfg.short_abandon_s)


def _callback_ratio(
    recs: list[CallRecord],
    outcomes: list[CallOutcome],
    callbacks: Iterable[tuple[str, datetime]],
    window: timedelta,
) -> Ratio:
    last_abandon: dict[str, datetime] = {}
    for r, o in zip(recs, outcomes, strict=True):
        at = r.ended_at or r.queued_at
        if o is CallOutcome.ABANDONED and r.caller_number and at is not None:
            last_abandon[r.caller_number] = max(at, last_abandon.get(r.caller_number, at))
    called_back = {
        number
        for number, at in callbacks
        if number in last_abandon and timedelta(0) <= at - last_abandon[number] <= window
    }
    return Ratio(len(called_back), len(last_abandon))


# -- grouping ------------------------------------------------------------------------------------
INTERVALS: Mapping[str, timedelta] = {
    "15min": timedelta(minutes=15),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}


def interval_start(at: datetime, interval: str) -> datetime:
    """Start of the Asia/Shanghai interval containing ``at`` (returned in Asia/Shanghai)."""
    local = at.astimezone(SHANGHAI)
    if interval == "day":
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    if interval == "15min":
        return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
    raise ValueError(f"unknown interval {interval!r}; use one of {sorted(INTERVALS)}")


def _anchor(record: CallRecord) -> datetime | None:
    return record.queued_at or record.offered_at


def group_records(
    records: Iterable[CallRecord], key: Callable[[CallRecord], str | datetime | None]
) -> dict[str | datetime, list[CallRecord]]:
    groups: dict[str | datetime, list[CallRecord]] = defaultdict(list)
    for r in records:
        k = key(r)
        if k is not None:
            groups[k].append(r)
    return dict(groups)


def by_queue(
    records: Iterable[CallRecord], settings: KpiSettings | None = None
) -> dict[str, CallKpis]:
    groups = group_records(records, lambda r: r.queue or None)
    return {str(k): compute(v, settings) for k, v in groups.items()}


def by_agent(
    records: Iterable[CallRecord], settings: KpiSettings | None = None
) -> dict[str, CallKpis]:
    """Per agent interface: the calls that agent answered (answer-side KPIs: ASA, AHT)."""
    groups = group_records(records, lambda r: r.agent_interface or None)
    return {str(k): compute(v, settings) for k, v in groups.items()}


def by_interval(
    records: Iterable[CallRecord], interval: str, settings: KpiSettings | None = None
) -> dict[datetime, CallKpis]:
    def key(r: CallRecord) -> datetime | None:
        anchor = _anchor(r)
        return interval_start(anchor, interval) if anchor else None

    groups = group_records(records, key)
    return {k: compute(v, settings) for k, v in sorted(groups.items()) if isinstance(k, datetime)}


def kpis_from_events(
    events: Iterable[DomainEvent],
    settings: KpiSettings | None = None,
    callbacks: Iterable[tuple[str, datetime]] = (),
) -> CallKpis:
    """Recompute from the stored log (events rebuilt with ``core.calls.from_stored``)."""
    cfg = settings or KpiSettings()
    records = build_call_records(events, short_abandon_s=cfg.short_abandon_s)
    return compute(records.values(), cfg, callbacks)
