"""Address elements in (ITN-normalised) speech: province … house number.

Three layers, most certain first, each working on what the previous left over:
1. cpca (:mod:`autofill.regions`) for province / city / district anywhere in China;
2. the configured city's gazetteer (:mod:`core.divisions`) for districts said short
   ("雁塔"), streets/towns ("小寨" → 小寨路街道) and communities/villages, each implying its
   parents;
3. patterns for what no list holds: …街道/镇/乡, …社区/村, …路/街/大道 + …号, POIs (…小区,
   …大厦, …医院) and building/unit/room numbers (3号楼2单元502).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from autofill.lexicon import words
from autofill.model import Candidate
from autofill.regions import ancestors, find_regions
from core.divisions import Gazetteer

# Characters that never occur inside a place name in speech; they bound a name on the left.
_STOP = (
    "我你他她它们的了在是有没不就也还与及或从到往给把被让说问吗呢吧啊呀嘛哦嗯呃喂"
    "住址位那这个些么什怎样很已要想请帮您叫姓找打话反映诉举报询"
)
_N = rf"[^\W\d_{_STOP}]"
_TOWN = re.compile(rf"{_N}{{2,8}}?(?:街道办事处|街道办|街道|镇|乡)(?![村镇政长])")
_COMMUNITY = re.compile(
    rf"{_N}{{2,8}}?(?:社区|村)(?:居委会|村委会|委会)?(?![民里子口街道大]|路(?![灯面边上]))"
)
_NR = rf"[^\W\d_{_STOP}省市区县号]"  # road names do not contain division words
_ROAD = re.compile(
    rf"{_NR}{{1,10}}?\d{{0,3}}(?:大道|大街|公路|胡同|路|街|巷|弄)(?![道办面灯况费线])"
)
_ROAD_NO = re.compile(r"\s*(\d+(?:-\d+)?号)(?![楼院线])")
_POI_SUFFIX = words(
    "小区 花园 家园 公寓 大厦 广场 中心 新村 商城 菜市场 市场 商场 超市 酒店 宾馆 公园 大楼 "
    "写字楼 工业园 产业园 家属院 家属区 宿舍 医院 学校 小学 中学 大学 学院 幼儿园 火车站 "
    "地铁站 车站 苑 府 城 园 庭 阁 湾 院"
)
# A POI never runs straight into a road word or number ("凤城八路" is a road, not 凤城 + 八路).
_POI = re.compile(
    rf"{_N}{{2,12}}?(?:{'|'.join(_POI_SUFFIX)})"
    rf"(?![里子头路街道巷]|[\d一二三四五六七八九十]{{1,3}}路)"
)
_PART = r"\d+(?:号楼|栋楼|栋|幢|座|号院|排|单元|门|层|楼(?!\d)|室|号房|户)|\d+(?:-\d+){2,3}"
_HOUSE = re.compile(rf"(?:{_PART})(?:\s*(?:{_PART}|\d{{3,4}}(?!\d)))*")
_JOINERS = "和跟同"
ORG_SUFFIXES = words(
    "局 院 银行 法院 检察院 政府 人民政府 委员会 委 公司 集团 研究院 研究所 大学 学院 部门 厅 所 "
    "办 办公室 队 站 中心 分行 支行 电视台 日报 晚报 协会 工商 税务 公安 交警 城管 住建 民政 "
    "卫健 教育 人社 市场监管 期货 证券 商业银行 农商行 有限公司"
)
_BAD_NAMES = frozenset(
    words(
        "马 道 公 铁 走 上 水 电 网 思 出 门 半 线 套 退 活 来 去 回 后 前 小 大 老 一 条 城 乡 "
        "家 村 本 外 全 各 该 此 同 邻 隔壁 城中 农 山 老家 乡下 附近 周边 街 这边 那边"
    )
)
_PATTERNS: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("town", _TOWN, 0.7),
    ("community", _COMMUNITY, 0.65),
    ("road", _ROAD, 0.75),
    ("poi", _POI, 0.6),
    ("house_no", _HOUSE, 0.75),
)
_SUFFIX_OF = {
    "town": re.compile(r"(街道办事处|街道办|街道|镇|乡)$"),
    "community": re.compile(r"(社区|村)(居委会|村委会|委会)?$"),
    "road": re.compile(r"\d{0,3}(大道|大街|公路|胡同|路|街|巷|弄)$"),
    "poi": re.compile(rf"({'|'.join(_POI_SUFFIX)})$"),
}


@dataclass(frozen=True, slots=True)
class _Element:
    field: str
    start: int
    end: int
    value: str
    confidence: float
    detail: tuple[tuple[str, str], ...] = ()


def _name_ok(kind: str, surface: str) -> bool:
    suffix = _SUFFIX_OF.get(kind)
    if suffix is None:
        return True
    stem = suffix.sub("", surface)
    return bool(stem) and stem not in _BAD_NAMES and stem[-1] not in "的"


class AddressExtractor:
    """Finds address elements; ``gazetteer`` is the configured city's (None: patterns only)."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer
        self._prefer: dict[str, str] = {}
        if gazetteer is not None:
            for district in gazetteer.by_level("district"):
                for surface in (district.name, *district.aliases):
                    self._prefer[surface] = district.code[:6]

    def extract(self, text: str) -> list[Candidate]:
        return [
            Candidate(e.field, e.value, e.confidence, e.start, e.end, dict(e.detail))
            for e in self._elements(text)
        ]

    def mentions(self, text: str) -> list[tuple[int, int]]:
        """Whole address mentions: runs of adjacent elements (for NER-style scoring)."""
        spans: list[list[int]] = []
        for element in sorted(self._elements(text), key=lambda e: (e.start, e.end)):
            if spans and element.start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], element.end)
            else:
                spans.append([element.start, element.end])
        # "海淀区民政局", "北京银行": a place that starts an organisation's name is not an address.
        return [(a, b) for a, b in spans if not text.startswith(ORG_SUFFIXES, b)]

    def _in_city(self, regions: list[str]) -> bool:
        """Unless the caller named another place, the talk is about the configured city."""
        assert self.gazetteer is not None
        city = self.gazetteer.city
        return city is not None and all(code.startswith(city.code) for code in regions)

    # ------------------------------------------------------------------ layers

    def _elements(self, text: str) -> list[_Element]:
        elements: list[_Element] = []
        occupied: list[tuple[int, int]] = []
        districts: list[str] = []
        regions: list[str] = []
        for region in find_regions(text, self._prefer):
            regions.append(region.adcode)
            confidence = 0.6 if region.ambiguous else 0.9
            detail = (("adcode", region.adcode),)
            elements.append(
                _Element(region.level, region.start, region.end, region.name, confidence, detail)
            )
            for level, name in ancestors(region.adcode):
                elements.append(
                    _Element(
                        level,
                        region.start,
                        region.end,
                        name,
                        confidence - 0.05,
                        (*detail, ("derived_from", region.name)),
                    )
                )
            occupied.append((region.start, region.end))
            if region.level == "district":
                districts.append(region.adcode)
        if self.gazetteer is not None:
            self._gazetteer_layer(text, elements, occupied, districts, regions)
        for start, end in _gaps(len(text), occupied):
            elements.extend(_pattern_layer(text, start, end))
        return elements

    def _gazetteer_layer(
        self,
        text: str,
        elements: list[_Element],
        occupied: list[tuple[int, int]],
        districts: list[str],
        regions: list[str],
    ) -> None:
        assert self.gazetteer is not None
        gazetteer = self.gazetteer
        context = list(districts)
        for hit in gazetteer.find(text):
            if any(a < hit.end and hit.start < b for a, b in occupied):
                continue
            division, sure = gazetteer.choose(hit, within=context[::-1])
            if division.level in ("province", "city"):
                continue  # cpca already covers these (and more precisely)
            outside = bool(districts) and not any(division.code.startswith(d) for d in districts)
            small = division.level in ("community", "village")
            if (
                small
                and not hit.exact
                and (outside or not _left_bounded(text, hit.start, occupied))
            ):
                continue  # "西村" inside "乔西村": a piece of another name, not a place
            base = 0.9 if hit.exact else 0.75
            if not sure or outside:
                base -= 0.15
            detail = (("code", division.code), ("official", division.name))
            level = "community" if division.level == "village" else division.level
            road_like = (
                not hit.exact
                and division.level == "town"
                and hit.surface.endswith(("路", "街"))
                and not text.startswith("街道", hit.end)
            )
            if road_like:
                # "小寨路" is a road and, in this city, the street office named after it.
                elements.append(_Element("road", hit.start, hit.end, hit.surface, 0.75))
                base = 0.55
                if not self._in_city(regions):
                    occupied.append((hit.start, hit.end))
                    continue
            elements.append(_Element(level, hit.start, hit.end, division.name, base, detail))
            for parent in gazetteer.ancestors(division):
                parent_level = "community" if parent.level == "village" else parent.level
                elements.append(
                    _Element(
                        parent_level,
                        hit.start,
                        hit.end,
                        parent.name,
                        base - 0.1,
                        (("code", parent.code), ("derived_from", division.name)),
                    )
                )
            context.append(division.code)
            occupied.append((hit.start, hit.end))
            if road_like:
                number = _ROAD_NO.match(text, hit.end)
                if number:
                    elements.append(
                        _Element("road_no", number.start(1), number.end(1), number.group(1), 0.8)
                    )
                    occupied.append((number.start(1), number.end(1)))


