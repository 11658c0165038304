"""派单 rules: 主办 / 协办 / 抄送 and 双派 (domain.md §3).

Units (:class:`core.units.Unit`) are data passed in; these functions are pure.

* 属地管理优先 / 谁主管谁负责: the caller (dispatcher or classifier) chooses the lead unit.
* 双派: an order led by a street (街道/镇) is copied to its district government; an order led
  by a department that concerns a territory gets that territory (street or district) as 协办.
* 越级调度: any unit may lead — the platform never forces the order down the hierarchy.
* 水电气热: an appeal about water/power/gas/heating goes straight to the utility company.
* 涉企诉求: the district's enterprise liaison (直通车) is copied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from core.errors import NotFoundError, ValidationError
from core.units import Unit as Unit
from core.units import UnitKind as UnitKind
from core.units import UtilityService as UtilityService
from core.units import utility_service_from_name as utility_service_from_name


class DispatchRule(StrEnum):
    """Why a unit was added to a plan (kept with the plan for the audit trail)."""

    STREET_COPY_TO_DISTRICT = "street_copy_to_district"  # 双派：街道件抄送区政府
    TERRITORY_ASSISTS = "territory_assists"  # 双派：部门件涉属地，属地协办
    UTILITY_DIRECT = "utility_direct"  # 水电气热直派
    ENTERPRISE_LIAISON = "enterprise_liaison"  # 涉企直通车
    SKIP_LEVEL = "skip_level"  # 越级调度（记录，不阻止）


@dataclass(frozen=True, slots=True)
class DispatchPlan:
    lead_unit: str
    assisting_units: tuple[str, ...] = ()
    copy_units: tuple[str, ...] = ()
    rules: tuple[DispatchRule, ...] = field(default=())


def index_units(units: Iterable[Unit]) -> dict[str, Unit]:
    out: dict[str, Unit] = {}
    for unit in units:
        if unit.code in out:
            raise ValidationError(
                f"duplicate unit code {unit.code!r}",
                code="unit.duplicate",
                details={"code": unit.code},
            )
        out[unit.code] = unit
    return out


def _get(units: Mapping[str, Unit], code: str) -> Unit:
    unit = units.get(code)
    if unit is None:
        raise NotFoundError(f"unknown unit {code!r}", code="unit.not_found", details={"code": code})
    return unit


def utility_unit(
    units: Mapping[str, Unit], service: UtilityService, district: str = ""
) -> Unit | None:
    """The utility company for ``service``: the district's own, else a city-wide one."""
    candidates = [
        u for u in units.values() if u.kind is UnitKind.UTILITY and u.utility_service is service
    ]
    local = [u for u in candidates if district and u.district == district]
    city = [u for u in candidates if not u.district]
    chosen = local or city
    return min(chosen, key=lambda u: u.code) if chosen else None


def district_government(units: Mapping[str, Unit], district: str) -> Unit | None:
    matches = [
        u for u in units.values() if u.kind is UnitKind.DISTRICT_GOV and u.district == district
    ]
    return min(matches, key=lambda u: u.code) if matches else None


def enterprise_liaison(units: Mapping[str, Unit], district: str) -> Unit | None:
    kinds = [u for u in units.values() if u.kind is UnitKind.ENTERPRISE_LIAISON]
    local = [u for u in kinds if u.district == district]
    chosen = local or [u for u in kinds if not u.district]
    return min(chosen, key=lambda u: u.code) if chosen else None


def plan_dispatch(
    units: Mapping[str, Unit],
    lead: str | None,
    *,
    assisting: Iterable[str] = (),
    copies: Iterable[str] = (),
    territory: str | None = None,
    utility: UtilityService | None = None,
    enterprise: bool = False,
    district: str = "",
) -> DispatchPlan:
    """Complete a dispatch with the 双派 rules.

    ``lead``: chosen lead unit code (None only with ``utility``, which picks the company).
    ``territory``: code of the street/district the matter happens in (for department orders).
    ``utility``: the appeal is about 水电气热 — the utility company leads, whatever ``lead`` says
    is kept as 协办 when it differs (the company handles, the territory helps).
    ``district``: district name of the appeal's address (utility and liaison lookup).
    Unknown codes → NotFoundError(code="unit.not_found").
    """
    rules: list[DispatchRule] = []
    assisting_codes = [c for c in assisting if c]
    copy_codes = [c for c in copies if c]
    if utility is not None:
        company = utility_unit(units, utility, district)
        if company is None:
            raise NotFoundError(
                f"no utility company for {utility.value} in {district or 'the city'}",
                code="unit.utility_not_found",
                details={"service": utility.value, "district": district},
            )
        if lead and lead != company.code:
            _get(units, lead)
            assisting_codes.insert(0, lead)
        lead = company.code
        rules.append(DispatchRule.UTILITY_DIRECT)
    if not lead:
        raise ValidationError("a lead unit (主办) is required", code="dispatch.lead_required")
    lead_unit = _get(units, lead)
    for code in (*assisting_codes, *copy_codes):
        _get(units, code)

    if lead_unit.kind is UnitKind.STREET and lead_unit.district:
        gov = district_government(units, lead_unit.district)
        if gov is not None:
            copy_codes.append(gov.code)
            rules.append(DispatchRule.STREET_COPY_TO_DISTRICT)
    if territory and lead_unit.kind in (UnitKind.DEPARTMENT, UnitKind.UTILITY):
        place = _get(units, territory)
        if place.kind not in (UnitKind.STREET, UnitKind.DISTRICT_GOV):
            raise ValidationError(
                f"territory {territory!r} is a {place.kind.value}, not a street or district",
                code="dispatch.territory_invalid",
                details={"code": territory},
            )
        assisting_codes.append(place.code)
        rules.append(DispatchRule.TERRITORY_ASSISTS)
        if place.kind is UnitKind.STREET and not lead_unit.district:
            rules.append(DispatchRule.SKIP_LEVEL)  # a city department straight to a street
    if enterprise:
        liaison = enterprise_liaison(units, district or lead_unit.district)
        if liaison is not None:
            copy_codes.append(liaison.code)
            rules.append(DispatchRule.ENTERPRISE_LIAISON)

    assisting_t = _dedupe(assisting_codes, {lead})
    copies_t = _dedupe(copy_codes, {lead, *assisting_t})
    return DispatchPlan(lead, assisting_t, copies_t, tuple(rules))


def _dedupe(codes: Iterable[str], exclude: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    for code in codes:
        if code not in exclude and code not in out:
            out.append(code)
    return tuple(out)
