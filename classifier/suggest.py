"""Handling-unit suggestion (承办单位推荐): category × place × responsibility list → top-3 units.

Pure function over probabilities (no scikit-learn here), so it is table-testable:

- each category's responsibility rows (district-specific rows first, ``@street``/``@district``
  resolved against the place) give lead units weight 1 and assisting units 0.35, scaled by the
  category probability; copy rows (抄送) are listed separately, never suggested as handler;
- a unit-head distribution (``dept.housing``, ``@street``…), when present, is blended in;
- 水电气热 → the utility company and the 24 h class; emergencies that belong to 110/119/120
  give a transfer prompt and NO dispatch; 涉企 appeals are flagged and copied to the liaison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from core.reference import Category, ReferenceData, Responsibility, Unit

ROLE_WEIGHT = {"lead": 1.0, "assist": 0.35}
UNIT_HEAD_WEIGHT = 0.4
# Categories below this probability cannot move a top-3 unit; skipping them keeps it fast.
MIN_PROBABILITY = 0.005
ROLE_NAMES = {"lead": "主办", "assist": "协办", "copy": "抄送"}
SLA_TEXT = {
    "emergency": "紧急类：2 小时内反馈",
    "utility": "水电气热类：24 小时内反馈",
    "general": "一般类：7 天内反馈",
    "complex": "复杂疑难类：15 天内提出措施",
    "enterprise": "涉企类：7 天内反馈（直通车）",
}
# Categories that are not ours to dispatch: transfer at once (联动) and record the hand-off.
TRANSFER = {
    "police.emergency": "紧急警情：请立即转接 110（火警 119、急救 120），记录联动，不派单",
    "utilities.gas_leak": (
        "疑似燃气泄漏：提醒来电人立即撤离、勿开关电器和明火，转接 119 并通知燃气公司抢险，不派单"
    ),
}
URGENT_PROMPT = (
    "来电涉及人身或财产安全风险：如有现实危险请立即转接 110/119/120；否则按紧急类 2 小时处理"
)
ENTERPRISE_UNIT = "ent.liaison"


@dataclass(frozen=True, slots=True)
class UnitSuggestion:
    unit_code: str
    unit_name: str
    role: str
    probability: float
    reason: str
    category_code: str
    basis: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    category: Category | None
    sla_class: str
    sla_text: str
    dispatch: bool
    units: list[UnitSuggestion]
    copies: list[UnitSuggestion] = field(default_factory=list)
    emergency_prompt: str | None = None
    enterprise: bool = False


@dataclass(slots=True)
class _Candidate:
    unit: Unit
    score: float = 0.0
    best: tuple[float, Responsibility, Category] | None = None


def suggest_units(
    categories: Sequence[tuple[str, float]],
    reference: ReferenceData,
    *,
    district: str | None = None,
    street: str | None = None,
    unit_probabilities: Sequence[tuple[str, float]] = (),
    top_terms: Sequence[str] = (),
    enterprise: bool = False,
    urgent: bool = False,
    k: int = 3,
) -> Suggestion:
    """``categories``: (label, probability), label a code or Chinese name of either level."""
    resolved = _resolve(categories, reference)
    top = max(resolved, key=lambda item: item[1])[0] if resolved else None
    sla_class = top.sla_class if top else "general"
    prompt = TRANSFER.get(top.code) if top else None
    if urgent and prompt is None:
        prompt = URGENT_PROMPT
        sla_class = "emergency"
    candidates: dict[str, _Candidate] = {}
    copies: dict[str, UnitSuggestion] = {}
    for category, p in _expand(resolved, reference):
        for row in reference.responsibilities_for(category.code, district):
            unit = reference.resolve_unit(row.unit_code, district, street)
            if unit is None:
                continue
            if row.role == "copy":
                if category is top or (top and category.parent_code == top.code):
                    copies.setdefault(unit.code, _copy(unit, row, category))
                continue
            weight = p * ROLE_WEIGHT[row.role]
            cand = candidates.setdefault(unit.code, _Candidate(unit))
            cand.score += weight
            if cand.best is None or weight > cand.best[0]:
                cand.best = (weight, row, category)
    _blend_unit_head(candidates, unit_probabilities, reference, district, street)
    is_enterprise = enterprise or sla_class == "enterprise"
    if is_enterprise and ENTERPRISE_UNIT in reference.units and ENTERPRISE_UNIT not in candidates:
        liaison = reference.unit(ENTERPRISE_UNIT)
        copies.setdefault(liaison.code, _enterprise_copy(liaison))
    total = sum(c.score for c in candidates.values()) or 1.0
    ranked = sorted(candidates.values(), key=lambda c: -c.score)[:k]
    units = [
        _suggestion(c, c.score / total, district, street, _terms_for(c, top, top_terms, reference))
        for c in ranked
    ]
    dispatch = top is None or top.code not in TRANSFER
    if not dispatch:
        copies.clear()
    return Suggestion(
        category=top,
        sla_class=sla_class,
        sla_text=SLA_TEXT[sla_class],
        dispatch=dispatch,
        units=units if dispatch else [],
        copies=[c for code, c in copies.items() if code not in {u.unit_code for u in units}],
        emergency_prompt=prompt,
        enterprise=is_enterprise,
    )


def _resolve(
    categories: Sequence[tuple[str, float]], reference: ReferenceData
) -> list[tuple[Category, float]]:
    out: list[tuple[Category, float]] = []
    for label, p in categories:
        category = reference.resolve_category(label)
        if category is not None and p >= MIN_PROBABILITY:
            out.append((category, float(p)))
    return out


def _expand(
    resolved: list[tuple[Category, float]], reference: ReferenceData
) -> list[tuple[Category, float]]:
    """A first-level category without rows of its own spreads over its children."""
    out: list[tuple[Category, float]] = []
    for category, p in resolved:
        if reference.rows_of(category.code):
            out.append((category, p))
            continue
        children = reference.children(category.code)
        if not children:
            out.append((category, p))
        else:
            out.extend((child, p / len(children)) for child in children)
    return out


def _blend_unit_head(
    candidates: dict[str, _Candidate],
    unit_probabilities: Sequence[tuple[str, float]],
    reference: ReferenceData,
    district: str | None,
    street: str | None,
) -> None:
    if not unit_probabilities:
        return
    total = sum(c.score for c in candidates.values()) or 1.0
    for cand in candidates.values():
        cand.score = (1 - UNIT_HEAD_WEIGHT) * cand.score / total
    for label, p in unit_probabilities:
        unit = reference.resolve_unit(label, district, street)
        if unit is None:
            continue
        cand = candidates.setdefault(unit.code, _Candidate(unit))
        cand.score += UNIT_HEAD_WEIGHT * float(p)


def _place(district: str | None, street: str | None, unit: Unit) -> str:
    if unit.kind == "street":
        return f"属地：{district}{street or ''}"
    if unit.kind == "district_gov":
        return f"属地：{district}" + ("（未识别街道，由区政府统筹）" if not street else f"{street}")
    return ""


def _suggestion(
    cand: _Candidate,
    probability: float,
    district: str | None,
    street: str | None,
    top_terms: Sequence[str],
) -> UnitSuggestion:
    parts: list[str] = []
    role = "assist"
    basis = ""
    category_code = ""
    if cand.best is not None:
        _, row, category = cand.best
        role, basis, category_code = row.role, row.basis, category.code
        scope = "" if row.territory == "*" else f"（{row.territory}专项）"
        parts.append(f"分类「{category.name}」→ 权责清单{scope}{ROLE_NAMES[role]}：{basis}")
    else:
        parts.append("模型根据历史派单推荐")
    place = _place(district, street, cand.unit)
    if place:
        parts.append(place)
    if top_terms:
        parts.append("关键词：" + "、".join(top_terms[:5]))
    return UnitSuggestion(
        unit_code=cand.unit.code,
        unit_name=cand.unit.name,
        role=role,
        probability=round(probability, 4),
        reason="；".join(parts),
        category_code=category_code,
        basis=basis,
    )


def _terms_for(
    cand: _Candidate, top: Category | None, terms: Sequence[str], reference: ReferenceData
) -> Sequence[str]:
    """The words explain the predicted category, so show them only for units chosen for it."""
    if cand.best is None or top is None:
        return terms
    category = cand.best[2]
    same = reference.top_level(category.code).code == reference.top_level(top.code).code
    return terms if same else ()


def _copy(unit: Unit, row: Responsibility, category: Category) -> UnitSuggestion:
    return UnitSuggestion(
        unit.code, unit.name, "copy", 0.0, f"抄送：{row.basis}", category.code, row.basis
    )


def _enterprise_copy(unit: Unit) -> UnitSuggestion:
    reason = "涉企诉求：走直通车，抄送涉企服务专班跟办"
    return UnitSuggestion(unit.code, unit.name, "copy", 0.0, reason, "market.enterprise", reason)
