"""UI wording from ``core.messages`` for the pages (one catalogue, not copied into JS)."""

from __future__ import annotations

from fastapi import APIRouter

from core.messages import ROLE_LABELS, STATUS_LABELS

router = APIRouter(tags=["reference"])


@router.get("/labels")
async def labels() -> dict[str, dict[str, str]]:
    """Public: Chinese labels of work-order statuses and roles."""
    return {
        "status": {k.value: v for k, v in STATUS_LABELS.items()},
        "role": {k.value: v for k, v in ROLE_LABELS.items()},
    }
