"""Transcripts of calls, keyword search and QA scores (录音转写质检)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from agent_api.api_time import in_api_zone
from agent_api.auth import CurrentViewer
from agent_api.container import Services
from core.use_cases.transcript_review import ReviewTranscripts

router = APIRouter(tags=["transcripts"])
CallId = Annotated[str, Field(min_length=1, max_length=64)]


class QaScoreCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: dict[str, Annotated[int, Field(ge=0, le=100)]]
    comment: Annotated[str, Field(max_length=2000)] = ""


def _review(services: Services) -> ReviewTranscripts:
    return ReviewTranscripts(
        services.transcripts, services.call_events, services.qa_scores, services.clock
    )


# Declared before /transcripts/{call_id} so "search" is not taken for a call id.
@router.get("/transcripts/search")
async def search_transcripts(
    viewer: CurrentViewer,
    services: Services,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    return in_api_zone(await _review(services).search(viewer, q, limit))


@router.get("/transcripts/{call_id}")
async def call_transcript(
    call_id: str, viewer: CurrentViewer, services: Services
) -> dict[str, Any]:
    """Segments by speaker with times (raw and ITN text), the call's timeline, QA scores."""
    return in_api_zone(await _review(services).call(viewer, call_id))


@router.post("/transcripts/{call_id}/scores", status_code=201)
async def score_call(
    call_id: str, body: QaScoreCreate, viewer: CurrentViewer, services: Services
) -> dict[str, Any]:
    score = await _review(services).score(viewer, call_id, body.items, body.comment)
    return in_api_zone(score.to_json())