_NOISE_WORDS = words(
    "家门口 门口 附近 旁边 对面 楼下 楼上 隔壁 就是 还有 另外 那个 这个 我们 咱们 他们 小区 "
    "这边 那边 一直 现在 今天 昨天 以前 后来 然后 所以 但是 而且 前面 后面 里面 外面"
)


def _leading_noise(value: str) -> int:
    """Length of filler words in front of a name found by a pattern."""
    cut = 0
    while True:
        word = next((w for w in _NOISE_WORDS if value.startswith(w, cut)), None)
        if word is None:
            return cut
        cut += len(word)


def _left_bounded(text: str, start: int, occupied: list[tuple[int, int]]) -> bool:
    """Does a name start here, rather than in the middle of a longer unknown name?"""
    if start == 0 or any(end == start for _, end in occupied):
        return True
    before = text[start - 1]
    return not before.isalnum() or before in _STOP


def _gaps(length: int, occupied: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    pos = 0
    for start, end in sorted(occupied):
        if start > pos:
            yield pos, start
        pos = max(pos, end)
    if pos < length:
        yield pos, length


def _pattern_layer(text: str, start: int, end: int) -> Iterator[_Element]:
    pos = start
    while pos < end:
        best: tuple[int, int, str, re.Match[str], float] | None = None
        for priority, (kind, pattern, confidence) in enumerate(_PATTERNS):
            match = pattern.search(text, pos, end)
            while match is not None and not _name_ok(kind, match.group().strip()):
                match = pattern.search(text, match.start() + 1, end)
            if match is not None and (best is None or (match.start(), priority) < best[:2]):
                best = (match.start(), priority, kind, match, confidence)
        if best is None:
            return
        _, _, kind, match, confidence = best
        value = match.group().strip()
        begin = match.start()
        if value[0] in _JOINERS and _name_ok(kind, value[1:]) and len(value) >= 4:
            value, begin = value[1:], begin + 1  # "和唐延路": the conjunction is not the name
        if kind != "house_no":
            cut = _leading_noise(value)
            if cut and _name_ok(kind, value[cut:]):
                value, begin = value[cut:], begin + cut  # "门口幸福路" → "幸福路"
        yield _Element(kind, begin, match.end(), value, confidence)
        pos = match.end()
        if kind == "road":
            number = _ROAD_NO.match(text, pos, end)
            if number is not None:
                yield _Element("road_no", number.start(1), number.end(1), number.group(1), 0.8)
                pos = number.end()
