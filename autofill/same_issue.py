"""Same-issue detection (重复诉求): near-duplicate appeals about the same place and time.

:class:`SameIssueIndex` keeps MinHash signatures in a datasketch LSH index, so finding the
earlier appeals similar to a new one costs about the same whatever the archive size; a
candidate counts only when its exact shingle Jaccard (or, for short texts, the rapidfuzz ratio)
passes, it happened within the time window, and its district/street do not contradict.
The index implements :class:`core.repeat.SameIssueMatcher` (pairwise ``same_issue``) for the
repeat rules of the work-order core, and lists clusters for supervisors.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

from autofill.address import AddressExtractor
from core.itn import normalize
from core.repeat import AppealRecord

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_FILLER = re.compile(r"(?:喂|你好|您好|谢谢|嗯|啊|呃|那个|就是|然后|请问)")
SHORT_TEXT = 40  # below this many characters shingles are too few; use rapidfuzz


def normalise(text: str) -> str:
    """ITN digits, NFKC, lower case; no punctuation, spaces or filler words."""
    text = unicodedata.normalize("NFKC", normalize(text).text).lower()
    return _NOISE.sub("", _FILLER.sub("", text))


def shingles(text: str, size: int = 3) -> set[str]:
    if len(text) <= size:
        return {text} if text else set()
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True, slots=True)
class Place:
    district: str | None
    town: str | None

    def contradicts(self, other: Place) -> bool:
        if self.district and other.district and self.district != other.district:
            return True
        return bool(self.town and other.town and self.town != other.town)


@dataclass(frozen=True, slots=True)
class SameIssueMatch:
    order_id: str
    score: float  # text similarity in [0, 1]


@dataclass(frozen=True, slots=True)
class IssueCluster:
    """A group of appeals about one issue, for the supervisors' list."""

    order_ids: tuple[str, ...]  # oldest first
    phones: tuple[str, ...]  # distinct callers
    district: str | None
    town: str | None
    first_at: datetime
    last_at: datetime
    sample: str  # the oldest appeal's text, shortened

    @property
    def size(self) -> int:
        return len(self.order_ids)


@dataclass(slots=True)
class _Entry:
    record: AppealRecord
    text: str
    shingles: set[str]
    signature: MinHash
    place: Place


