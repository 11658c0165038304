"""Same-issue detection for repeat appeals (重复诉求), standard library only.

``DifflibMatcher`` is the simple baseline: same category, similar normalised address, similar
normalised text (``difflib`` ratio). Better matchers (MinHash / rapidfuzz clustering in
``autofill``) implement :class:`SameIssueMatcher` and are passed in by the wiring.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_ADMIN_PREFIX = re.compile(r"^(?:[^省]{2,7}省|[^区]{2,9}自治区)?(?:[^市]{2,6}市)?")


@dataclass(frozen=True, slots=True)
class AppealRecord:
    """What repeat detection needs to know about one appeal."""

    order_id: str
    phone: str
    address: str
    category_code: str
    text: str
    at: datetime


class SameIssueMatcher(Protocol):
    def same_issue(self, a: AppealRecord, b: AppealRecord) -> bool:
        """True when ``a`` and ``b`` are about the same issue (symmetric)."""
        ...


@lru_cache(maxsize=65_536)  # called per pair in a scan; the same texts recur
def normalise_text(text: str) -> str:
    """NFKC (full-width → half-width), lower case, no whitespace or punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=65_536)
def normalise_address(address: str) -> str:
    """Like :func:`normalise_text`, minus a leading province/city (陕西省西安市…)."""
    text = normalise_text(address)
    return _ADMIN_PREFIX.sub("", text, count=1) or text


def similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similar(a: str, b: str, threshold: float, *, prefilter: bool = True) -> bool:
    """``similarity(a, b) >= threshold``, rejecting early on difflib's cheap upper bounds
    (``real_quick_ratio`` ≥ ``quick_ratio`` ≥ ``ratio``) — same answer, far fewer full ratios."""
    if not a and not b:
        return True
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if prefilter and (matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold):
        return False
    return matcher.ratio() >= threshold


@dataclass(frozen=True, slots=True)
class DifflibMatcher:
    text_threshold: float = 0.6
    address_threshold: float = 0.8
    prefilter: bool = True  # off only to measure the prefilter (bench/repeat_scan.py)

    def same_issue(self, a: AppealRecord, b: AppealRecord) -> bool:
        if not a.category_code or a.category_code != b.category_code:
            return False
        addr_a, addr_b = normalise_address(a.address), normalise_address(b.address)
        if (
            addr_a
            and addr_b
            and not similar(addr_a, addr_b, self.address_threshold, prefilter=self.prefilter)
        ):
            return False
        text_a, text_b = normalise_text(a.text), normalise_text(b.text)
        return similar(text_a, text_b, self.text_threshold, prefilter=self.prefilter)


class RepeatKind(StrEnum):
    SAME_CALLER = "same_caller"  # 同一诉求人同一问题 ≥ 3 次/月
    MANY_CALLERS = "many_callers"  # ≥ 3 名诉求人反映同一问题


@dataclass(frozen=True, slots=True)
class RepeatGroup:
    kind: RepeatKind
    order_ids: tuple[str, ...]  # oldest first
    phones: tuple[str, ...]

    @property
    def latest_order_id(self) -> str:
        return self.order_ids[-1]


def find_repeats(
    records: Iterable[AppealRecord],
    now: datetime,
    matcher: SameIssueMatcher,
    *,
    window: timedelta = timedelta(days=30),
    same_caller_min: int = 3,
    distinct_callers_min: int = 3,
) -> list[RepeatGroup]:
    """Groups of same-issue appeals in ``[now - window, now]``.

    Appeals are clustered by category first (a matcher needs the same category), then joined
    transitively by ``matcher`` (union–find). A cluster yields SAME_CALLER groups per phone with
    ≥ ``same_caller_min`` appeals and one MANY_CALLERS group when it has ≥
    ``distinct_callers_min`` distinct phones. Pairwise within a category: fine for a scan of
    a month; ``autofill`` supplies a sub-quadratic matcher/clusterer for large volumes.
    """
    start = now - window
    recent = sorted((r for r in records if start <= r.at <= now), key=lambda r: (r.at, r.order_id))
    by_category: dict[str, list[AppealRecord]] = defaultdict(list)
    for record in recent:
        by_category[record.category_code].append(record)
    groups: list[RepeatGroup] = []
    for category in sorted(by_category):
        for cluster in _clusters(by_category[category], matcher):
            groups.extend(_groups(cluster, same_caller_min, distinct_callers_min))
    return groups


def _clusters(items: Sequence[AppealRecord], matcher: SameIssueMatcher) -> list[list[AppealRecord]]:
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if find(i) != find(j) and matcher.same_issue(items[i], items[j]):
                parent[find(j)] = find(i)
    clusters: dict[int, list[AppealRecord]] = defaultdict(list)
    for i, item in enumerate(items):
        clusters[find(i)].append(item)
    return [c for c in clusters.values() if len(c) > 1]


def _groups(cluster: list[AppealRecord], same_min: int, distinct_min: int) -> list[RepeatGroup]:
    out: list[RepeatGroup] = []
    by_phone: dict[str, list[AppealRecord]] = defaultdict(list)
    for record in cluster:
        if record.phone:
            by_phone[record.phone].append(record)
    for phone in sorted(by_phone):
        own = by_phone[phone]
        if len(own) >= same_min:
            ids = tuple(r.order_id for r in own)
            out.append(RepeatGroup(RepeatKind.SAME_CALLER, ids, (phone,)))
    if len(by_phone) >= distinct_min:
        out.append(
            RepeatGroup(
                RepeatKind.MANY_CALLERS,
                tuple(r.order_id for r in cluster),
                tuple(sorted(by_phone)),
            )
        )
    return out
