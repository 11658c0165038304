"""Auto-fill of one call: fields follow a transcript that grows (and is revised) during the call.

Incremental and cheap: each update scans only the new text plus a small overlap window (so a
number or address split across two ASR segments is still seen whole); evidence is kept per
field, so a correction mid-call ("不对，是一三九…") replaces the value, and an ASR revision of
earlier text drops exactly the evidence that came from the revised part. Fields the agent
edited (:meth:`AutofillSession.lock`) are never overwritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from autofill import decide, summary
from autofill.model import (
    ADDRESS_FIELDS,
    FIELDS,
    Candidate,
    CategoryPredictor,
    Cue,
    FieldValue,
    LabelScore,
)
from autofill.scan import ScanResult
from core.clock import SHANGHAI
from core.errors import ValidationError
from core.ports import Clock

POINT_FIELDS = ("phone", "id_number", "name", *ADDRESS_FIELDS, "time")
FIRST_WINS = frozenset({"time"})  # the first time said is when the problem started
OVERRIDE_MARGIN = 0.25  # a later mention wins unless it is this much less certain
_BOUNDARY = frozenset(" \t\n，。！？,.!?；;：:、")

Changes = dict[str, FieldValue | None]


class Scanner(Protocol):
    """What a session needs from :class:`autofill.scan.TranscriptScanner`."""

    def scan(self, raw: str, *, offset: int = 0, ref_date: date | None = None) -> ScanResult: ...


class AutofillSession:
    def __init__(
        self,
        scanner: Scanner,
        *,
        predictor: CategoryPredictor | None = None,
        clock: Clock | None = None,
        overlap: int = 48,
        category_every: int = 40,
        min_confidence: float = 0.45,
    ) -> None:
        self._scanner = scanner
        self._predictor = predictor
        self._clock = clock
        self._overlap = overlap
        self._category_every = category_every
        self._min_confidence = min_confidence
        self._text = ""
        self._scanned = 0
        self._history: dict[str, dict[tuple[str, int, int], FieldValue]] = defaultdict(dict)
        self._cues: dict[tuple[str, str, int, int], Cue] = {}
        self._locked: dict[str, FieldValue] = {}
        self._fields: dict[str, FieldValue] = {}
        self._predicted_at: int | None = None
        self._category: Sequence[LabelScore] = ()
        self._appeal_type: Sequence[LabelScore] = ()

    # ------------------------------------------------------------------ public API

    @property
    def text(self) -> str:
        return self._text

    @property
    def fields(self) -> dict[str, FieldValue]:
        return dict(self._fields)

    def as_json(self) -> dict[str, dict[str, object]]:
        """All fields as JSON-ready dicts (for the live-state document the agent desk reads)."""
        return {name: value.to_dict() for name, value in sorted(self._fields.items())}

    def feed(self, delta: str) -> Changes:
        """Append new transcript text; returns the fields that changed (None = cleared)."""
        if not delta:
            return {}
        self._text += delta
        return self._rescan()

    def update(self, full_text: str) -> Changes:
        """Replace the transcript (ASR revised its hypothesis); rescans only the changed tail."""
        if full_text.startswith(self._text):
            return self.feed(full_text[len(self._text) :])
        common = 0
        for old, new in zip(self._text, full_text, strict=False):
            if old != new:
                break
            common += 1
        self._forget_after(common)
        self._text = full_text
        self._scanned = min(self._scanned, common)
        return self._rescan()

    def lock(self, field: str, value: str) -> FieldValue:
        """The agent typed ``value``: it stays, whatever the caller says afterwards."""
        if field not in FIELDS:
            raise ValidationError(
                f"unknown auto-fill field {field!r}",
                code="autofill.unknown_field",
                details={"field": field, "known": list(FIELDS)},
            )
        locked = FieldValue(field, value, 1.0, None, source="agent")
        self._locked[field] = locked
        self._fields[field] = locked
        return locked

    def unlock(self, field: str) -> Changes:
        """Hand the field back to the auto-fill (it takes the best value heard so far)."""
        self._locked.pop(field, None)
        return self._recompute()

    def refresh_category(self) -> Changes:
        """Ask the classifier now (call end, or an agent click), whatever the throttle says."""
        self._predict(force=True)
        return self._recompute()

    # ------------------------------------------------------------------ internals

    def _ref_date(self) -> date | None:
        return self._clock.now().astimezone(SHANGHAI).date() if self._clock else None

    def _window_start(self) -> tuple[int, bool]:
        start = max(0, self._scanned - self._overlap)
        floor = max(0, start - 16)
        while start > floor and self._text[start - 1] not in _BOUNDARY:
            start -= 1
        clean = start == 0 or self._text[start - 1] in _BOUNDARY
        return start, clean

    def _rescan(self) -> Changes:
        start, clean = self._window_start()
        result = self._scanner.scan(self._text[start:], offset=start, ref_date=self._ref_date())
        for candidate in result.candidates:
            if not clean and candidate.start < start + 6:
                continue  # may be the cut-off tail of something seen whole before
            self._remember(candidate)
        for cue in result.cues:
            self._cues[(cue.kind, cue.label, cue.start, cue.end)] = cue
        self._scanned = len(self._text)
        self._predict(force=False)
        return self._recompute()

    def _remember(self, candidate: Candidate) -> None:
        key = (candidate.value, candidate.start, candidate.end)
        history = self._history[candidate.name]
        # The same mention seen again with more text after it ("从昨天" → "从昨天晚上10点开始")
        # replaces its cut-off first reading.
        for old in [k for k in history if k[1] == candidate.start and k[2] < candidate.end]:
            del history[old]
        known = history.get(key)
        if known is None or candidate.confidence > known.confidence:
            history[key] = FieldValue(
                candidate.name,
                candidate.value,
                candidate.confidence,
                (candidate.start, candidate.end),
                detail=dict(candidate.detail),
            )

    def _forget_after(self, position: int) -> None:
        for history in self._history.values():
            for key in [k for k, v in history.items() if v.span and v.span[1] > position]:
                del history[key]
        for cue_key in [k for k, cue in self._cues.items() if cue.end > position]:
            del self._cues[cue_key]
        if self._predicted_at is not None and self._predicted_at > position:
            self._predicted_at = None

    def _predict(self, *, force: bool) -> None:
        if self._predictor is None:
            return
        grown = len(self._text) - (self._predicted_at or 0)
        if not force and self._predicted_at is not None and grown < self._category_every:
            return
        self._category = self._predictor.predict_category(self._text)
        self._appeal_type = self._predictor.predict_appeal_type(self._text)
        self._predicted_at = len(self._text)

    def _pick(self, name: str) -> FieldValue | None:
        best: FieldValue | None = None
        ordered = sorted(
            self._history[name].values(), key=lambda f: (f.span or (0, 0), f.confidence)
        )
        for value in ordered:
            if value.confidence < self._min_confidence:
                continue
            if best is None:
                best = value
            elif name in FIRST_WINS:
                if value.confidence > best.confidence + 0.2:
                    best = value
            elif value.value == best.value:
                if value.confidence > best.confidence:
                    best = value  # same value said more clearly
            elif (
                value.detail.get("correction") == "true"
                or value.confidence >= best.confidence - OVERRIDE_MARGIN
            ):
                best = value
        return best

    def _recompute(self) -> Changes:
        fields: dict[str, FieldValue] = {}
        for name in POINT_FIELDS:
            picked = self._pick(name)
            if picked is not None:
                fields[name] = picked
        cues = list(self._cues.values())
        derived = (
            decide.appeal_type(cues, self._appeal_type),
            decide.urgency(cues),
            decide.enterprise(cues),
            decide.category(self._category),
        )
        for value in derived:
            if value is not None:
                fields[value.name] = value
        fields.update(self._locked)
        sentences = summary.issue_sentences(self._text, cues)
        title = summary.title(fields, decide.topic(cues), sentences)
        if title:
            fields["title"] = FieldValue("title", title, 0.6, None)
        text = summary.summary(fields, sentences)
        if text:
            fields["summary"] = FieldValue("summary", text, 0.6, None)
        fields.update(self._locked)
        changes: Changes = {}
        for name in set(fields) | set(self._fields):
            old, new = self._fields.get(name), fields.get(name)
            if new is None:
                changes[name] = None
            elif old is None or (old.value, old.span, old.source) != (
                new.value,
                new.span,
                new.source,
            ):
                changes[name] = new
        self._fields = fields
        return changes
