"""Classification feedback: what agents and handling units told us about a suggestion.

Every confirmation or correction of category / unit by an agent, and every 退单 (return) with
its reason, is recorded as a :class:`ClassificationFeedback`; the classifier turns them into
training examples (``python -m hotline train --include-feedback``). The store is a port so the
API layer can record feedback without importing the classifier.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Final, Literal, Protocol

FeedbackKind = Literal["confirmed", "corrected", "returned"]
FEEDBACK_KINDS: Final = ("confirmed", "corrected", "returned")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassificationFeedback:
    """One judgement on one appeal.

    ``confirmed``: the agent kept the suggestion. ``corrected``: the agent changed category
    and/or unit (the new values are the truth). ``returned``: the unit sent the order back
    (退单); ``returned_unit`` is the unit that refused, ``unit`` the unit suggested or finally
    accepted (may be empty), ``reason`` the stated reason and legal basis.
    """

    feedback_id: str
    kind: FeedbackKind
    text: str
    occurred_at: datetime
    category: str | None = None
    subcategory: str | None = None
    appeal_type: str | None = None
    unit: str | None = None
    suggested_category: str | None = None
    suggested_unit: str | None = None
    returned_unit: str | None = None
    reason: str | None = None
    work_order_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FEEDBACK_KINDS:
            raise ValueError(f"unknown feedback kind {self.kind!r}; use {FEEDBACK_KINDS}")
        if not self.text.strip():
            raise ValueError("feedback needs the appeal text")
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        if self.kind == "returned" and not (self.returned_unit and self.reason):
            raise ValueError("a 退单 needs the returning unit and its reason")

    def to_dict(self) -> dict[str, str | None]:
        data = asdict(self)
        data["occurred_at"] = self.occurred_at.isoformat()
        return data


class FeedbackStore(Protocol):
    async def record(self, feedback: ClassificationFeedback) -> None: ...

    def all(self) -> AsyncIterator[ClassificationFeedback]: ...
