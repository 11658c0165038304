"""Create, list, read work orders; a unit's own view; the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from agent_api.api_time import in_api_zone
from agent_api.auth import CurrentViewer
from agent_api.container import Services
from agent_api.presenters import work_order_read
from agent_api.schemas import (
    AppellantCreate,
    PersonalDataReadRead,
    TransitionRead,
    WorkOrderCreate,
    WorkOrderPageRead,
    WorkOrderRead,
    WorkOrderUpdate,
)
from core.errors import PermissionDeniedError, ValidationError
from core.privacy import FULL_VIEW_ROLES
from core.use_cases.create_work_order import NewWorkOrder
from core.use_cases.edit_work_order import WorkOrderChanges
from core.use_cases.ports import OrderQuery
from core.use_cases.view_work_orders import OrderPage
from core.work_order_model import Appellant, WorkOrderStatus

router = APIRouter(tags=["work orders"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="Same key (per user) → the same order is returned, never a second one.",
    ),
]


def _appellant(body: AppellantCreate) -> Appellant:
    return Appellant(name=body.name, phone=body.phone, confidential=body.confidential)


@router.post("/work-orders", response_model=WorkOrderRead, status_code=201)
async def create_work_order(
    body: WorkOrderCreate,
    viewer: CurrentViewer,
    services: Services,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> WorkOrderRead:
    data = NewWorkOrder(
        title=body.title,
        content=body.content,
        appeal_type=body.appeal_type,
        channel=body.channel,
        category_code=body.category_code,
        sla_class=body.sla_class,
        enterprise=body.enterprise,
        appellant=_appellant(body.appellant),
        address=body.address,
        district=body.district,
        town=body.town,
        call_id=body.call_id,
        accept=body.accept,
    )
    view, created = await services.create_work_order.execute(viewer, data, idempotency_key)
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/work-orders/{view.order.id}"
    return work_order_read(view)


def _query(
    status: list[WorkOrderStatus] | None,
    unit: str | None,
    category: str | None,
    district: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    overdue_at: datetime | None,
    limit: int,
    offset: int,
    phone: str | None = None,
) -> OrderQuery:
    for name, value in (
        ("created_from", created_from),
        ("created_to", created_to),
        ("overdue_at", overdue_at),
    ):
        if value is not None and value.tzinfo is None:
            raise ValidationError(
                f"{name} needs a time zone (e.g. 2026-11-21T08:00:00+08:00)",
                details={"errors": [{"field": f"query.{name}", "message": "naive datetime"}]},
            )
    return OrderQuery(
        statuses=tuple(status or ()),
        unit_id=unit,
        category_code=category,
        district=district,
        created_from=created_from,
        created_to=created_to,
        overdue_at=overdue_at,
        phone=phone or None,
        limit=limit,
        offset=offset,
    )


def _page(page: OrderPage) -> WorkOrderPageRead:
    return WorkOrderPageRead(
        items=[work_order_read(v) for v in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/work-orders", response_model=WorkOrderPageRead)
async def list_work_orders(
    viewer: CurrentViewer,
    services: Services,
    status: Annotated[list[WorkOrderStatus] | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    category: Annotated[str | None, Query(max_length=32)] = None,
    district: Annotated[str | None, Query(max_length=64)] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    overdue: Annotated[bool, Query(description="only orders past their current deadline")] = False,
    phone: Annotated[str | None, Query(max_length=32, description="appellant phone")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WorkOrderPageRead:
    """Filters: status (repeatable), unit (lead/assisting/copy), category, district, creation
    time range [from, to), overdue now, appellant phone (hotline staff only: the agent desk's
    caller profile). A unit user always sees only its own unit's orders."""
    if phone and viewer.actor.role not in FULL_VIEW_ROLES:
        raise PermissionDeniedError("only hotline staff search by phone", code="auth.forbidden")
    overdue_at = services.clock.now() if overdue else None
    query = _query(
        status, unit, category, district, created_from, created_to, overdue_at, limit, offset, phone
    )
    return _page(await services.view_work_orders.search(viewer, query))


@router.get("/units/{unit_id}/work-orders", response_model=WorkOrderPageRead)
async def unit_work_orders(
    unit_id: str,
    viewer: CurrentViewer,
    services: Services,
    status: Annotated[list[WorkOrderStatus] | None, Query()] = None,
    overdue: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WorkOrderPageRead:
    """A unit's own view (主办/协办/抄送). Another unit's view is 404 for a unit user."""
    overdue_at = services.clock.now() if overdue else None
    query = _query(status, unit_id, None, None, None, None, overdue_at, limit, offset)
    return _page(await services.view_work_orders.search(viewer, query, purpose="unit_view"))


@router.patch("/work-orders/{order_id}", response_model=WorkOrderRead)
async def edit_work_order(
    order_id: str, body: WorkOrderUpdate, viewer: CurrentViewer, services: Services
) -> WorkOrderRead:
    """Correct intake fields while the order is a draft or accepted (not yet dispatched)."""
    changes = WorkOrderChanges(
        title=body.title,
        content=body.content,
        appeal_type=body.appeal_type,
        channel=body.channel,
        category_code=body.category_code,
        sla_class=body.sla_class,
        enterprise=body.enterprise,
        appellant=None if body.appellant is None else _appellant(body.appellant),
        address=body.address,
        district=body.district,
        town=body.town,
    )
    view = await services.edit_work_order.execute(
        viewer, order_id, changes, expected_version=body.expected_version
    )
    return work_order_read(view)


@router.get("/work-orders/{order_id}", response_model=WorkOrderRead)
async def get_work_order(order_id: str, viewer: CurrentViewer, services: Services) -> WorkOrderRead:
    return work_order_read(await services.view_work_orders.get(viewer, order_id))


@router.get("/work-orders/{order_id}/transitions", response_model=list[TransitionRead])
async def work_order_transitions(
    order_id: str, viewer: CurrentViewer, services: Services
) -> list[TransitionRead]:
    """The audit trail: every transition with who, when, action, from → to and payload."""
    records = await services.view_work_orders.transitions(viewer, order_id)
    return [
        TransitionRead(
            version=r.version,
            action=r.action,
            from_status=r.from_status,
            to_status=r.to_status,
            actor_id=r.actor_id,
            actor_role=r.actor_role,
            actor_unit=r.actor_unit,
            occurred_at=r.occurred_at,
            payload=in_api_zone(dict(r.payload)),
        )
        for r in records
    ]


@router.get(
    "/work-orders/{order_id}/personal-data-reads", response_model=list[PersonalDataReadRead]
)
async def personal_data_reads(
    order_id: str, viewer: CurrentViewer, services: Services
) -> list[PersonalDataReadRead]:
    """Who read this order's unmasked personal data, when (supervisor, admin)."""
    reads = await services.view_work_orders.personal_data_reads(viewer, order_id)
    return [
        PersonalDataReadRead(
            user_id=r.user_id,
            role=r.role,
            unit_id=r.unit_id,
            fields=list(r.fields),
            purpose=r.purpose,
            read_at=r.read_at,
        )
        for r in reads
    ]
