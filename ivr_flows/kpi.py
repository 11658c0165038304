"""IVR KPIs, pure (formulas in docs/ivr.md; names follow docs/kpi.md). The ratio formulas are
:mod:`core.call_kpi`'s; this module maps the simulation's :class:`QueueCounts` onto them.

* **diversion share** (kpi.md v1) = (system diversions + caller-chosen exits) ÷ inbound.
  System diversions = IVR outcomes voicemail/online/callback; caller-chosen exits = key exits
  from the queue (EXITWITHKEY). Split by target in :func:`diversion_split`.
* **online share** (of diversions) = (IVR diversions to online + key exits to online) ÷
  (all IVR diversions + all key exits) —
  how much of the overflow the online channel absorbs (domain.md: online share ≥ 50% target is
  for all appeals; this is the IVR's contribution to it).
* **answer rate** / **SL-15** (kpi.md v1, QueueMetrics "inclusive"):
  answered [≤ 15 s] ÷ (queued − short abandons − caller-chosen exits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core import call_kpi
from core.call_kpi import Ratio

SHORT_ABANDON_S = 5.0
SERVICE_LEVEL_S = 15.0


def _value(ratio: Ratio) -> float:
    """The share as the reports print it: 0.0 when nothing was counted."""
    return ratio.numerator / ratio.denominator if ratio.denominator > 0 else 0.0


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """Counts over an interval, from the queue's point of view."""

    inbound: int  # reached the IVR
    queued: int
    answered: int
    answered_within_sl: int
    abandoned: int
    short_abandons: int
    timeouts: int
    key_exits: int  # caller-chosen exits (EXITWITHKEY)
    diverted: Mapping[str, int]  # IVR/system diversions by target: voicemail/online/callback


def answer_rate(c: QueueCounts) -> float:
    return _value(call_kpi.answer_rate(c.answered, c.queued, c.short_abandons, c.key_exits))


def service_level(c: QueueCounts) -> float:
    return _value(
        call_kpi.service_level(c.answered_within_sl, c.queued, c.short_abandons, c.key_exits)
    )


def abandon_rate(c: QueueCounts) -> float:
    return _value(call_kpi.abandon_rate(c.abandoned, c.queued, c.short_abandons))


def diversion_share(c: QueueCounts) -> float:
    return _value(call_kpi.diversion_share(sum(c.diverted.values()) + c.key_exits, c.inbound))


def online_share(diverted: Mapping[str, int], key_exits: Mapping[str, int] | None = None) -> float:
    """Online ÷ all diversions; ``key_exits`` by target (online/voicemail) count in both."""
    exits = key_exits or {}
    total = sum(diverted.values()) + sum(exits.values())
    return _value(Ratio(diverted.get("online", 0) + exits.get("online", 0), total))


def diversion_split(targets: Iterable[str]) -> dict[str, int]:
    out = {"voicemail": 0, "online": 0, "callback": 0}
    for target in targets:
        out[target] = out.get(target, 0) + 1
    return out
