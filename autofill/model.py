"""Value types of the auto-fill and the Protocol through which the classifier helps it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol

# Field names of a work-order draft (the keys of ``python -m hotline extract`` are a subset).
ADDRESS_FIELDS: Final = (
    "province",
    "city",
    "district",
    "town",
    "community",
    "road",
    "road_no",
    "poi",
    "house_no",
)
FIELDS: Final = (
    "phone",
    "id_number",
    "name",
    *ADDRESS_FIELDS,
    "time",
    "appeal_type",
    "category",
    "urgency",
    "enterprise",
    "title",
    "summary",
)
APPEAL_TYPES: Final = ("咨询", "求助", "投诉", "举报", "建议", "表扬")
URGENCY_LEVELS: Final = ("normal", "utility_24h", "emergency")

Source = Literal["auto", "agent"]


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One filled field: value, confidence in [0, 1] and where in the transcript it came from.

    ``span`` is ``(start, end)`` in the session's raw transcript, or None for values derived
    from several places (title, summary) or typed by the agent.
    """

    name: str
    value: str
    confidence: float
    span: tuple[int, int] | None
    source: Source = "auto"
    detail: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "span": list(self.span) if self.span else None,
            "source": self.source,
            "detail": dict(self.detail),
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    """A value an extractor proposes; ``start``/``end`` index the text it was given."""

    name: str
    value: str
    confidence: float
    start: int
    end: int
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Cue:
    """Evidence for a whole-call field (appeal type, urgency, enterprise flag, topic)."""

    kind: str  # appeal_type | urgency | enterprise | topic
    label: str
    weight: float
    start: int
    end: int
    word: str


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    probability: float


class CategoryPredictor(Protocol):
    """What the auto-fill needs from a text classifier (the wiring passes the classifier).

    Both methods return labels best first; an empty sequence means "no opinion".
    """

    def predict_category(self, text: str) -> Sequence[LabelScore]: ...

    def predict_appeal_type(self, text: str) -> Sequence[LabelScore]: ...
