"""Call records: list with filters, one call with timeline + transcript + linked orders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from agent_api.api_time import in_api_zone
from agent_api.auth import CurrentViewer
from agent_api.container import Services
from core.errors import ValidationError
from core.use_cases.view_calls import CallQuery

router = APIRouter(tags=["calls"])


class CallPageRead(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class TranscriptSegmentRead(BaseModel):
    speaker: str
    start_ms: int
    end_ms: int
    text: str
    text_normalised: str
    final: bool
    confidence: float
    gap: bool


class LinkedOrderRead(BaseModel):
    id: str
    number: str
    status: str
    title: str


class CallDetailRead(BaseModel):
    record: dict[str, Any]
    transcript: list[TranscriptSegmentRead]
    work_orders: list[LinkedOrderRead]


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValidationError(f"{name} needs a time zone (e.g. +08:00)", code="call.bad_query")
    return value


@router.get("/calls", response_model=CallPageRead)
async def list_calls(
    viewer: CurrentViewer,
    services: Services,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    queue: str | None = None,
    outcome: str | None = None,
    number: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CallPageRead:
    query = CallQuery(
        _aware(start, "from"), _aware(end, "to"), queue, outcome, number, limit, offset
    )
    items, total = await services.view_calls.list(viewer, query)
    return CallPageRead(items=in_api_zone(items), total=total, limit=limit, offset=offset)


@router.get("/calls/{linkedid}", response_model=CallDetailRead)
async def get_call(linkedid: str, viewer: CurrentViewer, services: Services) -> CallDetailRead:
    detail = await services.view_calls.get(viewer, linkedid)
    return CallDetailRead(
        record=in_api_zone(detail.record),
        transcript=[
            TranscriptSegmentRead(
                speaker=s.speaker,
                start_ms=s.start_ms,
                end_ms=s.end_ms,
                text=s.text,
                text_normalised=s.text_normalised,
                final=s.final,
                confidence=s.confidence,
                gap=s.gap,
            )
            for s in detail.transcript
        ],
        work_orders=[
            LinkedOrderRead(id=o.id, number=o.number, status=o.status, title=o.title)
            for o in detail.orders
        ],
    )
