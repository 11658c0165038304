"""Reference data: category taxonomy, handling units (承办单位), responsibility list (权责清单).

The three CSV files in ``core/reference/`` are data that operators edit; this module loads and
validates them (standard library only) so the seed, the dispatcher and the classifier agree.

- ``categories.csv``: ``code,name,parent_code,level,sla_class`` — two levels; ``sla_class`` is
  one of :data:`SLA_CLASSES` and picks the statutory clock (2 h / 24 h / 7 d / 15 d / 涉企 7 d).
- ``units.csv``: ``code,name,kind,district,parent_code`` — district governments and street
  offices carry their NBS division code; departments ``dept.*``, utilities ``util.*``.
- ``responsibilities.csv``: ``category_code,territory,unit_code,role,basis`` — territory is a
  district name or ``*``; ``unit_code`` may be ``@street`` / ``@district``, meaning "the street
  office / district government of the place the appeal is about" (属地管理).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from core.errors import NotFoundError, ValidationError

SLA_CLASSES: Final = ("emergency", "utility", "general", "complex", "enterprise")
UNIT_KINDS: Final = ("district_gov", "street", "department", "utility", "enterprise_liaison")
ROLES: Final = ("lead", "assist", "copy")
ANY_TERRITORY: Final = "*"
STREET_OF_PLACE: Final = "@street"
DISTRICT_OF_PLACE: Final = "@district"
PLACEHOLDERS: Final = (STREET_OF_PLACE, DISTRICT_OF_PLACE)

DEFAULT_DIR: Final = Path(__file__).resolve().parent / "reference"


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    parent_code: str | None
    level: int
    sla_class: str


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    kind: str
    district: str | None
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class Responsibility:
    category_code: str
    territory: str
    unit_code: str
    role: str
    basis: str


@dataclass(frozen=True, slots=True)
class ReferenceData:
    categories: Mapping[str, Category]
    units: Mapping[str, Unit]
    responsibilities: tuple[Responsibility, ...]
    _by_name: Mapping[str, Category] = field(default_factory=dict, repr=False)
    _rows: dict[str, tuple[Responsibility, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index: dict[str, list[Responsibility]] = {}
        for row in self.responsibilities:
            index.setdefault(row.category_code, []).append(row)
        self._rows.update({code: tuple(rows) for code, rows in index.items()})

    def rows_of(self, category_code: str) -> tuple[Responsibility, ...]:
        """Responsibility rows naming exactly this category (any territory)."""
        return self._rows.get(category_code, ())

    # -- categories -------------------------------------------------------------------------
    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise NotFoundError(
                f"未知分类代码 {code!r}", code="reference.category_not_found"
            ) from None

    def resolve_category(self, label: str) -> Category | None:
        """A category by code (``urban.property``) or by Chinese name (``城乡建设``)."""
        label = label.strip()
        return self.categories.get(label) or self._by_name.get(label)

    def top_level(self, code: str) -> Category:
        category = self.category(code)
        while category.parent_code:
            category = self.category(category.parent_code)
        return category

    def children(self, code: str) -> list[Category]:
        return [c for c in self.categories.values() if c.parent_code == code]

    def sla_class(self, code: str) -> str:
        return self.category(code).sla_class

    # -- units ------------------------------------------------------------------------------
    def unit(self, code: str) -> Unit:
        try:
            return self.units[code]
        except KeyError:
            raise NotFoundError(f"未知承办单位 {code!r}", code="reference.unit_not_found") from None

    def district_government(self, district: str) -> Unit | None:
        for unit in self.units.values():
            if unit.kind == "district_gov" and unit.district == district:
                return unit
        return None

    def street_office(self, district: str, street: str) -> Unit | None:
        """The street office (街道办/镇政府) for a street name as said or as listed."""
        wanted = _street_core(street)
        for unit in self.units.values():
            if unit.kind == "street" and unit.district == district:
                listed = unit.name.removeprefix(district)
                if _street_core(listed) == wanted:
                    return unit
        return None

    def with_streets(self, streets: Iterable[tuple[str, str, str]]) -> ReferenceData:
        """Add street offices derived from the gazetteer: ``(nbs_code, name, district)``."""
        units = dict(self.units)
        for code, name, district in streets:
            if code in units:
                continue
            gov = self.district_government(district)
            if gov is None:
                raise ValidationError(
                    f"街道 {name} 所属区县 {district} 不在承办单位表中",
                    code="reference.unknown_district",
                )
            units[code] = street_office_unit(code, name, district, gov.code)
        return ReferenceData(self.categories, units, self.responsibilities, self._by_name)

    def resolve_unit(self, unit_code: str, district: str | None, street: str | None) -> Unit | None:
        """A concrete unit; placeholders resolve against the place (``@street`` falls back to
        the district government when the street is unknown — 属地 still applies)."""
        if unit_code == STREET_OF_PLACE:
            if district and street:
                office = self.street_office(district, street)
                if office is not None:
                    return office
            unit_code = DISTRICT_OF_PLACE
        if unit_code == DISTRICT_OF_PLACE:
            return self.district_government(district) if district else None
        return self.units.get(unit_code)

    # -- responsibility list ------------------------------------------------------------------
    def responsibilities_for(
        self, category_code: str, district: str | None
    ) -> list[Responsibility]:
        """Rows for a category in a territory: district-specific rows replace the ``*`` rows;
        a category without rows inherits its parent's."""
        code: str | None = category_code
        while code:
            rows = self.rows_of(code)
            specific = [r for r in rows if district and r.territory == district]
            general = [r for r in rows if r.territory == ANY_TERRITORY]
            if specific or general:
                return specific or general
            code = self.category(code).parent_code
        return []


