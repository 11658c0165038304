"""Xi'an place names for the seed corpus and the jieba user dictionary.

Districts, streets/towns and communities/villages are read from the NBS gazetteer
(``../shared/data/admin_divisions``, public facts). Roads are a hand-written list of well-known
Xi'an roads per district (also public facts) because the gazetteer stops at communities.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

XIAN_CITY_CODE = "6101"

ROADS: dict[str, list[str]] = {
    "新城区": [
        "解放路",
        "长乐西路",
        "西五路",
        "东五路",
        "尚德路",
        "自强东路",
        "金花北路",
        "韩森路",
    ],
    "碑林区": ["东大街", "南大街", "友谊西路", "长安北路", "和平路", "建设路", "太乙路", "兴庆路"],
    "莲湖区": ["西大街", "北大街", "劳动路", "桃园北路", "丰庆路", "大庆路", "莲湖路", "红光路"],
    "灞桥区": ["纺织城正街", "长乐东路", "浐灞大道", "世博大道", "灞桥街", "田洪正街"],
    "未央区": ["未央路", "凤城八路", "凤城二路", "太华北路", "文景路", "明光路", "朱宏路"],
    "雁塔区": [
        "小寨东路",
        "小寨西路",
        "长安南路",
        "含光路",
        "电子正街",
        "科技路",
        "高新路",
        "太白南路",
    ],
    "阎良区": ["人民路", "前进路", "公园路", "北屯街", "胜利街"],
    "临潼区": ["骊山路", "华清路", "秦陵北路", "芷阳三路"],
    "长安区": ["西长安街", "韦曲北街", "郭杜北街", "子午大道", "文苑南路", "神禾二路"],
    "高陵区": ["泾渭路", "长庆街", "鹿苑大道", "昭慧大道"],
    "鄠邑区": ["甘亭大道", "草堂路", "东大街", "人民路"],
    "蓝田县": ["蓝新路", "向阳路", "玉山路"],
    "周至县": ["二曲街", "中心街", "集贤路"],
}

COMMUNITY_SUFFIXES = ("社区居委会", "居委会", "村委会", "社区")


@dataclass(frozen=True, slots=True)
class Street:
    code: str
    name: str
    district: str
    communities: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class XianPlaces:
    districts: list[str]
    streets: list[Street]

    def streets_of(self, district: str) -> list[Street]:
        return [s for s in self.streets if s.district == district]


def community_core(name: str) -> str:
    """民乐社区居委会 → 民乐社区; 东村村委会 → 东村; 三爻村委会 → 三爻村."""
    for suffix in ("社区居民委员会", "社区居委会", "居民委员会", "居委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + "社区"
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix):
            core = name[: -len(suffix)]
            return core if core.endswith("村") else core + "村"
    return name


def load_xian_places(divisions_dir: Path) -> XianPlaces:
    def rows(name: str) -> list[dict[str, str]]:
        path = divisions_dir / name
        if not path.exists():
            raise FileNotFoundError(f"gazetteer file missing: {path}")
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    areas = {r["code"]: r["name"] for r in rows("areas.csv") if r["parent_code"] == XIAN_CITY_CODE}
    streets = {
        r["code"]: Street(r["code"], r["name"], areas[r["area_code"]])
        for r in rows("streets.csv")
        if r["area_code"] in areas
    }
    for r in rows("villages_xian.csv"):
        street = streets.get(r["parent_code"])
        if street is not None:
            street.communities.append(community_core(r["name"]))
    return XianPlaces(districts=list(areas.values()), streets=list(streets.values()))
