"""Province / city / district names anywhere in China, via cpca (the one module that imports it).

cpca builds its Aho-Corasick automaton when imported (≈0.25 s), so it is imported on first use,
never at module import. We walk cpca's matcher ourselves instead of calling ``cpca.transform``:
that returns a pandas DataFrame (≈1 ms per call) and only the first address, while the auto-fill
wants every match with its position.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

RANK_LEVEL: Final = ("province", "city", "district")


@dataclass(frozen=True, slots=True)
class RegionMatch:
    start: int
    end: int  # exclusive
    surface: str
    level: str  # province | city | district
    adcode: str  # 6 digits
    name: str  # official full name
    ambiguous: bool  # the name exists elsewhere and context did not decide


@functools.cache
def _cpca() -> Any:
    with warnings.catch_warnings():
        # cpca 0.5.5 reads its data through pkg_resources, deprecated upstream.
        warnings.simplefilter("ignore")
        import cpca
    return cpca


def full_name(adcode: str) -> str | None:
    """Official name of a 2-, 4- or 6-digit adcode prefix ("61" → 陕西省)."""
    name = _cpca().adcode_name(adcode)
    return str(name) if name else None


def find_regions(text: str, prefer: Mapping[str, str] | None = None) -> list[RegionMatch]:
    """Every province/city/district name in ``text`` in order.

    A name shared by several districts ("长安区" is in 西安 and 石家庄) resolves against the
    province/city mentioned just before it, else against ``prefer`` (name → adcode, the
    configured city's districts), else it is flagged ambiguous.
    """
    cpca = _cpca()
    prefer = prefer or {}
    matches: list[RegionMatch] = []
    parent: Any = None
    for info in cpca.matcher.iter(text):
        start, end = int(info.start_index), int(info.end_index) + 1
        if parent is not None and matches and start - matches[-1].end > 2:
            parent = None  # a new address starts; the earlier one no longer constrains it
        chosen = info.get_match_addr(parent) if parent is not None else None
        ambiguous = False
        if chosen is None:
            preferred = prefer.get(str(info.origin_value)) or prefer.get(
                str(info.attr_infos[0].name)
            )
            chosen = info.get_match_addr(None, preferred)
            distinct = {a.adcode for a in info.attr_infos}
            ambiguous = len(distinct) > 1 and (preferred is None or chosen.adcode != preferred)
        short = text[start:end] != chosen.name
        if parent is not None and short and not chosen.belong_to(parent):
            continue  # "中山" in "江山市中山路": a word, not 中山市
        if chosen.rank == 2 and parent is None and (short or end - start <= 2):
            continue  # "五常" in "五常大道", "城区" in "蓝城区": county names need a parent
        if chosen.rank == 1 and short and parent is None:
            ambiguous = True  # a bare short city name ("安康", "中山") is often a word
        if matches and matches[-1].adcode == chosen.adcode and start - matches[-1].end <= 1:
            continue  # "宁海县宁海县": said twice, one place
        parent = chosen
        matches.append(
            RegionMatch(
                start=start,
                end=end,
                surface=text[start:end],
                level=RANK_LEVEL[int(chosen.rank)],
                adcode=str(chosen.adcode),
                name=str(chosen.name),
                ambiguous=ambiguous,
            )
        )
        if chosen.rank == 1:
            tail = _short_district_after(text, end, str(chosen.adcode))
            if tail is not None:
                matches.append(tail)
                parent = None
    return matches


@functools.cache
def _districts_by_city() -> dict[str, list[tuple[str, str, str]]]:
    """city adcode prefix (4 digits) → [(short name, adcode, full name)], longest first."""
    index: dict[str, list[tuple[str, str, str]]] = {}
    for info in _cpca().ad_2_addr_dict.values():
        name, code = str(info.name), str(info.adcode)
        if code.endswith("00") or len(name) < 3 or name[-1] not in "区县市旗":
            continue
        index.setdefault(code[:4], []).append((name[:-1], code, name))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


def _short_district_after(text: str, pos: int, city_adcode: str) -> RegionMatch | None:
    """ "台州市椒江…": cpca knows 椒江区 only in full; after its city the short name counts."""
    for short, adcode, name in _districts_by_city().get(city_adcode[:4], []):
        if len(short) >= 2 and text.startswith(short, pos) and not text.startswith(name, pos):
            return RegionMatch(pos, pos + len(short), short, "district", adcode, name, False)
    return None


def ancestors(adcode: str) -> Iterable[tuple[str, str]]:
    """(level, name) of the province and city above a district or city adcode."""
    if not adcode.endswith("0000"):
        province = full_name(adcode[:2])
        if province:
            yield "province", province
    if not adcode.endswith("00"):
        city = full_name(adcode[:4])
        if city in ("市辖区", "县"):
            city = full_name(adcode[:2])  # municipalities: 北京市 is both province and city
        if city and city != "省直辖县级行政区划":
            yield "city", city
