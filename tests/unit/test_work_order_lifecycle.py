"""Whole lives of work orders and the rules that are not just (status, role) cells."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import SHANGHAI
from core.errors import ConflictError, DomainError, ValidationError
from core.sla import SlaClass, SlaPolicy
from core.work_order import (
    Accept,
    Action,
    Actor,
    AnswerAtIntake,
    ApproveExclusion,
    ApproveExtension,
    Close,
    ClosureKind,
    ContactMethod,
    Dispatch,
    DisputeReturn,
    ExclusionState,
    HandlingContext,
    Merge,
    RecordContact,
    ReHandle,
    RejectExclusion,
    Reply,
    ReplyWithoutContactError,
    RequestExclusion,
    RequestExtension,
    Return,
    ReturnVisit,
    Satisfaction,
    Sign,
    Trust,
    WorkOrderStatus,
    handle,
)
from tests.unit.work_order_support import (
    AGENT,
    DISPATCHER,
    DISSATISFIED_VISIT,
    LEAD,
    OTHER,
    SAMPLES,
    SUPERVISOR,
    T0,
    UNIT,
    context,
    draft,
    order_in,
    run,
)

S = WorkOrderStatus
OTHER_USER = Actor("unit-2", UNIT.role, OTHER)


def test_a_whole_life_with_return_extension_rehandle() -> None:
    """create → dispatch → return → re-dispatch → sign → extend → reply → 不满意 → 重办 →
    reply → 满意 → close (the API e2e test walks the same path over HTTP)."""
    steps = [
        (AGENT, Accept(sla_class=SlaClass.GENERAL)),
        (DISPATCHER, Dispatch(lead_unit=LEAD, copy_units=("D-YANTA",))),
        (UNIT, SAMPLES[Action.RETURN]),
        (DISPATCHER, Dispatch(lead_unit=OTHER)),
        (OTHER_USER, Sign()),
        (OTHER_USER, RecordContact(method=ContactMethod.PHONE, summary="约定上门")),
        (OTHER_USER, RequestExtension(working_days=5, reason="待采购")),
        (SUPERVISOR, ApproveExtension(working_days=3)),
        (OTHER_USER, Reply(text="已更换灯具")),
        (AGENT, DISSATISFIED_VISIT),
        (DISPATCHER, ReHandle(note="仍有一盏不亮")),
        (OTHER_USER, Sign()),
        (OTHER_USER, RecordContact(method=ContactMethod.ON_SITE, summary="现场查看")),
        (OTHER_USER, Reply(text="已全部修复")),
        (
            AGENT,
            ReturnVisit(
                unit_contacted=True,
                solved=True,
                satisfaction=Satisfaction.BASICALLY_SATISFIED,
                trust=Trust.BASICALLY_TRUSTED,
            ),
        ),
        (AGENT, Close()),
    ]
    order, events = run(draft(), steps)
    assert order.status is S.CLOSED
    assert order.closure is ClosureKind.HANDLED
    assert order.lead_unit == OTHER
    assert order.counters.return_count == 1
    assert order.counters.extension_working_days == 3
    assert order.counters.rehandle_count == 1
    assert order.handling_round == 2
    assert order.version == 1 + len(steps)
    assert [e.name for e in events] == [
        "WorkOrderAccepted",
        "WorkOrderDispatched",
        "WorkOrderReturned",
        "WorkOrderDispatched",
        "WorkOrderSigned",
        "AppellantContacted",
        "ExtensionRequested",
        "ExtensionApproved",
        "WorkOrderReplied",
        "ReturnVisitRecorded",
        "WorkOrderReHandleOrdered",
        "WorkOrderSigned",
        "AppellantContacted",
        "WorkOrderReplied",
        "ReturnVisitRecorded",
        "WorkOrderClosed",
    ]
    redispatch = events[3]
    assert redispatch.to_dict()["redispatch"] is True
    assert [e.version for e in events] == list(range(2, 2 + len(steps)))
    assert events[-1].to_dict()["on_time"] is True


def test_handle_does_not_change_its_input() -> None:
    before = order_in(S.ACCEPTED)
    snapshot = replace(before)
    handle(before, Dispatch(lead_unit=LEAD), DISPATCHER, T0, context())
    assert before == snapshot


def test_reply_without_contact_is_a_fake_reply() -> None:
    signed = order_in(S.SIGNED)
    # signed: reply is not even offered; in progress after a re-handle: the old contact is stale
    order, _ = run(order_in(S.DISSATISFIED), [(DISPATCHER, ReHandle(note="重办")), (UNIT, Sign())])
    assert order.contacts  # a contact from round 1 exists …
    order = replace(order, status=S.IN_PROGRESS)  # … even if status says in progress
    with pytest.raises(ReplyWithoutContactError) as err:
        handle(order, Reply(text="已办"), UNIT, T0, context())
    assert err.value.code == "work_order.reply_without_contact"
    assert isinstance(err.value, ConflictError)
    assert signed.contact_in_round() is None


def test_rehandle_goes_back_to_the_same_unit_with_fresh_deadlines() -> None:
    order = order_in(S.DISSATISFIED)
    now = T0 + timedelta(days=3)
    new, events = handle(order, ReHandle(note="重办"), DISPATCHER, now, context())
    assert new.status is S.DISPATCHED
    assert new.lead_unit == order.lead_unit
    assert new.handling_round == 2
    assert new.deadlines.sign_due == (now + timedelta(hours=1)).astimezone(UTC)
    assert new.deadlines.reply_due == (now + timedelta(days=7)).astimezone(UTC)
    assert events[0].name == "WorkOrderReHandleOrdered"


def test_dispute_return_sends_it_back_and_keeps_the_reply_clock() -> None:
    returned = order_in(S.RETURNED)
    now = T0 + timedelta(hours=5)
    new, events = handle(returned, DisputeReturn(decision="属于该单位"), SUPERVISOR, now, context())
    assert new.status is S.DISPATCHED
    assert new.lead_unit == LEAD
    assert new.returns[-1].disputed is True
    assert new.deadlines.reply_due == returned.deadlines.reply_due
    assert new.deadlines.sign_due == (now + timedelta(hours=1)).astimezone(UTC)
    assert events[0].name == "WorkOrderReturnDisputed"


def test_return_needs_reason_legal_basis_and_suggested_unit() -> None:
    order = order_in(S.DISPATCHED)
    with pytest.raises(ValidationError) as err:
        handle(
            order,
            Return(reason="不归我们管", legal_basis=" ", suggested_unit=""),
            UNIT,
            T0,
            context(),
        )
    assert err.value.details["fields"] == ["legal_basis", "suggested_unit"]


def test_return_after_the_window_is_recorded_as_late() -> None:
    order = order_in(S.DISPATCHED)  # dispatched Mon 2026-03-02 09:20 → return due Wed 09:20
    late_time = datetime(2026, 3, 4, 9, 21, tzinfo=SHANGHAI)
    new, events = handle(order, SAMPLES[Action.RETURN], UNIT, late_time, context())
    assert new.returns[-1].late is True
    assert events[0].to_dict()["late"] is True


@pytest.mark.parametrize(
    ("used", "requested", "code"),
    [
        (0, 31, "work_order.extension_limit"),
        (25, 6, "work_order.extension_limit"),
        (0, 0, "work_order.extension_limit"),
    ],
)
def test_extension_total_is_capped(used: int, requested: int, code: str) -> None:
    order = order_in(S.IN_PROGRESS)
    order = replace(order, counters=replace(order.counters, extension_working_days=used))
    with pytest.raises(DomainError) as err:
        handle(order, RequestExtension(working_days=requested, reason="r"), UNIT, T0, context())
    assert err.value.code == code


def test_extension_cap_is_configurable() -> None:
    ctx = HandlingContext(context().calendar, SlaPolicy(extension_max_working_days=10))
    order = order_in(S.IN_PROGRESS)
    with pytest.raises(ValidationError):
        handle(order, RequestExtension(working_days=11, reason="r"), UNIT, T0, ctx)
    new, _ = handle(order, RequestExtension(working_days=10, reason="r"), UNIT, T0, ctx)
    assert new.pending_extension is not None


def test_approved_extension_moves_reply_and_close_deadlines_by_working_days() -> None:
    order, _ = run(
        order_in(S.IN_PROGRESS),
        [(UNIT, RequestExtension(working_days=5, reason="r")), (SUPERVISOR, ApproveExtension())],
    )
    before = order_in(S.IN_PROGRESS).deadlines
    # 5 working days over one weekend = 7 calendar days, same time of day
    assert order.deadlines.reply_due == before.reply_due + timedelta(days=7)  # type: ignore[operator]
    assert order.deadlines.close_due == before.close_due + timedelta(days=7)  # type: ignore[operator]
    assert order.deadlines.sign_due == before.sign_due


def test_cannot_approve_more_than_requested() -> None:
    order, _ = run(order_in(S.IN_PROGRESS), [(UNIT, RequestExtension(working_days=2, reason="r"))])
    with pytest.raises(ValidationError):
        handle(order, ApproveExtension(working_days=3), SUPERVISOR, T0, context())


def test_exclusion_approved_closes_and_rejected_goes_back() -> None:
    requested, _ = run(
        order_in(S.DISSATISFIED),
        [(UNIT, RequestExclusion(reason="超出政策", leader_sign_off="王局长"))],
    )
    assert requested.exclusion is ExclusionState.REQUESTED
    approved, events = handle(requested, ApproveExclusion(), SUPERVISOR, T0, context())
    assert (approved.status, approved.closure) == (S.CLOSED, ClosureKind.EXCLUDED)
    assert approved.exclusion is ExclusionState.APPROVED
    assert [e.name for e in events] == ["ExclusionApproved", "WorkOrderClosed"]
    rejected, _ = handle(requested, RejectExclusion(), SUPERVISOR, T0, context())
    assert (rejected.status, rejected.exclusion) == (S.DISSATISFIED, ExclusionState.REJECTED)


def test_exclusion_needs_the_leaders_sign_off() -> None:
    with pytest.raises(ValidationError) as err:
        handle(
            order_in(S.DISSATISFIED),
            RequestExclusion(reason="超出政策", leader_sign_off=""),
            UNIT,
            T0,
            context(),
        )
    assert err.value.details["fields"] == ["leader_sign_off"]


@pytest.mark.parametrize(
    ("status", "closure"),
    [
        (S.VISITED, ClosureKind.HANDLED),
        (S.REPLIED, ClosureKind.WITHOUT_VISIT),
        (S.DISSATISFIED, ClosureKind.HANDLED_LAWFULLY),
    ],
)
def test_close_records_how_it_ended(status: S, closure: ClosureKind) -> None:
    new, _ = handle(order_in(status), Close(note="三次回访未接通"), SUPERVISOR, T0, context())
    assert new.closure is closure


@pytest.mark.parametrize("status", [S.REPLIED, S.DISSATISFIED])
def test_closing_without_a_satisfied_visit_needs_a_note(status: S) -> None:
    with pytest.raises(ValidationError):
        handle(order_in(status), Close(), SUPERVISOR, T0, context())


def test_only_a_consultation_is_answered_at_intake() -> None:
    with pytest.raises(ValidationError) as err:
        handle(draft(), AnswerAtIntake(answer="..."), AGENT, T0, context())
    assert err.value.code == "work_order.answer_requires_consultation"


def test_merge_into_itself_is_refused() -> None:
    with pytest.raises(ValidationError):
        handle(order_in(S.ACCEPTED), Merge(into_id="wo-1"), DISPATCHER, T0, context())


def test_accept_needs_title_and_content() -> None:
    with pytest.raises(ValidationError) as err:
        handle(draft(title="", content=" "), Accept(), AGENT, T0, context())
    assert err.value.details["fields"] == ["title", "content"]


def test_dispatch_deduplicates_units_and_keeps_lead_out_of_the_others() -> None:
    cmd = Dispatch(lead_unit=LEAD, assisting_units=(LEAD, "A", "A"), copy_units=("A", "C", LEAD))
    new, events = handle(order_in(S.ACCEPTED), cmd, DISPATCHER, T0, context())
    assert (new.lead_unit, new.assisting_units, new.copy_units) == (LEAD, ("A",), ("C",))
    assert events[0].to_dict()["copy_units"] == ["C"]


@pytest.mark.parametrize(
    ("sla_class", "reply_after"),
    [
        (SlaClass.EMERGENCY, timedelta(hours=2)),
        (SlaClass.UTILITY, timedelta(hours=24)),
        (SlaClass.GENERAL, timedelta(days=7)),
        (SlaClass.COMPLEX, timedelta(days=15)),  # Wed 2026-03-18, a working day
        (SlaClass.ENTERPRISE, timedelta(days=7)),
    ],
)
def test_dispatch_stores_deadlines_for_the_class(
    sla_class: SlaClass, reply_after: timedelta
) -> None:
    accepted = order_in(S.ACCEPTED, sla_class=sla_class)
    now = datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)  # Tuesday
    new, _ = handle(accepted, Dispatch(lead_unit=LEAD), DISPATCHER, now, context())
    d = new.deadlines
    assert d.sign_due == now + timedelta(hours=1)
    assert d.return_due == now + timedelta(days=2)
    assert d.reply_due == now + reply_after
    assert d.reply_due is not None
    assert d.reply_due.tzinfo is UTC
    assert new.dispatched_at == now


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        handle(draft(), Accept(), AGENT, datetime(2026, 3, 2, 9), context())


def test_every_command_has_a_step_and_a_rule() -> None:
    from core.work_order import ALL_COMMANDS, STEPS
    from core.work_order_rules import TRANSITIONS

    assert set(STEPS) == set(ALL_COMMANDS)
    assert {c.action for c in ALL_COMMANDS} == {t.action for t in TRANSITIONS}
