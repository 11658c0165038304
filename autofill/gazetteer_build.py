"""Build the city gazetteer CSV (districts, streets/towns, communities/villages + spoken aliases).

Source: the NBS division tables (``admin_divisions`` in the shared data: ``provinces.csv``,
``cities.csv``, ``areas.csv``, ``streets.csv`` and ``villages_<city>.csv``). Place names are
public facts, so the output is committed as ``core/reference/divisions_xian.csv``. Rerun for
another city::

    python -m autofill.gazetteer_build --source ../shared/data/admin_divisions \\
        --city 西安市 --villages villages_xian.csv --out core/reference/divisions_xian.csv

Aliases are what callers say on the phone: "小寨" for 小寨路街道, "韦曲" for 韦曲街道,
"民乐社区" for 民乐社区居委会, "北张村" for 北张村委会. An alias that is also an everyday word
("红旗", "振兴", "青年") is left out, because matching it in free speech would invent places.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = ("code", "level", "name", "parent_code", "district_code", "aliases")

# Older or colloquial names still used on the phone (official name → aliases).
HISTORICAL_ALIASES: dict[str, tuple[str, ...]] = {
    "鄠邑区": ("户县",),
    "高陵区": ("高陵县",),
    "长安区": ("长安县",),
    "临潼区": ("临潼县",),
}
# Short forms that are everyday words or other well-known things: never aliases.
COMMON_WORDS = frozenset(
    [
        "振兴",
        "新兴",
        "红旗",
        "兴隆",
        "五星",
        "大王",
        "东大",
        "青年",
        "新华",
        "凤凰",
        "自强",
        "长安",
        "新市",
        "行者",
        "交口",
        "前卫",
        "高桥",
        "石井",
        "三里",
        "小金",
        "铁炉",
        "新合",
        "终南",
        "广济",
        "集贤",
        "新城",
        "中心",
        "人民",
        "和平",
        "幸福",
        "光明",
        "建设",
        "团结",
        "胜利",
        "解放",
        "文化",
        "东方",
        "阳光",
        "友谊",
        "民主",
        "先锋",
        "红星",
        "城关",
        "新村",
        "农场",
    ]
)
_TOWN_SUFFIX = re.compile(r"(街道办事处|街道|镇|乡|地区办事处)$")
_COMMUNITY_SUFFIX = re.compile(
    r"(社区居民委员会|社区居委会|居民委员会|村民委员会|村委会|居委会|委员会|社区)$"
)
_ROAD_SUFFIX = re.compile(r"(路|大街|街)$")
_DISTRICT_SUFFIX = re.compile(r"(区|县)$")


@dataclass(slots=True)
class Row:
    code: str
    level: str
    name: str
    parent_code: str
    district_code: str
    aliases: list[str] = field(default_factory=list)

    def as_csv(self) -> list[str]:
        return [
            self.code,
            self.level,
            self.name,
            self.parent_code,
            self.district_code,
            "|".join(dict.fromkeys(a for a in self.aliases if a != self.name)),
        ]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _keep(alias: str) -> bool:
    return len(alias) >= 2 and alias not in COMMON_WORDS


def district_aliases(name: str) -> list[str]:
    aliases = list(HISTORICAL_ALIASES.get(name, ()))
    short = _DISTRICT_SUFFIX.sub("", name)
    if short != name and _keep(short):
        aliases.append(short)
    return aliases


def town_aliases(name: str) -> list[str]:
    """ "小寨路街道" → ["小寨路", "小寨"]; "九间房镇" → ["九间房"]; "厚镇" → []."""
    base = _TOWN_SUFFIX.sub("", name)
    aliases = []
    if base != name and _keep(base):
        aliases.append(base)
    road_stem = _ROAD_SUFFIX.sub("", base)
    # "长乐中路" → "长乐中" is not how anyone says it; a stem ending in a direction is kept whole.
    if road_stem != base and _keep(road_stem) and road_stem[-1] not in "东西南北中一二三四五":
        aliases.append(road_stem)
    return aliases


def community_aliases(name: str) -> tuple[str, list[str]]:
    """(kind, aliases).

    "民乐社区居委会" → ("community", ["民乐社区"]); "北张村委会" → ("village", ["北张村"]).
    """
    base = _COMMUNITY_SUFFIX.sub("", name)
    village = name.endswith(("村委会", "村民委员会"))
    aliases: list[str] = []
    if village:
        aliases.append(base if base.endswith("村") else base + "村")
    else:
        aliases.append(base + "社区")
        place_like = base.endswith(tuple("村庄坊巷寨院苑园城湾堡"))
        if place_like and len(base) >= 3:
            aliases.append(base)
    return ("village" if village else "community"), [a for a in aliases if _keep(a)]


def build(source: Path, city_name: str, villages_file: str | None) -> Iterator[Row]:
    cities = [c for c in _read(source / "cities.csv") if c["name"] == city_name]
    if len(cities) != 1:
        raise SystemExit(f"city {city_name!r}: {len(cities)} matches in {source / 'cities.csv'}")
    city = cities[0]
    province = next(p for p in _read(source / "provinces.csv") if p["code"] == city["parent_code"])
    province_short = re.sub(r"(省|市|[^省市]*自治区)$", "", province["name"])
    yield Row(province["code"], "province", province["name"], "", "", [province_short])
    yield Row(city["code"], "city", city["name"], province["code"], "", [city["name"][:-1]])
    areas = [a for a in _read(source / "areas.csv") if a["parent_code"] == city["code"]]
    for area in areas:
        yield Row(
            area["code"],
            "district",
            area["name"],
            city["code"],
            area["code"],
            district_aliases(area["name"]),
        )
    area_codes = {a["code"] for a in areas}
    for street in _read(source / "streets.csv"):
        if street["parent_code"] in area_codes:
            yield Row(
                street["code"],
                "town",
                street["name"],
                street["parent_code"],
                street["parent_code"],
                town_aliases(street["name"]),
            )
    if villages_file:
        for village in _read(source / villages_file):
            if village["area_code"] not in area_codes:
                continue
            kind, aliases = community_aliases(village["name"])
            yield Row(
                village["code"],
                kind,
                village["name"],
                village["parent_code"],
                village["area_code"],
                aliases,
            )


_LEVEL_RANK = {"province": 0, "city": 1, "district": 2, "town": 3, "community": 4, "village": 4}


def drop_cross_level_aliases(rows: Iterable[Row]) -> list[Row]:
    """An alias said for places of different levels keeps only the highest level.

    "灞桥" is both 灞桥区 and the stem of 灞桥街道: a caller saying "灞桥" means the district.
    Same-level collisions (小寨路街道 / 小寨镇 → "小寨") stay; the resolver uses context.
    """
    materialised = list(rows)
    best: dict[str, int] = {}
    for row in materialised:
        for alias in [row.name, *row.aliases]:
            rank = _LEVEL_RANK[row.level]
            best[alias] = min(best.get(alias, rank), rank)
    for row in materialised:
        row.aliases = [a for a in row.aliases if best[a] == _LEVEL_RANK[row.level]]
    return materialised


def write(rows: Iterable[Row], out: Path) -> int:
    materialised = drop_cross_level_aliases(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in materialised:
            writer.writerow(row.as_csv())
    return len(materialised)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, required=True, help="admin_divisions folder")
    parser.add_argument("--city", default="西安市")
    parser.add_argument("--villages", default="villages_xian.csv", help="'' to skip 社区/村")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    count = write(build(args.source, args.city, args.villages or None), args.out)
    print(f"wrote {count} divisions of {args.city} to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
