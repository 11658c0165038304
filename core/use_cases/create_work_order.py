"""Create a work order (工单) — from any channel — and normally accept it (受理) at once."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field

from core.errors import ConflictError, NotFoundError
from core.privacy import Viewer
from core.sla import SlaClass
from core.use_cases.checks import require_category, require_role
from core.use_cases.order_writes import WorkOrderWrite
from core.use_cases.ports import IdempotencyRecord, TransitionRecord
from core.use_cases.publishing import publish_all
from core.use_cases.records import command_payload, transition_record
from core.use_cases.view_work_orders import OrderView
from core.work_order import Accept, handle
from core.work_order_events import WorkOrderCreated as WorkOrderCreated
from core.work_order_events import WorkOrderEvent
from core.work_order_model import AppealType, Appellant, Channel, WorkOrder, WorkOrderStatus
from core.work_order_rules import Actor, Role

CREATORS = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True, slots=True, kw_only=True)
class NewWorkOrder:
    title: str
    content: str
    appeal_type: AppealType = AppealType.HELP
    channel: Channel = Channel.PHONE
    category_code: str = ""
    sla_class: SlaClass | None = None  # None: the category's class (else general)
    enterprise: bool = False
    appellant: Appellant = field(default_factory=Appellant)
    address: str = ""
    district: str = ""
    town: str = ""
    call_id: str | None = None
    accept: bool = True  # 受理 right away (the usual case for an agent on a call)

    def fingerprint(self) -> str:
        body = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()


class CreateWorkOrder(WorkOrderWrite):
    async def execute(
        self, viewer: Viewer, data: NewWorkOrder, idempotency_key: str | None = None
    ) -> tuple[OrderView, bool]:
        """Return (order as the viewer sees it, created). With a key this user already used
        for the same request, the first order is returned and ``created`` is False."""
        order, created = await self._create(viewer.actor, data, idempotency_key)
        return await self._presenter.present(viewer, order, purpose="create"), created

    async def _create(
        self, actor: Actor, data: NewWorkOrder, idempotency_key: str | None
    ) -> tuple[WorkOrder, bool]:
        require_role(actor, CREATORS, "create")
        fingerprint = data.fingerprint()
        if idempotency_key:
            existing = await self._replay(actor, idempotency_key, fingerprint)
            if existing is not None:
                return existing, False
        sla_class = data.sla_class or SlaClass.GENERAL
        if data.category_code:
            category = await require_category(self._directory, data.category_code)
            sla_class = data.sla_class or category.sla_class
        now = self._clock.now()
        order = WorkOrder(
            id=uuid.uuid4().hex,
            number=await self._orders.next_number(now),
            status=WorkOrderStatus.DRAFT,
            channel=data.channel,
            appeal_type=data.appeal_type,
            category_code=data.category_code,
            sla_class=sla_class,
            enterprise=data.enterprise,
            title=data.title.strip(),
            content=data.content.strip(),
            appellant=data.appellant,
            address=data.address,
            district=data.district,
            town=data.town,
            call_id=data.call_id,
            created_at=now,
        )
        created = WorkOrderCreated(
            occurred_at=now,
            order_id=order.id,
            number=order.number,
            actor_id=actor.user_id,
            actor_role=actor.role.value,
            actor_unit=actor.unit_code,
            from_status=WorkOrderStatus.DRAFT,
            to_status=WorkOrderStatus.DRAFT,
            version=order.version,
            channel=order.channel,
            appeal_type=order.appeal_type,
            category_code=order.category_code,
            call_id=order.call_id,
        )
        records: list[TransitionRecord] = [
            transition_record(
                before=None,
                after=order,
                action="create",
                actor=actor,
                events=[created],
                command={"command": "Create", "accept": data.accept},
            )
        ]
        events: list[WorkOrderEvent] = [created]
        if data.accept:
            accept = Accept()
            accepted, more = handle(order, accept, actor, now, self._ctx)
            records.append(
                transition_record(
                    before=order,
                    after=accepted,
                    action=accept.action.value,
                    actor=actor,
                    events=more,
                    command=command_payload(accept),
                )
            )
            events.extend(more)
            order = accepted
        idempotency = None
        if idempotency_key:
            idempotency = IdempotencyRecord(
                user_id=actor.user_id,
                key=idempotency_key,
                request_hash=fingerprint,
                order_id=order.id,
                created_at=now,
            )
        try:
            await self._orders.add(order, records, idempotency)
        except ConflictError as exc:
            # Two requests with one key raced; the loser returns the winner's order.
            if exc.code != "idempotency.duplicate" or not idempotency_key:
                raise
            existing = await self._replay(actor, idempotency_key, fingerprint)
            if existing is None:
                raise
            return existing, False
        await publish_all(self._bus, events)
        return order, True

    async def _replay(self, actor: Actor, key: str, fingerprint: str) -> WorkOrder | None:
        record = await self._orders.find_idempotent(actor.user_id, key)
        if record is None:
            return None
        if record.request_hash != fingerprint:
            raise ConflictError(
                "this Idempotency-Key was already used for a different request",
                code="idempotency.key_reused",
                details={"key": key, "order_id": record.order_id},
            )
        order = await self._orders.get(record.order_id)
        if order is None:  # pragma: no cover - the FK keeps the order
            raise NotFoundError("work order of the idempotency key vanished")
        return order
