from __future__ import annotations

from fastapi import APIRouter

from agent_api.auth import CurrentViewer
from agent_api.container import Services
from agent_api.schemas import CategoryRead, UnitRead

router = APIRouter(tags=["reference"])


@router.get("/units", response_model=list[UnitRead])
async def list_units(viewer: CurrentViewer, services: Services) -> list[UnitRead]:
    units = await services.directory.list_units()
    return [
        UnitRead(id=u.id, name=u.name, kind=u.kind, district=u.district, parent_id=u.parent_id)
        for u in units
        if u.active
    ]


@router.get("/categories", response_model=list[CategoryRead])
async def list_categories(viewer: CurrentViewer, services: Services) -> list[CategoryRead]:
    categories = await services.directory.list_categories()
    return [
        CategoryRead(
            code=c.code, name=c.name, parent_code=c.parent_code, sla_class=c.sla_class.value
        )
        for c in categories
        if c.active
    ]
