"""Explicit row ↔ entity mapping for work orders. Nested value objects (contacts, reply,
visit, returns, pending extension) are stored as JSON documents with ISO-8601 UTC times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.sla import SlaClass
from core.work_order_model import (
    AppealType,
    Appellant,
    Channel,
    ClosureKind,
    ContactMethod,
    ContactRecord,
    Counters,
    Deadlines,
    EmergencyService,
    ExclusionState,
    ExtensionRequest,
    OutOfScopeReason,
    ReplyRecord,
    ReturnRecord,
    ReturnVisitResult,
    Satisfaction,
    Trust,
    WorkOrder,
    WorkOrderStatus,
)
from storage.tables.work_orders import WorkOrderRow


def _ts(value: datetime) -> str:
    return value.isoformat()


def _dt(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"stored time {value!r} has no zone")
    return parsed


def _contact_doc(c: ContactRecord) -> dict[str, Any]:
    return {
        "at": _ts(c.at),
        "by_user": c.by_user,
        "unit": c.unit,
        "method": c.method.value,
        "summary": c.summary,
        "round": c.round,
    }


def _contact(d: dict[str, Any]) -> ContactRecord:
    return ContactRecord(
        at=_dt(d["at"]),
        by_user=d["by_user"],
        unit=d["unit"],
        method=ContactMethod(d["method"]),
        summary=d["summary"],
        round=d["round"],
    )


def _reply_doc(r: ReplyRecord) -> dict[str, Any]:
    return {"at": _ts(r.at), "by_user": r.by_user, "unit": r.unit, "text": r.text, "round": r.round}


def _reply(d: dict[str, Any]) -> ReplyRecord:
    return ReplyRecord(
        at=_dt(d["at"]), by_user=d["by_user"], unit=d["unit"], text=d["text"], round=d["round"]
    )


def _visit_doc(v: ReturnVisitResult) -> dict[str, Any]:
    return {
        "at": _ts(v.at),
        "by_user": v.by_user,
        "unit_contacted": v.unit_contacted,
        "solved": v.solved,
        "satisfaction": v.satisfaction.value,
        "trust": v.trust.value,
        "note": v.note,
        "round": v.round,
    }


def _visit(d: dict[str, Any]) -> ReturnVisitResult:
    return ReturnVisitResult(
        at=_dt(d["at"]),
        by_user=d["by_user"],
        unit_contacted=d["unit_contacted"],
        solved=d["solved"],
        satisfaction=Satisfaction(d["satisfaction"]),
        trust=Trust(d["trust"]),
        note=d["note"],
        round=d["round"],
    )


def _return_doc(r: ReturnRecord) -> dict[str, Any]:
    return {
        "at": _ts(r.at),
        "by_user": r.by_user,
        "unit": r.unit,
        "reason": r.reason,
        "legal_basis": r.legal_basis,
        "suggested_unit": r.suggested_unit,
        "late": r.late,
        "disputed": r.disputed,
    }


def _return(d: dict[str, Any]) -> ReturnRecord:
    return ReturnRecord(
        at=_dt(d["at"]),
        by_user=d["by_user"],
        unit=d["unit"],
        reason=d["reason"],
        legal_basis=d["legal_basis"],
        suggested_unit=d["suggested_unit"],
        late=d["late"],
        disputed=d["disputed"],
    )


def _extension_doc(e: ExtensionRequest) -> dict[str, Any]:
    return {
        "at": _ts(e.at),
        "by_user": e.by_user,
        "working_days": e.working_days,
        "reason": e.reason,
    }


def _extension(d: dict[str, Any]) -> ExtensionRequest:
    return ExtensionRequest(
        at=_dt(d["at"]), by_user=d["by_user"], working_days=d["working_days"], reason=d["reason"]
    )


def to_columns(o: WorkOrder) -> dict[str, Any]:
    """Entity → column values (every column of ``work_orders``; a test compares the two)."""
    return {
        "id": o.id,
        "number": o.number,
        "status": o.status.value,
        "channel": o.channel.value,
        "appeal_type": o.appeal_type.value,
        "category_code": o.category_code,
        "sla_class": o.sla_class.value,
        "enterprise": o.enterprise,
        "title": o.title,
        "content": o.content,
        "appellant_name": o.appellant.name,
        "appellant_phone": o.appellant.phone,
        "confidential": o.appellant.confidential,
        "address": o.address,
        "district": o.district,
        "town": o.town,
        "call_id": o.call_id,
        "lead_unit": o.lead_unit,
        "assisting_units": list(o.assisting_units),
        "copy_units": list(o.copy_units),
        "sign_due": o.deadlines.sign_due,
        "return_due": o.deadlines.return_due,
        "reply_due": o.deadlines.reply_due,
        "close_due": o.deadlines.close_due,
        "provisional_years": list(o.deadlines.provisional_years),
        "return_count": o.counters.return_count,
        "urge_count": o.counters.urge_count,
        "extension_working_days": o.counters.extension_working_days,
        "rehandle_count": o.counters.rehandle_count,
        "handling_round": o.handling_round,
        "contacts": [_contact_doc(c) for c in o.contacts],
        "reply": None if o.reply is None else _reply_doc(o.reply),
        "visit": None if o.visit is None else _visit_doc(o.visit),
        "returns": [_return_doc(r) for r in o.returns],
        "pending_extension": (
            None if o.pending_extension is None else _extension_doc(o.pending_extension)
        ),
        "exclusion": o.exclusion.value,
        "closure": None if o.closure is None else o.closure.value,
        "answer": o.answer,
        "handed_over_to": None if o.handed_over_to is None else o.handed_over_to.value,
        "refusal_reason": None if o.refusal_reason is None else o.refusal_reason.value,
        "merged_into": o.merged_into,
        "flags": sorted(o.flags),
        "created_at": o.created_at,
        "accepted_at": o.accepted_at,
        "dispatched_at": o.dispatched_at,
        "signed_at": o.signed_at,
        "replied_at": o.replied_at,
        "closed_at": o.closed_at,
        "version": o.version,
    }


def to_entity(row: WorkOrderRow) -> WorkOrder:
    return WorkOrder(
        id=row.id,
        number=row.number,
        status=WorkOrderStatus(row.status),
        channel=Channel(row.channel),
        appeal_type=AppealType(row.appeal_type),
        category_code=row.category_code,
        sla_class=SlaClass(row.sla_class),
        enterprise=row.enterprise,
        title=row.title,
        content=row.content,
        appellant=Appellant(
            name=row.appellant_name, phone=row.appellant_phone, confidential=row.confidential
        ),
        address=row.address,
        district=row.district,
        town=row.town,
        call_id=row.call_id,
        lead_unit=row.lead_unit,
        assisting_units=tuple(row.assisting_units),
        copy_units=tuple(row.copy_units),
        deadlines=Deadlines(
            sign_due=row.sign_due,
            return_due=row.return_due,
            reply_due=row.reply_due,
            close_due=row.close_due,
            provisional_years=tuple(int(y) for y in row.provisional_years),
        ),
        counters=Counters(
            return_count=row.return_count,
            urge_count=row.urge_count,
            extension_working_days=row.extension_working_days,
            rehandle_count=row.rehandle_count,
        ),
        handling_round=row.handling_round,
        contacts=tuple(_contact(d) for d in row.contacts),
        reply=None if row.reply is None else _reply(row.reply),
        visit=None if row.visit is None else _visit(row.visit),
        returns=tuple(_return(d) for d in row.returns),
        pending_extension=(
            None if row.pending_extension is None else _extension(row.pending_extension)
        ),
        exclusion=ExclusionState(row.exclusion),
        closure=None if row.closure is None else ClosureKind(row.closure),
        answer=row.answer,
        handed_over_to=None if row.handed_over_to is None else EmergencyService(row.handed_over_to),
        refusal_reason=None if row.refusal_reason is None else OutOfScopeReason(row.refusal_reason),
        merged_into=row.merged_into,
        flags=frozenset(row.flags),
        created_at=row.created_at,
        accepted_at=row.accepted_at,
        dispatched_at=row.dispatched_at,
        signed_at=row.signed_at,
        replied_at=row.replied_at,
        closed_at=row.closed_at,
        version=row.version,
    )