def street_office_unit(code: str, name: str, district: str, parent_code: str) -> Unit:
    """街道 → 街道办事处, 镇/乡 → 人民政府; other NBS town-level units keep their name."""
    if name.endswith("街道"):
        office = f"{district}{name}办事处"
    elif name.endswith(("镇", "乡")):
        office = f"{district}{name}人民政府"
    else:
        office = f"{district}{name}"
    return Unit(code=code, name=office, kind="street", district=district, parent_code=parent_code)


def _street_core(name: str) -> str:
    for suffix in ("街道办事处", "人民政府", "办事处", "街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def load_reference(directory: Path | None = None) -> ReferenceData:
    """Load and validate the three files; any problem raises ``ValidationError`` naming the
    file and line, so an operator's edit never half-applies."""
    base = directory or DEFAULT_DIR
    categories = _load_categories(base / "categories.csv")
    units = _load_units(base / "units.csv")
    responsibilities = _load_responsibilities(base / "responsibilities.csv", categories, units)
    by_name = {c.name: c for c in categories.values()}
    return ReferenceData(categories, units, tuple(responsibilities), by_name)


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise ValidationError(f"缺少参考数据文件 {path}", code="reference.missing_file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise ValidationError(
                f"{path.name}: 表头应为 {','.join(columns)}，实际为 {reader.fieldnames}",
                code="reference.bad_header",
            )
        for line, row in enumerate(reader, start=2):
            yield line, {k: (v or "").strip() for k, v in row.items()}


def _fail(path: Path, line: int, message: str) -> ValidationError:
    return ValidationError(
        f"{path.name} 第 {line} 行: {message}",
        code="reference.invalid_row",
        details={"file": path.name, "line": line},
    )


def _load_categories(path: Path) -> dict[str, Category]:
    out: dict[str, Category] = {}
    for line, row in _rows(path, ("code", "name", "parent_code", "level", "sla_class")):
        if not row["code"] or not row["name"]:
            raise _fail(path, line, "code 和 name 不能为空")
        if row["code"] in out:
            raise _fail(path, line, f"重复的分类代码 {row['code']}")
        if row["sla_class"] not in SLA_CLASSES:
            raise _fail(path, line, f"sla_class 必须是 {'/'.join(SLA_CLASSES)}")
        if row["level"] not in ("1", "2"):
            raise _fail(path, line, "level 必须是 1 或 2")
        parent = row["parent_code"] or None
        level = int(row["level"])
        if (level == 1) != (parent is None):
            raise _fail(path, line, "一级分类不能有上级，二级分类必须有上级")
        if parent is not None and (parent not in out or out[parent].level != 1):
            raise _fail(path, line, f"上级分类 {parent} 须是此前列出的一级分类")
        out[row["code"]] = Category(row["code"], row["name"], parent, level, row["sla_class"])
    return out


def _load_units(path: Path) -> dict[str, Unit]:
    out: dict[str, Unit] = {}
    pending_parents: list[tuple[int, str]] = []
    for line, row in _rows(path, ("code", "name", "kind", "district", "parent_code")):
        code = row["code"]
        if not code or not row["name"]:
            raise _fail(path, line, "code 和 name 不能为空")
        if code in out or code in PLACEHOLDERS:
            raise _fail(path, line, f"重复或保留的单位代码 {code}")
        if row["kind"] not in UNIT_KINDS:
            raise _fail(path, line, f"kind 必须是 {'/'.join(UNIT_KINDS)}")
        if row["kind"] in ("district_gov", "street") and not row["district"]:
            raise _fail(path, line, "区政府和街道必须填写 district")
        if row["parent_code"]:
            pending_parents.append((line, row["parent_code"]))
        out[code] = Unit(
            code, row["name"], row["kind"], row["district"] or None, row["parent_code"] or None
        )
    for line, parent in pending_parents:
        if parent not in out:
            raise _fail(path, line, f"上级单位 {parent} 不存在")
    return out


def _load_responsibilities(
    path: Path, categories: Mapping[str, Category], units: Mapping[str, Unit]
) -> list[Responsibility]:
    districts = {u.district for u in units.values() if u.kind == "district_gov"}
    out: list[Responsibility] = []
    seen: set[tuple[str, str, str]] = set()
    columns = ("category_code", "territory", "unit_code", "role", "basis")
    for line, row in _rows(path, columns):
        if row["category_code"] not in categories:
            raise _fail(path, line, f"未知分类代码 {row['category_code']}")
        if row["territory"] != ANY_TERRITORY and row["territory"] not in districts:
            raise _fail(path, line, f"territory 须是 * 或区县名，未知 {row['territory']}")
        if row["unit_code"] not in units and row["unit_code"] not in PLACEHOLDERS:
            raise _fail(path, line, f"未知承办单位 {row['unit_code']}")
        if row["role"] not in ROLES:
            raise _fail(path, line, f"role 必须是 {'/'.join(ROLES)}")
        if not row["basis"]:
            raise _fail(path, line, "basis（依据）不能为空")
        key = (row["category_code"], row["territory"], row["unit_code"])
        if key in seen:
            raise _fail(path, line, "同一分类、属地、单位重复")
        seen.add(key)
        out.append(Responsibility(**row))
    return out
