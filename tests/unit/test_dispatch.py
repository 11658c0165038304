"""主办/协办/抄送 and the 双派 rules as a table."""

from __future__ import annotations

import pytest

from core.dispatch import (
    DispatchPlan,
    DispatchRule,
    Unit,
    UnitKind,
    UtilityService,
    index_units,
    plan_dispatch,
)
from core.errors import DomainError, NotFoundError, ValidationError
from core.work_order import Dispatch

K = UnitKind
UNITS = index_units(
    [
        Unit("YT-GOV", "雁塔区人民政府", K.DISTRICT_GOV, "雁塔区"),
        Unit("YT-XZ", "小寨路街道办事处", K.STREET, "雁塔区"),
        Unit("YT-DYT", "大雁塔街道办事处", K.STREET, "雁塔区"),
        Unit("BL-GOV", "碑林区人民政府", K.DISTRICT_GOV, "碑林区"),
        Unit("YT-URBAN", "雁塔区城市管理和综合执法局", K.DEPARTMENT, "雁塔区"),
        Unit("CITY-HOUSING", "西安市住房和城乡建设局", K.DEPARTMENT, ""),
        Unit("CITY-WATER", "西安水务集团", K.UTILITY, "", utility_service=UtilityService.WATER),
        Unit("CITY-GAS", "西安秦华燃气集团", K.UTILITY, "", utility_service=UtilityService.GAS),
        Unit("YT-GAS", "雁塔区燃气服务站", K.UTILITY, "雁塔区", utility_service=UtilityService.GAS),
        Unit("YT-ENT", "雁塔区涉企直通车联络员", K.ENTERPRISE_LIAISON, "雁塔区"),
    ]
)

R = DispatchRule
CASES = [
    (
        "street lead → copy district (双派)",
        {"lead": "YT-XZ"},
        DispatchPlan("YT-XZ", (), ("YT-GOV",), (R.STREET_COPY_TO_DISTRICT,)),
    ),
    (
        "district dept + territory → territory assists",
        {"lead": "YT-URBAN", "territory": "YT-DYT"},
        DispatchPlan("YT-URBAN", ("YT-DYT",), (), (R.TERRITORY_ASSISTS,)),
    ),
    (
        "city dept straight to a street (越级)",
        {"lead": "CITY-HOUSING", "territory": "YT-XZ"},
        DispatchPlan("CITY-HOUSING", ("YT-XZ",), (), (R.TERRITORY_ASSISTS, R.SKIP_LEVEL)),
    ),
    (
        "city dept with district territory",
        {"lead": "CITY-HOUSING", "territory": "BL-GOV"},
        DispatchPlan("CITY-HOUSING", ("BL-GOV",), (), (R.TERRITORY_ASSISTS,)),
    ),
    ("district gov leads alone", {"lead": "YT-GOV"}, DispatchPlan("YT-GOV", (), (), ())),
    (
        "水 straight to the city utility",
        {"lead": None, "utility": UtilityService.WATER, "district": "雁塔区"},
        DispatchPlan("CITY-WATER", (), (), (R.UTILITY_DIRECT,)),
    ),
    (
        "气: the district's own company first",
        {"lead": None, "utility": UtilityService.GAS, "district": "雁塔区"},
        DispatchPlan("YT-GAS", (), (), (R.UTILITY_DIRECT,)),
    ),
    (
        "气 elsewhere: city company",
        {"lead": None, "utility": UtilityService.GAS, "district": "碑林区"},
        DispatchPlan("CITY-GAS", (), (), (R.UTILITY_DIRECT,)),
    ),
    (
        "utility leads, chosen street assists",
        {"lead": "YT-XZ", "utility": UtilityService.WATER},
        DispatchPlan("CITY-WATER", ("YT-XZ",), (), (R.UTILITY_DIRECT,)),
    ),
    (
        "enterprise appeal copies the liaison",
        {"lead": "YT-URBAN", "enterprise": True, "district": "雁塔区"},
        DispatchPlan("YT-URBAN", (), ("YT-ENT",), (R.ENTERPRISE_LIAISON,)),
    ),
    (
        "explicit units deduplicated",
        {
            "lead": "YT-XZ",
            "assisting": ["YT-XZ", "YT-URBAN", "YT-URBAN"],
            "copies": ["YT-URBAN", "YT-GOV"],
        },
        DispatchPlan("YT-XZ", ("YT-URBAN",), ("YT-GOV",), (R.STREET_COPY_TO_DISTRICT,)),
    ),
]


@pytest.mark.parametrize(("kwargs", "plan"), [pytest.param(k, p, id=n) for n, k, p in CASES])
def test_dispatch_rules(kwargs: dict[str, object], plan: DispatchPlan) -> None:
    assert plan_dispatch(UNITS, **kwargs) == plan  # type: ignore[arg-type]


BAD = [
    ("unknown lead", {"lead": "NOPE"}, NotFoundError, "unit.not_found"),
    (
        "unknown assisting",
        {"lead": "YT-XZ", "assisting": ["NOPE"]},
        NotFoundError,
        "unit.not_found",
    ),
    (
        "unknown territory",
        {"lead": "YT-URBAN", "territory": "NOPE"},
        NotFoundError,
        "unit.not_found",
    ),
    (
        "territory is a department",
        {"lead": "YT-URBAN", "territory": "CITY-HOUSING"},
        ValidationError,
        "dispatch.territory_invalid",
    ),
    ("no lead", {"lead": None}, ValidationError, "dispatch.lead_required"),
    (
        "no heating company",
        {"lead": None, "utility": UtilityService.HEATING},
        NotFoundError,
        "unit.utility_not_found",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "code"), [pytest.param(k, e, c, id=n) for n, k, e, c in BAD]
)
def test_bad_dispatch(kwargs: dict[str, object], error: type[DomainError], code: str) -> None:
    with pytest.raises(error) as err:
        plan_dispatch(UNITS, **kwargs)  # type: ignore[arg-type]
    assert err.value.code == code


def test_duplicate_unit_codes_are_refused() -> None:
    with pytest.raises(ValidationError):
        index_units([Unit("A", "a", K.STREET), Unit("A", "b", K.STREET)])


def test_plan_becomes_a_dispatch_command() -> None:
    plan = plan_dispatch(UNITS, "YT-XZ")
    assert Dispatch.from_plan(plan) == Dispatch(lead_unit="YT-XZ", copy_units=("YT-GOV",))


@pytest.mark.parametrize(
    ("name", "kind", "service"),
    [
        ("西安市自来水有限公司", "utility", UtilityService.WATER),
        ("国网西安供电公司", "utility", UtilityService.POWER),
        ("西安秦华天然气有限公司", "utility", UtilityService.GAS),
        ("西安市热力集团", "utility", UtilityService.HEATING),
        ("某某物业公司", "utility", None),
        ("雁塔区水务局", "department", None),  # only utilities get a service
    ],
)
def test_unit_from_plain_strings(name: str, kind: str, service: UtilityService | None) -> None:
    unit = Unit.of("C1", name, kind, None)
    assert (unit.kind, unit.district, unit.utility_service) == (UnitKind(kind), "", service)


def test_unit_with_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        Unit.of("C1", "x", "ministry")
    assert err.value.code == "unit.kind_invalid"
