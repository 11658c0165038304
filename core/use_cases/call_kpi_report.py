"""Call KPIs for a period, recomputed from the stored call-event log (``core.call_kpi``).

Every rate comes with its numerator, denominator and formula (name, version, text from
``core.call_kpi.FORMULAS``); the report lists the calls it counted (linkedid, outcome, wait,
queue, agent) so any figure can be drilled down, and the data-gap markers stored in the log
that overlap the period, so a report never shows figures over a gap without saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.call_kpi import (
    FORMULAS,
    INTERVALS,
    KPI_SET_VERSION,
    CallKpis,
    KpiSettings,
    Ratio,
    by_agent,
    by_interval,
    by_queue,
    compute,
)
from core.call_records import CallRecord, build_call_records
from core.calls import DataGap, from_stored
from core.errors import ValidationError
from core.events import DomainEvent
from core.ports import CallEventStore

MAX_PERIOD = timedelta(days=93)
# Calls that started just before ``from`` still end inside it: read a little earlier so their
# records are whole, then keep only the calls anchored inside the period.
LOOKBACK = timedelta(hours=2)
RATES = (
    "answer_rate",
    "answer_rate_wazo",
    "answer_rate_inbound",
    "service_level",
    "service_level_answered",
    "abandon_rate",
    "abandon_rate_with_timeouts",
    "diversion_share",
    "callback_after_abandon",
)


@dataclass(frozen=True, slots=True)
class CallKpiQuery:
    start: datetime
    end: datetime
    interval: str = "hour"
    queue: str | None = None
    agent: str | None = None

    def validate(self) -> None:
        problems: list[dict[str, str]] = []
        if self.start.tzinfo is None or self.end.tzinfo is None:
            problems.append({"field": "query.from", "message": "时间须带时区，如 +08:00"})
        elif self.start >= self.end:
            problems.append({"field": "query.to", "message": "结束时间须晚于开始时间"})
        elif self.end - self.start > MAX_PERIOD:
            problems.append({"field": "query.to", "message": "统计周期不能超过 93 天"})
        if self.interval not in INTERVALS:
            problems.append({"field": "query.interval", "message": "须为 15min、hour 或 day"})
        if problems:
            raise ValidationError(
                "; ".join(p["message"] for p in problems),
                code="validation.invalid",
                details={"errors": problems},
            )


def formula(name: str) -> dict[str, Any]:
    version, text = FORMULAS[name]
    return {"name": name, "version": version, "text": text}


def _rate(name: str, ratio: Ratio) -> dict[str, Any]:
    return {
        "numerator": ratio.numerator,
        "denominator": ratio.denominator,
        "value": ratio.value,
        "formula": formula(name),
    }


def kpi_json(kpis: CallKpis) -> dict[str, Any]:
    """``CallKpis.to_dict`` with every rate carrying its formula name, version and text."""
    out = kpis.to_dict()
    for name in RATES:
        out[name] = _rate(name, getattr(kpis, name))
    out["asa"] = {
        "mean": out.pop("asa_mean"),
        "median": out.pop("asa_median"),
        "p90": out.pop("asa_p90"),
        "count": kpis.asa.count,
        "formula": formula("asa"),
    }
    out["longest_wait"] = {"value": kpis.longest_wait, "formula": formula("longest_wait")}
    return out


def _anchor(record: CallRecord) -> datetime | None:
    return record.queued_at or record.offered_at


def call_row(record: CallRecord, settings: KpiSettings) -> dict[str, Any]:
    anchor = _anchor(record)
    return {
        "linkedid": record.linkedid,
        "caller_number": record.caller_number,
        "queue": record.queue,
        "agent": record.agent_interface,
        "anchor": anchor.isoformat() if anchor else None,
        "outcome": record.outcome_with(settings.short_abandon_s).value,
        "wait_s": record.wait_s,
        "talk_s": record.talk_s,
    }


def gap_json(gap: DataGap) -> dict[str, Any]:
    return {
        "start": gap.start.isoformat(),
        "end": gap.end.isoformat(),
        "calls_reconciled": gap.calls_reconciled,
        "reason": gap.reason,
    }


@dataclass(frozen=True, slots=True)
class CallKpiResult:
    query: CallKpiQuery
    total: CallKpis
    intervals: dict[datetime, CallKpis]
    queues: dict[str, CallKpis]
    agents: dict[str, CallKpis]
    records: Sequence[CallRecord]
    gaps: Sequence[DataGap]
    settings: KpiSettings

    def to_json(self) -> dict[str, Any]:
        return {
            "version": KPI_SET_VERSION,
            "from": self.query.start.isoformat(),
            "to": self.query.end.isoformat(),
            "interval": self.query.interval,
            "queue": self.query.queue,
            "agent": self.query.agent,
            "total": kpi_json(self.total),
            "intervals": [
                {"start": k.isoformat(), "kpis": kpi_json(v)} for k, v in self.intervals.items()
            ],
            "by_queue": {k: kpi_json(v) for k, v in sorted(self.queues.items())},
            "by_agent": {k: kpi_json(v) for k, v in sorted(self.agents.items())},
            "calls": [call_row(r, self.settings) for r in self.records],
            "gaps": [gap_json(g) for g in self.gaps],
            "formulas": {name: formula(name) for name in FORMULAS},
        }


class CallKpiReport:
    def __init__(self, store: CallEventStore, settings: KpiSettings | None = None) -> None:
        self._store = store
        self._settings = settings or KpiSettings()

    async def execute(self, query: CallKpiQuery) -> CallKpiResult:
        query.validate()
        stored = await self._store.between(query.start - LOOKBACK, query.end)
        events: list[DomainEvent] = []
        for s in stored:
            try:
                events.append(from_stored(s))
            except ValueError:
                continue  # a name this version does not know: not a call KPI input
        gaps = [
            e
            for e in events
            if isinstance(e, DataGap) and e.start < query.end and e.end > query.start
        ]
        records = build_call_records(events, short_abandon_s=self._settings.short_abandon_s)
        kept = [
            r
            for r in records.values()
            if (a := _anchor(r)) is not None
            and query.start <= a < query.end
            and (query.queue is None or r.queue == query.queue)
            and (query.agent is None or r.agent_interface == query.agent)
        ]
        kept.sort(key=lambda r: (_anchor(r) or query.start, r.linkedid))
        cfg = self._settings
        return CallKpiResult(
            query=query,
            total=compute(kept, cfg),
            intervals=by_interval(kept, query.interval, cfg),
            queues=by_queue(kept, cfg),
            agents=by_agent(kept, cfg),
            records=kept,
            gaps=gaps,
            settings=cfg,
        )
