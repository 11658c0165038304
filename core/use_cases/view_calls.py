"""Read call records (one per citizen call): list with filters, and one call with its
timeline, transcript segments and linked work orders. Unit users never see call records;
viewers without personal-data rights see masked caller numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.errors import NotFoundError, PermissionDeniedError, ValidationError
from core.ports import TranscriptSegment, TranscriptStore
from core.privacy import Viewer, mask_phone
from core.work_order_rules import Role

CALL_READERS = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.TRAINER, Role.ADMIN})
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class CallQuery:
    start: datetime | None = None  # offered_at ≥ start
    end: datetime | None = None  # offered_at < end
    queue: str | None = None
    outcome: str | None = None
    number: str | None = None  # caller number, exact
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class LinkedOrder:
    id: str
    number: str
    status: str
    title: str


class CallRecordRepository(Protocol):
    async def get(self, linkedid: str) -> dict[str, Any] | None: ...

    async def search(self, query: CallQuery) -> tuple[list[dict[str, Any]], int]: ...

    async def linked_orders(self, linkedid: str) -> list[LinkedOrder]: ...


@dataclass(frozen=True, slots=True)
class CallDetail:
    record: dict[str, Any]
    transcript: list[TranscriptSegment]
    orders: list[LinkedOrder]


class ViewCalls:
    def __init__(self, records: CallRecordRepository, transcripts: TranscriptStore) -> None:
        self._records = records
        self._transcripts = transcripts

    def _authorise(self, viewer: Viewer) -> None:
        if viewer.actor.role not in CALL_READERS:
            raise PermissionDeniedError(
                f"role {viewer.actor.role.value} may not read call records",
                code="call.forbidden",
                details={"roles": sorted(r.value for r in CALL_READERS)},
            )

    @staticmethod
    def _present(viewer: Viewer, record: dict[str, Any]) -> dict[str, Any]:
        if viewer.sees_personal_data:
            return record
        return {**record, "caller_number": mask_phone(str(record.get("caller_number") or ""))}

    async def list(self, viewer: Viewer, query: CallQuery) -> tuple[list[dict[str, Any]], int]:
        self._authorise(viewer)
        if not 1 <= query.limit <= MAX_LIMIT or query.offset < 0:
            raise ValidationError(
                f"limit must be 1–{MAX_LIMIT} and offset ≥ 0", code="call.bad_query"
            )
        if query.start is not None and query.end is not None and query.end <= query.start:
            raise ValidationError("the range end must be after its start", code="call.bad_query")
        items, total = await self._records.search(query)
        return [self._present(viewer, r) for r in items], total

    async def get(self, viewer: Viewer, linkedid: str) -> CallDetail:
        self._authorise(viewer)
        record = await self._records.get(linkedid)
        if record is None:
            raise NotFoundError(
                f"no call {linkedid}", code="call.not_found", details={"linkedid": linkedid}
            )
        transcript = await self._transcripts.for_call(linkedid)
        orders = await self._records.linked_orders(linkedid)
        return CallDetail(self._present(viewer, record), transcript, orders)
