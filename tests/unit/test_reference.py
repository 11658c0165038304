"""Reference data (categories, units, 权责清单): shipped files load, bad edits are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.errors import ValidationError
from core.reference import DEFAULT_DIR, SLA_CLASSES, UNIT_KINDS, load_reference

XIAN_DISTRICTS = [
    "新城区",
    "碑林区",
    "莲湖区",
    "灞桥区",
    "未央区",
    "雁塔区",
    "阎良区",
    "临潼区",
    "长安区",
    "高陵区",
    "鄠邑区",
    "蓝田县",
    "周至县",
]


def test_shipped_reference_is_consistent() -> None:
    ref = load_reference()
    assert {c.sla_class for c in ref.categories.values()} == set(SLA_CLASSES)
    assert {u.kind for u in ref.units.values()} == set(UNIT_KINDS)
    assert sorted(
        u.district or "" for u in ref.units.values() if u.kind == "district_gov"
    ) == sorted(XIAN_DISTRICTS)
    tipdm = {
        "城乡建设",
        "环境保护",
        "交通运输",
        "商贸旅游",
        "卫生计生",
        "劳动和社会保障",
        "教育文体",
    }
    assert tipdm <= {c.name for c in ref.categories.values() if c.level == 1}
    # every second-level category can be dispatched somewhere
    for category in ref.categories.values():
        if category.level == 2:
            assert ref.responsibilities_for(category.code, "雁塔区"), category.code


@pytest.mark.parametrize(
    ("category", "district", "street", "lead"),
    [
        ("urban.property", "雁塔区", "小寨路街道", "雁塔区小寨路街道办事处"),
        ("urban.property", "莲湖区", None, "西安市莲湖区人民政府"),
        ("utilities.heating", "碑林区", None, "西安市热力集团有限责任公司"),
        ("agriculture.land", "长安区", None, "西安市长安区人民政府"),
        ("agriculture.land", "周至县", None, "西安市周至县人民政府"),
        ("market.enterprise", None, None, "西安市12345涉企诉求服务专班"),
    ],
)
def test_lead_unit_by_category_and_place(
    category: str, district: str | None, street: str | None, lead: str
) -> None:
    ref = load_reference()
    rows = [r for r in ref.responsibilities_for(category, district) if r.role == "lead"]
    unit = ref.resolve_unit(rows[0].unit_code, district, street)
    assert unit is not None
    assert unit.name == lead


def test_streets_from_gazetteer_become_offices() -> None:
    ref = load_reference().with_streets(
        [("610113002", "大雁塔街道", "雁塔区"), ("610124101", "哑柏镇", "周至县")]
    )
    office = ref.resolve_unit("@street", "雁塔区", "大雁塔")
    assert office is not None
    assert office.name == "雁塔区大雁塔街道办事处"
    assert ref.unit("610124101").name == "周至县哑柏镇人民政府"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("categories.csv", "urban,城乡建设,,1,general", "urban,城乡建设,,1,urgent", "sla_class"),
        (
            "units.csv",
            "util.gas,西安秦华燃气集团有限公司,utility",
            "util.gas,西安秦华燃气集团有限公司,company",
            "kind",
        ),
        (
            "responsibilities.csv",
            "utilities.gas,*,util.gas,lead",
            "utilities.gas,*,util.gaz,lead",
            "未知承办单位",
        ),
        (
            "responsibilities.csv",
            "utilities.gas,*,util.gas,lead",
            "utilities.gas,西安区,util.gas,lead",
            "territory",
        ),
        (
            "responsibilities.csv",
            "utilities.gas,*,util.gas,lead",
            "utilities.gas,*,util.gas,boss",
            "role",
        ),
    ],
)
def test_bad_edit_is_refused_with_file_and_line(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    target = tmp_path / "reference"
    shutil.copytree(DEFAULT_DIR, target)
    path = target / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValidationError, match=message) as info:
        load_reference(target)
    assert file in info.value.message
    assert "行" in info.value.message
