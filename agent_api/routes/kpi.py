"""KPI reports: calls (from the call-event log) and work orders (from the audit trail), as JSON
and as Excel."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from agent_api.api_time import in_api_zone
from agent_api.auth import CurrentViewer
from agent_api.container import Services
from agent_api.exports import call_kpis_xlsx_blocking, order_kpis_xlsx_blocking
from agent_api.roles import CALL_KPI_READERS, require_role
from core.privacy import Viewer
from core.use_cases.call_kpi_report import CallKpiQuery, CallKpiReport
from core.use_cases.order_kpi_report import WorkOrderKpiReport

router = APIRouter(tags=["kpi"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

From = Annotated[datetime, Query(alias="from", description="inclusive, with time zone")]
To = Annotated[datetime, Query(alias="to", description="exclusive, with time zone")]
Interval = Annotated[Literal["15min", "hour", "day"], Query()]
Name = Annotated[str | None, Query(max_length=64)]


async def _call_query(
    start: From, end: To, interval: Interval = "hour", queue: Name = None, agent: Name = None
) -> CallKpiQuery:
    """The query parameters shared by ``/kpi/calls`` and ``/kpi/calls.xlsx`` (validated by the
    report, after the role check)."""
    return CallKpiQuery(start, end, interval, queue or None, agent or None)


CallQuery = Annotated[CallKpiQuery, Depends(_call_query)]


async def _call_report(viewer: Viewer, services: Services, query: CallKpiQuery) -> dict[str, Any]:
    require_role(viewer, CALL_KPI_READERS)
    result = await CallKpiReport(services.call_events).execute(query)
    return in_api_zone(result.to_json())


async def _order_report(
    viewer: Viewer, services: Services, start: datetime, end: datetime, unit: str | None
) -> dict[str, Any]:
    report = await WorkOrderKpiReport(services.orders).execute(viewer, start, end, unit or None)
    return in_api_zone(report)


@router.get("/kpi/calls")
async def call_kpis(viewer: CurrentViewer, services: Services, query: CallQuery) -> dict[str, Any]:
    """Call KPIs per interval, queue and agent; each rate with numerator, denominator and
    formula; ``calls`` lists the linkedids behind them; ``gaps`` the data-gap markers."""
    return await _call_report(viewer, services, query)


@router.get("/kpi/calls.xlsx")
async def call_kpis_xlsx(viewer: CurrentViewer, services: Services, query: CallQuery) -> Response:
    report = await _call_report(viewer, services, query)
    body = await asyncio.to_thread(call_kpis_xlsx_blocking, report)
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="call-kpis.xlsx"'},
    )


@router.get("/kpi/work-orders")
async def work_order_kpis(
    viewer: CurrentViewer, services: Services, start: From, end: To, unit: Name = None
) -> dict[str, Any]:
    """Per handling unit: 派单量, 按时签收率, 响应率, 办结率, … (``core.kpi_orders``)."""
    return await _order_report(viewer, services, start, end, unit)


@router.get("/kpi/work-orders.xlsx")
async def work_order_kpis_xlsx(
    viewer: CurrentViewer, services: Services, start: From, end: To, unit: Name = None
) -> Response:
    report = await _order_report(viewer, services, start, end, unit)
    body = await asyncio.to_thread(order_kpis_xlsx_blocking, report)
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="work-order-kpis.xlsx"'},
    )
