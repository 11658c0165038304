"""The Xi'an gazetteer: generated data file, spoken aliases, lookup and disambiguation."""

from __future__ import annotations

from pathlib import Path

import pytest

from autofill import gazetteer_build
from core.divisions import Division, Gazetteer, default_gazetteer_path
from core.errors import ValidationError
from tests.conftest import ROOT, shared_path


@pytest.fixture(scope="module")
def xian() -> Gazetteer:
    return Gazetteer.for_city("西安市")


def test_shipped_file_has_every_level(xian: Gazetteer) -> None:
    levels = {level: len(xian.by_level(level)) for level in ("district", "town")}
    assert levels == {"district": 13, "town": 172}
    communities = len(xian.by_level("community")) + len(xian.by_level("village"))
    assert communities == 3223
    assert xian.city is not None
    assert xian.city.name == "西安市"


def test_shipped_file_is_what_the_script_builds(tmp_path: Path) -> None:
    source = shared_path("data", "admin_divisions")
    out = tmp_path / "divisions.csv"
    gazetteer_build.main(["--source", str(source), "--city", "西安市", "--out", str(out)])
    shipped = ROOT / "core" / "reference" / "divisions_xian.csv"
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "aliases"),
    [
        ("小寨路街道", ["小寨路", "小寨"]),
        ("韦曲街道", ["韦曲"]),
        ("九间房镇", ["九间房"]),
        ("长乐中路街道", ["长乐中路"]),
        ("红旗街道", []),  # an everyday word, never an alias
        ("厚镇", []),  # one character is too short
    ],
)
def test_town_aliases(name: str, aliases: list[str]) -> None:
    assert gazetteer_build.town_aliases(name) == aliases


@pytest.mark.parametrize(
    ("name", "kind", "aliases"),
    [
        ("民乐社区居委会", "community", ["民乐社区"]),
        ("韩北社区居民委员会", "community", ["韩北社区"]),
        ("康家村社区居民委员会", "community", ["康家村社区", "康家村"]),
        ("北张村委会", "village", ["北张村"]),
        ("小寨村委会", "village", ["小寨村"]),
    ],
)
def test_community_aliases(name: str, kind: str, aliases: list[str]) -> None:
    assert gazetteer_build.community_aliases(name) == (kind, aliases)


@pytest.mark.parametrize(
    ("said", "official", "level"),
    [
        ("小寨", "小寨路街道", "town"),
        ("韦曲", "韦曲街道", "town"),
        ("雁塔", "雁塔区", "district"),
        ("户县", "鄠邑区", "district"),
        ("灞桥", "灞桥区", "district"),  # the district, not 灞桥街道
        ("民乐社区", "民乐社区居委会", "community"),
    ],
)
def test_spoken_names_resolve(xian: Gazetteer, said: str, official: str, level: str) -> None:
    hits = xian.find(f"我在{said}这边")
    assert len(hits) == 1
    division, _ = xian.choose(hits[0])
    assert (division.name, division.level) == (official, level)


def test_find_is_leftmost_longest(xian: Gazetteer) -> None:
    hits = xian.find("雁塔区小寨路街道")
    assert [h.surface for h in hits] == ["雁塔区", "小寨路街道"]
    assert all(h.exact for h in hits)


def test_context_decides_between_same_names(xian: Gazetteer) -> None:
    (hit,) = xian.find("小寨")
    assert {c.name for c in hit.candidates} == {"小寨路街道", "小寨镇"}
    lantian = next(d for d in xian.by_level("district") if d.name == "蓝田县")
    division, sure = xian.choose(hit, within=[lantian.code])
    assert (division.name, sure) == ("小寨镇", True)
    division, sure = xian.choose(hit)
    assert (division.name, sure) == ("小寨路街道", False)


def test_ancestors(xian: Gazetteer) -> None:
    (hit,) = xian.find("韦曲街道")
    division, _ = xian.choose(hit)
    assert [d.name for d in xian.ancestors(division)] == ["长安区", "西安市", "陕西省"]
    assert xian.ancestor(division, "district") == xian.get("610116")


def test_unknown_city_is_a_clear_error() -> None:
    with pytest.raises(ValidationError) as error:
        default_gazetteer_path("兰州市")
    assert error.value.code == "divisions.unknown_city"
    assert "gazetteer_build" in error.value.message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as error:
        Gazetteer.load(tmp_path / "nope.csv")
    assert error.value.code == "divisions.unreadable"


def test_bad_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("code,level,name\n61,province,陕西省\n", encoding="utf-8")
    with pytest.raises(ValidationError) as error:
        Gazetteer.load(path)
    assert error.value.code == "divisions.bad_row"


@pytest.mark.parametrize(
    ("divisions", "code"),
    [
        ([Division("1", "planet", "地球", "", "")], "divisions.bad_level"),
        (
            [Division("1", "province", "甲", "", ""), Division("1", "city", "乙", "1", "")],
            "divisions.duplicate_code",
        ),
        ([Division("2", "city", "乙", "9", "")], "divisions.missing_parent"),
    ],
)
def test_inconsistent_data_is_refused(divisions: list[Division], code: str) -> None:
    with pytest.raises(ValidationError) as error:
        Gazetteer(divisions)
    assert error.value.code == code
