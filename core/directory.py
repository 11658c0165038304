"""Reference data the work-order use cases look up: divisions, handling units (承办单位),
categories, responsibilities (责任清单) and users."""

from __future__ import annotations

from dataclasses import dataclass

from core.sla import SlaClass
from core.units import Unit as Unit  # 承办单位: one entity, defined in core.units
from core.work_order_rules import Role


@dataclass(frozen=True, slots=True, kw_only=True)
class Division:
    """区划: ``level`` is district (区县), street (街道/镇) or community (社区/村)."""

    code: str
    name: str
    level: str
    parent_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    code: str
    name: str
    parent_code: str | None = None
    sla_class: SlaClass = SlaClass.GENERAL
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Responsibility:
    """责任清单 row (as in ``core/reference/responsibilities.csv``): ``territory`` is a district
    name or ``*``; ``unit_ref`` a unit id or ``@street`` / ``@district`` (属地)."""

    category_code: str
    territory: str
    unit_ref: str
    role: str  # lead | assist | copy
    basis: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    username: str
    display_name: str
    role: Role
    password_hash: str
    unit_id: str | None = None
    sees_personal_data: bool = False  # entitled to the appellant's unmasked name/phone
    active: bool = True
    id: int | None = None
