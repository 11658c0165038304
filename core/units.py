"""承办单位 (handling unit): the one unit entity shared by dispatch, the reference CSV loader,
the directory repository and the API.

``code`` is the unit's stable identifier (the reference file's ``code``, the directory table's
``id``); ``district`` is the district name it belongs to ("" = city-wide).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from enum import StrEnum

from core.errors import ValidationError


class UnitKind(StrEnum):
    DISTRICT_GOV = "district_gov"  # 区县政府
    STREET = "street"  # 街道办 / 镇政府
    DEPARTMENT = "department"  # 职能部门
    UTILITY = "utility"  # 水电气热 公共服务企业
    ENTERPRISE_LIAISON = "enterprise_liaison"  # 涉企直通车联络员


class UtilityService(StrEnum):
    WATER = "water"  # 供水
    POWER = "power"  # 供电
    GAS = "gas"  # 燃气
    HEATING = "heating"  # 供热


@dataclass(frozen=True, slots=True)
class Unit:
    """A handling unit (承办单位). Fields after ``district`` are keyword-only."""

    code: str
    name: str
    kind: UnitKind
    district: str = ""
    _: KW_ONLY
    parent_code: str | None = None
    utility_service: UtilityService | None = None  # for kind=utility: what it supplies
    division_code: str | None = None  # NBS division of a district government / street office
    duty_phone: str | None = None
    active: bool = True

    @property
    def id(self) -> str:
        """The directory table's and the API's name for :attr:`code`."""
        return self.code

    @property
    def parent_id(self) -> str | None:
        """The directory table's and the API's name for :attr:`parent_code`."""
        return self.parent_code

    @classmethod
    def of(
        cls,
        code: str,
        name: str,
        kind: str,
        district: str | None = "",
        utility_service: str | None = None,
        *,
        parent_code: str | None = None,
        division_code: str | None = None,
        duty_phone: str | None = None,
        active: bool = True,
    ) -> Unit:
        """Build from plain strings (directory rows, reference CSV). For a utility without an
        explicit service, the service is read from its name (水务/供电/燃气/热力…)."""
        try:
            unit_kind = UnitKind(kind)
        except ValueError:
            raise ValidationError(
                f"unit {code!r}: unknown kind {kind!r}",
                code="unit.kind_invalid",
                details={"code": code, "allowed": [k.value for k in UnitKind]},
            ) from None
        service = UtilityService(utility_service) if utility_service else None
        if unit_kind is UnitKind.UTILITY and service is None:
            service = utility_service_from_name(name)
        return cls(
            code,
            name,
            unit_kind,
            district or "",
            parent_code=parent_code,
            utility_service=service,
            division_code=division_code,
            duty_phone=duty_phone,
            active=active,
        )


_SERVICE_WORDS: tuple[tuple[UtilityService, tuple[str, ...]], ...] = (
    (UtilityService.HEATING, ("热力", "供热", "供暖")),
    (UtilityService.GAS, ("燃气", "天然气", "煤气")),
    (UtilityService.POWER, ("供电", "电力", "电网")),
    (UtilityService.WATER, ("水务", "自来水", "供水", "排水")),
)


def utility_service_from_name(name: str) -> UtilityService | None:
    """水电气热 service named in a unit's name, e.g. 西安市自来水有限公司 → water."""
    for service, words in _SERVICE_WORDS:
        if any(word in name for word in words):
            return service
    return None
