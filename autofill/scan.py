"""Run every extractor over one piece of transcript and map results back to the raw text."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from autofill.address import AddressExtractor
from autofill.cues import find_cues
from autofill.model import Candidate, Cue
from autofill.person import extract_names
from autofill.phone import extract_id_numbers, extract_phones
from autofill.textnorm import compact_spaces
from autofill.timeexpr import extract_times
from core.divisions import Gazetteer
from core.itn import normalize


@dataclass(frozen=True, slots=True)
class ScanResult:
    candidates: list[Candidate]
    cues: list[Cue]


class TranscriptScanner:
    """Stateless and thread-safe once built; build it once per process (the gazetteer is big)."""

    def __init__(self, gazetteer: Gazetteer | None = None, *, area_code: str = "029") -> None:
        self.address = AddressExtractor(gazetteer)
        self.area_code = area_code

    def scan(self, raw: str, *, offset: int = 0, ref_date: date | None = None) -> ScanResult:
        """Candidates and cues of ``raw``; positions are ``offset`` + index into ``raw``."""
        compact, positions = compact_spaces(raw)
        itn = normalize(compact, ref_date=ref_date)
        text = itn.text

        def to_raw(start: int, end: int) -> tuple[int, int]:
            a, b = itn.to_raw(start, end)
            return positions[a] + offset, positions[b - 1] + 1 + offset

        found = [
            *extract_phones(text, area_code=self.area_code),
            *extract_id_numbers(text),
            *extract_names(text),
            *self.address.extract(text),
            *extract_times(text, ref_date=ref_date),
        ]
        candidates = []
        for candidate in found:
            start, end = to_raw(candidate.start, candidate.end)
            candidates.append(replace(candidate, start=start, end=end))
        cues = []
        for cue in find_cues(text):
            start, end = to_raw(cue.start, cue.end)
            cues.append(replace(cue, start=start, end=end))
        return ScanResult(candidates, cues)
