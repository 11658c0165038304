"""The ``worker`` role (auto-fill + classifier on transcript events) and the ``scheduler`` role
(periodic escalation scan). Both run as tasks owned by the container.

Bus topics published here (payload shapes are listed in docs/operations.md):
``autofill.updated`` and ``work_order.escalated``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autofill.session import AutofillSession
from core.errors import ConflictError
from core.escalation import EscalationConfig, scan, with_flags
from core.ports import JSON
from core.use_cases.ports import OrderQuery, TransitionRecord
from core.work_order_model import WorkOrder, WorkOrderStatus
from hotline.autofill_wiring import BundlePredictor, scanner_from_settings
from hotline.bootstrap import Container

if TYPE_CHECKING:
    from classifier.service import HotlineClassifier

log = logging.getLogger(__name__)
AUTOFILL_TOPIC = "autofill.updated"
ESCALATED_TOPIC = "work_order.escalated"
LIVE_NAMESPACE = "autofill"
CALL_END_TOPICS = ("call.ended",)


class UnitSuggester:
    """Top-3 handling units for a transcript (the classifier), blocking: run in an executor."""

    def __init__(self, classifier: HotlineClassifier) -> None:
        self.classifier = classifier

    def predictor(self) -> BundlePredictor:
        """The same model as the auto-fill's category/appeal-type predictor; it shares the
        bundle's per-text features with :meth:`suggest_blocking` on the same transcript."""
        return BundlePredictor(self.classifier.bundle)

    def suggest_blocking(self, text: str, district: str | None) -> dict[str, JSON]:
        result = self.classifier.classify_blocking(text, district=district)
        return {
            "category": [
                {"label": s.label, "probability": round(s.probability, 4)}
                for s in result.category.ranked[:3]
            ],
            "units": [
                {
                    "unit_code": u.unit_code,
                    "unit_name": u.unit_name,
                    "role": u.role,
                    "probability": round(u.probability, 4),
                    "reason": u.reason,
                }
                for u in result.suggestion.units[:3]
            ],
            "sla_class": result.suggestion.sla_class,
            "emergency_prompt": result.suggestion.emergency_prompt,
        }


def load_suggester_blocking(container: Container) -> UnitSuggester | None:
    """The classifier when a trained model exists under settings.classifier.model_dir."""
    model_dir = container.settings.classifier.model_dir
    if not (model_dir / "metadata.json").exists():
        log.warning(
            "no classifier model in %s: unit suggestions off (python -m hotline train)", model_dir
        )
        return None
    from classifier.service import HotlineClassifier

    return UnitSuggester(HotlineClassifier.load_blocking(model_dir))


@dataclass(slots=True)
class AutofillWorker:
    """``asr.segment`` → per-call :class:`AutofillSession` → ``autofill.updated``.

    Only final, non-gap segments feed the session (partials are revised by ASR anyway); the
    scan and the classifier run in an executor, one call at a time per session."""

    container: Container
    new_session: Callable[[], AutofillSession]
    suggester: UnitSuggester | None = None
    sessions: dict[str, AutofillSession] = field(default_factory=dict)
    published: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        bus = self.container.bus
        loop = asyncio.get_running_loop()
        async with bus.subscribe("asr.segment", *CALL_END_TOPICS) as messages:
            self.ready.set()
            async for message in messages:
                payload = message.payload
                call_id = str(payload.get("call_id") or payload.get("linkedid") or "")
                if message.topic in CALL_END_TOPICS:
                    self.sessions.pop(call_id, None)
                    continue
                if not call_id or not payload.get("final") or payload.get("gap"):
                    continue
                text = str(payload.get("text_normalised") or payload.get("text") or "")
                if not text:
                    continue
                try:
                    doc = await loop.run_in_executor(None, self._update_blocking, call_id, text)
                except Exception:  # one bad segment must not stop the worker
                    log.exception("auto-fill failed on a segment of call %s", call_id)
                    continue
                await self.container.live.put(LIVE_NAMESPACE, call_id, doc)
                await bus.publish(AUTOFILL_TOPIC, doc)
                self.published += 1

    def _update_blocking(self, call_id: str, text: str) -> dict[str, JSON]:
        session = self.sessions.get(call_id)
        if session is None:
            session = self.sessions[call_id] = self.new_session()
        session.feed(text if text.endswith(("。", "，", "？", "！")) else text + "。")
        fields = session.as_json()
        district = session.fields.get("district")
        suggestions: dict[str, JSON] = {}
        if self.suggester is not None:
            suggestions = self.suggester.suggest_blocking(
                session.text, district.value if district else None
            )
        return {"call_id": call_id, "fields": fields, "suggestions": suggestions}


