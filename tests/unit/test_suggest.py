"""Handling-unit suggestion as readable tables: category × place × 权责清单 → units."""

from __future__ import annotations

import pytest

from classifier.suggest import suggest_units
from core.reference import ReferenceData, load_reference


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference().with_streets([("610113002", "大雁塔街道", "雁塔区")])


@pytest.mark.parametrize(
    ("category", "district", "street", "first_unit", "sla_class"),
    [
        # 水电气热 → straight to the utility company, 24 h class
        ("utilities.water", "雁塔区", None, "util.water", "utility"),
        ("utilities.power", "碑林区", None, "util.power", "utility"),
        ("utilities.gas", "未央区", None, "util.gas", "utility"),
        ("utilities.heating", "新城区", None, "util.heating", "utility"),
        # 属地管理优先: property matters go to the street office of the place
        ("urban.property", "雁塔区", "小寨路街道", "610113001", "general"),
        ("urban.property", "雁塔区", "大雁塔街道", "610113002", "general"),
        # …and to the district government when the street is not known
        ("urban.property", "莲湖区", None, "610104", "general"),
        # territory-specific rows replace the general ones
        ("agriculture.land", "长安区", None, "610116", "complex"),
        ("agriculture.land", "周至县", None, "610124", "complex"),
        ("urban.expropriation", "雁塔区", None, "610113", "complex"),
        # 谁主管谁负责: departments for sector matters
        ("labour.wages", "灞桥区", None, "dept.hrss", "general"),
        ("market.food", None, None, "dept.market", "general"),
        # a first-level label spreads over its children
        ("教育文体", None, None, "dept.education", "general"),
    ],
)
def test_first_unit(
    ref: ReferenceData,
    category: str,
    district: str | None,
    street: str | None,
    first_unit: str,
    sla_class: str,
) -> None:
    s = suggest_units([(category, 0.9)], ref, district=district, street=street)
    assert s.dispatch
    assert s.units[0].unit_code == first_unit
    assert s.sla_class == sla_class
    assert len(s.units) <= 3
    assert abs(sum(u.probability for u in s.units) - 1.0) < 0.2


def test_reason_is_readable(ref: ReferenceData) -> None:
    s = suggest_units(
        [("urban.property", 0.8), ("environment.noise", 0.2)],
        ref,
        district="雁塔区",
        street="小寨路街道",
        top_terms=["物业", "停车费"],
    )
    first = s.units[0]
    assert first.unit_name == "雁塔区小寨路街道办事处"
    assert "物业管理与小区服务" in first.reason
    assert "物业管理条例" in first.reason
    assert "属地：雁塔区小寨路街道" in first.reason
    assert "关键词：物业、停车费" in first.reason
    # 双派: the street's district government is copied
    assert [c.unit_code for c in s.copies] == ["610113"]


def test_territory_row_is_named_in_reason(ref: ReferenceData) -> None:
    s = suggest_units([("agriculture.land", 1.0)], ref, district="长安区")
    assert "长安区专项" in s.units[0].reason


@pytest.mark.parametrize(
    ("category", "prompt_word"),
    [("police.emergency", "110"), ("utilities.gas_leak", "119")],
)
def test_emergency_prompts_transfer_and_does_not_dispatch(
    ref: ReferenceData, category: str, prompt_word: str
) -> None:
    s = suggest_units([(category, 0.7), ("urban.property", 0.3)], ref, district="雁塔区")
    assert not s.dispatch
    assert s.units == []
    assert s.copies == []
    assert s.emergency_prompt is not None
    assert prompt_word in s.emergency_prompt
    assert s.sla_class == "emergency"


def test_hazard_is_dispatched_within_two_hours(ref: ReferenceData) -> None:
    s = suggest_units([("urban.hazard", 1.0)], ref, district="碑林区")
    assert s.dispatch
    assert s.sla_class == "emergency"
    assert s.units[0].unit_code == "dept.emergency_management"


def test_urgent_flag_from_autofill_adds_prompt_but_keeps_dispatch(ref: ReferenceData) -> None:
    s = suggest_units([("urban.municipal", 1.0)], ref, district="碑林区", urgent=True)
    assert s.dispatch
    assert s.emergency_prompt is not None
    assert s.sla_class == "emergency"


def test_enterprise_category_goes_to_liaison(ref: ReferenceData) -> None:
    s = suggest_units([("market.enterprise", 1.0)], ref, district="高陵区")
    assert s.enterprise
    assert s.units[0].unit_code == "ent.liaison"
    assert s.sla_class == "enterprise"


def test_enterprise_flag_copies_liaison(ref: ReferenceData) -> None:
    s = suggest_units([("labour.wages", 1.0)], ref, district="高陵区", enterprise=True)
    assert s.enterprise
    assert s.units[0].unit_code == "dept.hrss"
    assert "ent.liaison" in [c.unit_code for c in s.copies]


def test_unit_head_is_blended(ref: ReferenceData) -> None:
    # The category says 城管 leads; a confident unit head pulls the street office up.
    plain = suggest_units([("urban.municipal", 1.0)], ref, district="雁塔区", street="小寨路街道")
    blended = suggest_units(
        [("urban.municipal", 1.0)],
        ref,
        district="雁塔区",
        street="小寨路街道",
        unit_probabilities=[("@street", 1.0)],
    )
    assert "610113001" not in [u.unit_code for u in plain.units]
    assert "610113001" in [u.unit_code for u in blended.units]


def test_unknown_labels_give_no_units(ref: ReferenceData) -> None:
    s = suggest_units([("不存在的分类", 1.0)], ref)
    assert s.units == []
    assert s.category is None
