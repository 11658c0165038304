"""Transcript review (录音转写质检): read a call's transcript with its call timeline, search
transcripts by keyword, and record a QA score (质检评分) for a call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.calls import from_stored
from core.errors import NotFoundError, PermissionDeniedError, ValidationError
from core.ports import CallEventStore, Clock, TranscriptSegment, TranscriptStore
from core.privacy import Viewer
from core.work_order_rules import Role

REVIEW_ROLES = frozenset({Role.TRAINER, Role.SUPERVISOR, Role.ADMIN})
READ_ROLES = REVIEW_ROLES | {Role.AGENT}  # an agent re-reads the call on the desk
# 质检评分项 → (label, max points). Sum of maxima is 100.
SCORE_ITEMS: Mapping[str, tuple[str, int]] = {
    "courtesy": ("服务规范（开场、礼貌用语、结束语）", 25),
    "accuracy": ("信息准确（政策解答、号码地址核对）", 25),
    "record": ("诉求记录（工单要素完整、归类准确）", 25),
    "communication": ("沟通技巧（倾听、安抚、控制通话）", 25),
}


@dataclass(frozen=True, slots=True)
class QaScore:
    call_id: str
    reviewer: str
    items: Mapping[str, int]
    comment: str
    created_at: datetime
    id: int | None = None

    @property
    def total(self) -> int:
        return sum(self.items.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "call_id": self.call_id,
            "reviewer": self.reviewer,
            "items": dict(self.items),
            "total": self.total,
            "comment": self.comment,
            "created_at": self.created_at.isoformat(),
        }


class QaScoreStore(Protocol):
    async def add(self, score: QaScore) -> QaScore: ...

    async def for_call(self, call_id: str) -> list[QaScore]: ...


def segment_json(s: TranscriptSegment) -> dict[str, Any]:
    return {
        "call_id": s.call_id,
        "speaker": s.speaker,
        "start_ms": s.start_ms,
        "end_ms": s.end_ms,
        "text": s.text,
        "text_normalised": s.text_normalised,
        "final": s.final,
        "confidence": s.confidence,
        "gap": s.gap,
    }


def _require(viewer: Viewer, roles: frozenset[Role]) -> None:
    if viewer.actor.role not in roles:
        raise PermissionDeniedError("role may not read transcripts", code="auth.forbidden")


class ReviewTranscripts:
    def __init__(
        self,
        transcripts: TranscriptStore,
        call_events: CallEventStore,
        scores: QaScoreStore,
        clock: Clock,
    ) -> None:
        self._transcripts = transcripts
        self._events = call_events
        self._scores = scores
        self._clock = clock

    async def call(self, viewer: Viewer, call_id: str) -> dict[str, Any]:
        _require(viewer, READ_ROLES)
        segments = await self._transcripts.for_call(call_id)
        stored = await self._events.for_call(call_id)
        if not segments and not stored:
            raise NotFoundError(f"no transcript for call {call_id}", code="transcript.not_found")
        timeline = []
        caller = ""
        for s in stored:
            try:
                event = from_stored(s)
            except ValueError:
                continue
            caller = caller or str(s.payload.get("caller_number", ""))
            timeline.append(
                {"at": event.occurred_at.isoformat(), "event": event.name, **_brief(s.payload)}
            )
        reviewer = viewer.actor.role in REVIEW_ROLES
        return {
            "call_id": call_id,
            "caller_number": caller,
            "timeline": timeline,
            "segments": [segment_json(s) for s in segments],
            "scores": [q.to_json() for q in await self._scores.for_call(call_id)]
            if reviewer
            else [],
            "score_items": {k: {"label": v[0], "max": v[1]} for k, v in SCORE_ITEMS.items()},
        }

    async def search(self, viewer: Viewer, text: str, limit: int = 50) -> list[dict[str, Any]]:
        """Calls whose final segments contain ``text``: one hit per call, newest first."""
        _require(viewer, REVIEW_ROLES)
        hits: dict[str, dict[str, Any]] = {}
        for s in await self._transcripts.search(text, limit=limit * 4):
            hit = hits.setdefault(s.call_id, {"call_id": s.call_id, "matches": []})
            if len(hit["matches"]) < 3:
                hit["matches"].append(segment_json(s))
        return list(hits.values())[:limit]

    async def score(
        self, viewer: Viewer, call_id: str, items: Mapping[str, int], comment: str
    ) -> QaScore:
        _require(viewer, REVIEW_ROLES)
        problems = [
            {"field": f"body.items.{k}", "message": f"须为 0–{SCORE_ITEMS[k][1]} 的整数"}
            for k in SCORE_ITEMS
            if not 0 <= int(items.get(k, -1)) <= SCORE_ITEMS[k][1]
        ] + [
            {"field": f"body.items.{k}", "message": "未知的评分项"}
            for k in items
            if k not in SCORE_ITEMS
        ]
        if problems:
            raise ValidationError(
                "invalid QA score", code="validation.invalid", details={"errors": problems}
            )
        if not await self._transcripts.for_call(call_id):
            raise NotFoundError(f"no transcript for call {call_id}", code="transcript.not_found")
        score = QaScore(
            call_id=call_id,
            reviewer=viewer.actor.user_id,
            items={k: int(items[k]) for k in SCORE_ITEMS},
            comment=comment.strip(),
            created_at=self._clock.now(),
        )
        return await self._scores.add(score)


_TIMELINE_KEYS = (
    "queue",
    "interface",
    "member_name",
    "wait_s",
    "talk_s",
    "caller_number",
    "reason",
)


def _brief(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: payload[k] for k in _TIMELINE_KEYS if k in payload and payload[k] not in ("", None)}
