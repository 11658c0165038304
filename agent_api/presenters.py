"""Explicit mapping of domain objects to response schemas."""

from __future__ import annotations

from agent_api.schemas import (
    AppellantRead,
    ContactRead,
    CountersRead,
    DeadlinesRead,
    ExtensionRead,
    ReplyRead,
    ReturnRead,
    VisitRead,
    WorkOrderRead,
)
from core.use_cases.view_work_orders import OrderView
from core.work_order_model import WorkOrder


def work_order_read(view: OrderView) -> WorkOrderRead:
    o: WorkOrder = view.order
    return WorkOrderRead(
        id=o.id,
        number=o.number,
        status=o.status.value,
        channel=o.channel.value,
        appeal_type=o.appeal_type.value,
        category_code=o.category_code,
        sla_class=o.sla_class.value,
        enterprise=o.enterprise,
        title=o.title,
        content=o.content,
        appellant=AppellantRead(
            name=o.appellant.name,
            phone=o.appellant.phone,
            confidential=o.appellant.confidential,
            identity=view.identity.value,
        ),
        address=o.address,
        district=o.district,
        town=o.town,
        call_id=o.call_id,
        lead_unit=o.lead_unit,
        assisting_units=list(o.assisting_units),
        copy_units=list(o.copy_units),
        deadlines=DeadlinesRead(
            sign_due=o.deadlines.sign_due,
            return_due=o.deadlines.return_due,
            reply_due=o.deadlines.reply_due,
            close_due=o.deadlines.close_due,
            provisional_years=list(o.deadlines.provisional_years),
        ),
        counters=CountersRead(
            return_count=o.counters.return_count,
            urge_count=o.counters.urge_count,
            extension_working_days=o.counters.extension_working_days,
            rehandle_count=o.counters.rehandle_count,
        ),
        handling_round=o.handling_round,
        contacts=[
            ContactRead(
                at=c.at,
                by_user=c.by_user,
                unit=c.unit,
                method=c.method.value,
                summary=c.summary,
                round=c.round,
            )
            for c in o.contacts
        ],
        reply=None
        if o.reply is None
        else ReplyRead(
            at=o.reply.at,
            by_user=o.reply.by_user,
            unit=o.reply.unit,
            text=o.reply.text,
            round=o.reply.round,
        ),
        visit=None
        if o.visit is None
        else VisitRead(
            at=o.visit.at,
            by_user=o.visit.by_user,
            unit_contacted=o.visit.unit_contacted,
            solved=o.visit.solved,
            satisfaction=o.visit.satisfaction.value,
            trust=o.visit.trust.value,
            note=o.visit.note,
            round=o.visit.round,
        ),
        returns=[
            ReturnRead(
                at=r.at,
                by_user=r.by_user,
                unit=r.unit,
                reason=r.reason,
                legal_basis=r.legal_basis,
                suggested_unit=r.suggested_unit,
                late=r.late,
                disputed=r.disputed,
            )
            for r in o.returns
        ],
        pending_extension=None
        if o.pending_extension is None
        else ExtensionRead(
            at=o.pending_extension.at,
            by_user=o.pending_extension.by_user,
            working_days=o.pending_extension.working_days,
            reason=o.pending_extension.reason,
        ),
        exclusion=o.exclusion.value,
        closure=None if o.closure is None else o.closure.value,
        answer=o.answer,
        handed_over_to=None if o.handed_over_to is None else o.handed_over_to.value,
        refusal_reason=None if o.refusal_reason is None else o.refusal_reason.value,
        merged_into=o.merged_into,
        flags=sorted(o.flags),
        created_at=o.created_at,
        accepted_at=o.accepted_at,
        dispatched_at=o.dispatched_at,
        signed_at=o.signed_at,
        replied_at=o.replied_at,
        closed_at=o.closed_at,
        version=o.version,
        allowed_actions=list(view.allowed_actions),
    )
