"""Seed a demo city: Xi'an divisions, the reference categories/units/responsibility list
(``core/reference``), a street office for every Xi'an street/town, and demo users for every role
with known development passwords. Idempotent: running it again updates in place."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from core.directory import Category, Division, Responsibility, User
from core.divisions import Gazetteer
from core.passwords import hash_password_blocking
from core.reference import ReferenceData, load_reference
from core.sla import SlaClass
from core.work_order_rules import Role
from storage.directory_repo import SqlDirectoryRepository


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    unit_id: str | None = None
    sees_personal_data: bool = False

    @property
    def password(self) -> str:
        # Development only: printed by seed-demo; Settings refuses dev secrets outside env=dev.
        return f"{self.username}-12345"


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("agent01", "话务员01", Role.AGENT),
    DemoUser("dispatcher01", "派单员01", Role.DISPATCHER),
    DemoUser("supervisor01", "值班长01", Role.SUPERVISOR),
    DemoUser("trainer01", "质检员01", Role.TRAINER),
    DemoUser("admin", "系统管理员", Role.ADMIN),
    DemoUser("water01", "水务集团受理员", Role.UNIT_USER, "util.water"),
    DemoUser("water_lead", "水务集团承办负责人", Role.UNIT_USER, "util.water", True),
    DemoUser("housing01", "住建局受理员", Role.UNIT_USER, "dept.housing"),
    DemoUser("city01", "城管局受理员", Role.UNIT_USER, "dept.city_management"),
    DemoUser("yanta01", "雁塔区政府受理员", Role.UNIT_USER, "610113"),
    DemoUser("xiaozhai01", "小寨路街道受理员", Role.UNIT_USER, "610113001"),
)


# Gazetteer levels (core/reference/divisions_xian.csv) → the directory's division levels.
_LEVELS = {
    "district": "district",
    "town": "street",
    "community": "community",
    "village": "community",
}


def load_divisions(city: str = "西安市") -> list[Division]:
    """The city's districts, streets/towns and communities/villages from the ONE gazetteer
    file the auto-fill also uses (``core/reference/``), parents before children."""
    gazetteer = Gazetteer.for_city(city)
    return [
        Division(
            code=d.code,
            name=d.name,
            level=_LEVELS[level],
            parent_code=None if level == "district" else d.parent_code,
        )
        for level in ("district", "town", "community", "village")
        for d in gazetteer.by_level(level)
    ]


def reference_with_streets(divisions: list[Division]) -> ReferenceData:
    district_names = {d.code: d.name for d in divisions if d.level == "district"}
    streets = [
        (d.code, d.name, district_names[d.parent_code or ""])
        for d in divisions
        if d.level == "street"
    ]
    return load_reference().with_streets(streets)


@dataclass(frozen=True, slots=True)
class SeedSummary:
    divisions: int
    units: int
    categories: int
    responsibilities: int
    users: tuple[DemoUser, ...]


async def seed_demo(directory: SqlDirectoryRepository, now: datetime) -> SeedSummary:
    divisions = load_divisions()
    reference = reference_with_streets(divisions)
    codes = {d.code for d in divisions}
    await directory.save_divisions(divisions)
    await directory.save_categories(
        [
            Category(
                code=c.code,
                name=c.name,
                parent_code=c.parent_code,
                sla_class=SlaClass(c.sla_class),
            )
            for c in reference.categories.values()
        ]
    )
    await directory.save_units(
        [
            replace(u, division_code=u.code if u.code in codes else None)
            for u in reference.units.values()
        ]
    )
    await directory.replace_responsibilities(
        [
            Responsibility(
                category_code=r.category_code,
                territory=r.territory,
                unit_ref=r.unit_code,
                role=r.role,
                basis=r.basis,
            )
            for r in reference.responsibilities
        ]
    )
    for demo in DEMO_USERS:
        password_hash = await asyncio.to_thread(hash_password_blocking, demo.password)
        await directory.save_user(
            User(
                username=demo.username,
                display_name=demo.display_name,
                role=demo.role,
                password_hash=password_hash,
                unit_id=demo.unit_id,
                sees_personal_data=demo.sees_personal_data,
            ),
            created_at=now,
        )
    return SeedSummary(
        divisions=len(divisions),
        units=len(reference.units),
        categories=len(reference.categories),
        responsibilities=len(reference.responsibilities),
        users=DEMO_USERS,
    )