def build_autofill_worker(container: Container) -> AutofillWorker:
    scanner = scanner_from_settings(container.settings)
    af = container.settings.autofill
    suggester = load_suggester_blocking(container)
    predictor = suggester.predictor() if suggester is not None else None

    def new_session() -> AutofillSession:
        return AutofillSession(
            scanner,
            predictor=predictor,
            clock=container.clock,
            overlap=af.overlap_chars,
            category_every=af.category_every_chars,
        )

    return AutofillWorker(container, new_session, suggester)


@dataclass(slots=True)
class EscalationScheduler:
    """Every ``interval_s``: scan open orders at the container clock's ``now``; persist new
    flags (sticky, with a transition record) and publish ``work_order.escalated``.

    At start, first recompute provisional deadlines whose calendar year now has data (a
    restart after the override file or ``chinesecalendar`` was updated), so the scan sees them.
    """

    container: Container
    interval_s: float = 60.0
    config: EscalationConfig = field(default_factory=EscalationConfig)
    scans: int = 0
    raised: int = 0

    async def recompute_provisional(self) -> None:
        try:
            report = await self.container.recompute_deadlines.execute()
        except Exception:  # the scan must still run; the CLI command can be used instead
            log.exception("recomputing provisional deadlines failed")
            return
        if report.recomputed or report.still_provisional:
            log.info(
                "provisional deadlines: %d recomputed, %d still provisional",
                len(report.recomputed),
                len(report.still_provisional),
            )

    async def run(self) -> None:
        await self.recompute_provisional()
        while True:
            try:
                await self.scan_once()
            except Exception:  # a failed scan is retried at the next tick, never silently
                log.exception("escalation scan failed; retrying in %.0f s", self.interval_s)
            await asyncio.sleep(self.interval_s)

    async def scan_once(self) -> int:
        c = self.container
        now = c.clock.now()
        orders: list[WorkOrder] = []
        offset = 0
        open_statuses = tuple(s for s in WorkOrderStatus if s is not WorkOrderStatus.DRAFT)
        while True:
            page = await c.orders.search(
                OrderQuery(statuses=open_statuses, limit=500, offset=offset)
            )
            orders.extend(page.items)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
        result = scan(orders, now, self.config, calendar=c.calendar)
        by_id = {o.id: o for o in orders}
        for event in result.events:
            order = by_id[event.order_id]
            flagged = with_flags(order, [event.kind.value])
            if flagged is not order:
                record = TransitionRecord(
                    order_id=order.id,
                    version=flagged.version,
                    action="flag",
                    from_status=order.status.value,
                    to_status=flagged.status.value,
                    actor_id="system:scheduler",
                    actor_role="system",
                    actor_unit=None,
                    occurred_at=now,
                    payload={"event": event.to_dict(), "kind": event.kind.value},
                )
                try:
                    await c.orders.update(flagged, order.version, record)
                except ConflictError:  # changed meanwhile: the next scan raises it again
                    log.info("order %s changed during the scan; flag deferred", order.number)
                    continue
                by_id[order.id] = flagged
            await c.bus.publish(ESCALATED_TOPIC, event.to_dict())
            self.raised += 1
        self.scans += 1
        return len(result.events)