class SameIssueIndex:
    def __init__(
        self,
        *,
        address: AddressExtractor | None = None,
        text_threshold: float = 0.5,
        fuzz_threshold: float = 85.0,
        window: timedelta | None = timedelta(days=30),
        num_perm: int = 64,
        shingle_size: int = 3,
    ) -> None:
        self._address = address
        self.text_threshold = text_threshold
        self.fuzz_threshold = fuzz_threshold
        self.window = window
        self._num_perm = num_perm
        self._shingle_size = shingle_size
        # The LSH threshold sits below the accept threshold: LSH only proposes candidates,
        # the exact Jaccard decides, so recall is not lost to MinHash noise.
        self._lsh = MinHashLSH(threshold=max(0.1, text_threshold * 0.6), num_perm=num_perm)
        # Drawing the random permutations dominates building a MinHash; draw them once.
        self._permutations = MinHash(num_perm=num_perm, seed=1, scheme="affine32").permutations
        self._entries: dict[str, _Entry] = {}
        self._parent: dict[str, str] = {}
        self._cache: dict[tuple[str, str], _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    # ------------------------------------------------------------------ matching

    def _entry(self, record: AppealRecord) -> _Entry:
        key = (record.order_id, record.text)
        cached = self._cache.get(key)
        if cached is not None and cached.record == record:
            return cached
        text = normalise(record.text)
        grams = shingles(text, self._shingle_size)
        signature = MinHash(
            num_perm=self._num_perm, permutations=self._permutations, scheme="affine32"
        )
        signature.update_batch([g.encode("utf-8") for g in grams])
        entry = _Entry(record, text, grams, signature, self._place(record))
        self._cache[key] = entry
        return entry

    def _place(self, record: AppealRecord) -> Place:
        if self._address is None:
            return Place(None, None)
        found = {c.name: c.value for c in self._address.extract(record.address or record.text)}
        return Place(found.get("district"), found.get("town"))

    def _score(self, a: _Entry, b: _Entry) -> float:
        score = jaccard(a.shingles, b.shingles)
        if min(len(a.text), len(b.text)) < SHORT_TEXT:
            score = max(score, fuzz.ratio(a.text, b.text) / 100.0)
        return score

    def _accepts(self, a: _Entry, b: _Entry, score: float) -> bool:
        if self.window is not None and abs(a.record.at - b.record.at) > self.window:
            return False
        if a.place.contradicts(b.place):
            return False
        short = min(len(a.text), len(b.text)) < SHORT_TEXT
        return score >= (self.fuzz_threshold / 100.0 if short else self.text_threshold)

    def same_issue(self, a: AppealRecord, b: AppealRecord) -> bool:
        """:class:`core.repeat.SameIssueMatcher`: are ``a`` and ``b`` about the same issue?"""
        ea, eb = self._entry(a), self._entry(b)
        return self._accepts(ea, eb, self._score(ea, eb))

    def find(self, record: AppealRecord) -> list[SameIssueMatch]:
        """Indexed appeals about the same issue as ``record``, most similar first."""
        entry = self._entry(record)
        matches = []
        for other_id in self._lsh.query(entry.signature):
            if other_id == record.order_id:
                continue
            other = self._entries[other_id]
            score = self._score(entry, other)
            if self._accepts(entry, other, score):
                matches.append(SameIssueMatch(other_id, round(score, 3)))
        if len(entry.text) < SHORT_TEXT:
            matches.extend(self._short_matches(entry, {m.order_id for m in matches}))
        return sorted(matches, key=lambda m: (-m.score, m.order_id))

    def _short_matches(self, entry: _Entry, seen: set[str]) -> list[SameIssueMatch]:
        # Short texts share too few shingles for LSH to propose them: compare directly.
        out = []
        for other_id, other in self._entries.items():
            if other_id in seen or other_id == entry.record.order_id:
                continue
            if len(other.text) >= SHORT_TEXT * 2:
                continue
            score = self._score(entry, other)
            if self._accepts(entry, other, score):
                out.append(SameIssueMatch(other_id, round(score, 3)))
        return out

    def add(self, record: AppealRecord) -> list[SameIssueMatch]:
        """Index ``record``; returns the earlier appeals it repeats."""
        if record.order_id in self._entries:
            self.remove(record.order_id)
        matches = self.find(record)
        entry = self._entry(record)
        self._entries[record.order_id] = entry
        self._lsh.insert(record.order_id, entry.signature)
        self._parent.setdefault(record.order_id, record.order_id)
        for match in matches:
            self._union(record.order_id, match.order_id)
        return matches

    def add_all(self, records: Iterable[AppealRecord]) -> None:
        for record in sorted(records, key=lambda r: (r.at, r.order_id)):
            self.add(record)

    def remove(self, order_id: str) -> None:
        entry = self._entries.pop(order_id, None)
        if entry is None:
            return
        self._lsh.remove(order_id)
        # Rebuild the clusters without it: union-find cannot delete.
        self._parent = {oid: oid for oid in self._entries}
        for oid, other in self._entries.items():
            for match in self.find(other.record):
                if match.order_id in self._entries and match.order_id < oid:
                    self._union(oid, match.order_id)

    # ------------------------------------------------------------------ clusters

    def _root(self, order_id: str) -> str:
        while self._parent[order_id] != order_id:
            self._parent[order_id] = self._parent[self._parent[order_id]]
            order_id = self._parent[order_id]
        return order_id

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def clusters(self, *, min_size: int = 2) -> list[IssueCluster]:
        """Groups of same-issue appeals, largest first (the supervisors' list)."""
        groups: dict[str, list[_Entry]] = {}
        for order_id, entry in self._entries.items():
            groups.setdefault(self._root(order_id), []).append(entry)
        out = []
        for members in groups.values():
            if len(members) < min_size:
                continue
            members.sort(key=lambda e: (e.record.at, e.record.order_id))
            places = [e.place for e in members]
            out.append(
                IssueCluster(
                    order_ids=tuple(e.record.order_id for e in members),
                    phones=tuple(sorted({e.record.phone for e in members if e.record.phone})),
                    district=next((p.district for p in places if p.district), None),
                    town=next((p.town for p in places if p.town), None),
                    first_at=members[0].record.at,
                    last_at=members[-1].record.at,
                    sample=members[0].record.text[:60],
                )
            )
        return sorted(out, key=lambda c: (-c.size, c.first_at))
