"""Every (status, action, role) triple → outcome, against a spec table written out here.

The spec below is deliberately independent of core.work_order_rules.TRANSITIONS: if someone
edits the rule table, these tests say which cells changed.
"""

from __future__ import annotations

import pytest

from core.errors import InvalidTransitionError, PermissionDeniedError
from core.work_order import Action, Role, WorkOrder, WorkOrderStatus, allowed_actions, handle
from tests.unit.work_order_support import (
    ACTORS,
    OTHER_UNIT,
    SAMPLES,
    T0,
    context,
    order_in,
    with_pending_extension,
)

S = WorkOrderStatus
A = Action
R = Role
HOTLINE = {R.AGENT, R.DISPATCHER, R.SUPERVISOR, R.ADMIN}
INTAKE = {R.AGENT, R.SUPERVISOR, R.ADMIN}
DESK = {R.DISPATCHER, R.SUPERVISOR, R.ADMIN}
APPROVERS = {R.SUPERVISOR, R.ADMIN}
UNIT = {R.UNIT_USER}

# action → {source status: (status afterwards, roles allowed)}
SPEC: dict[Action, dict[WorkOrderStatus, tuple[WorkOrderStatus, set[Role]]]] = {
    A.ACCEPT: {S.DRAFT: (S.ACCEPTED, HOTLINE)},
    A.ANSWER_AT_INTAKE: {S.DRAFT: (S.CLOSED, INTAKE), S.ACCEPTED: (S.CLOSED, INTAKE)},
    A.HAND_OVER: {S.DRAFT: (S.HANDED_OVER, HOTLINE), S.ACCEPTED: (S.HANDED_OVER, HOTLINE)},
    A.REFUSE: {S.DRAFT: (S.REFUSED, HOTLINE), S.ACCEPTED: (S.REFUSED, HOTLINE)},
    A.DISPATCH: {S.ACCEPTED: (S.DISPATCHED, HOTLINE), S.RETURNED: (S.DISPATCHED, HOTLINE)},
    A.SIGN: {S.DISPATCHED: (S.SIGNED, UNIT)},
    A.RETURN: {S.DISPATCHED: (S.RETURNED, UNIT), S.SIGNED: (S.RETURNED, UNIT)},
    A.DISPUTE_RETURN: {S.RETURNED: (S.DISPATCHED, DESK)},
    A.RECORD_CONTACT: {S.SIGNED: (S.IN_PROGRESS, UNIT), S.IN_PROGRESS: (S.IN_PROGRESS, UNIT)},
    A.REPLY: {S.IN_PROGRESS: (S.REPLIED, UNIT)},
    A.RETURN_VISIT: {S.REPLIED: (S.VISITED, INTAKE)},
    A.CLOSE: {
        S.VISITED: (S.CLOSED, HOTLINE),
        S.REPLIED: (S.CLOSED, APPROVERS),
        S.DISSATISFIED: (S.CLOSED, APPROVERS),
    },
    A.REQUEST_EXTENSION: {S.SIGNED: (S.SIGNED, UNIT), S.IN_PROGRESS: (S.IN_PROGRESS, UNIT)},
    A.APPROVE_EXTENSION: {
        S.SIGNED: (S.SIGNED, APPROVERS),
        S.IN_PROGRESS: (S.IN_PROGRESS, APPROVERS),
    },
    A.REJECT_EXTENSION: {
        S.SIGNED: (S.SIGNED, APPROVERS),
        S.IN_PROGRESS: (S.IN_PROGRESS, APPROVERS),
    },
    A.URGE: {
        S.DISPATCHED: (S.DISPATCHED, HOTLINE),
        S.SIGNED: (S.SIGNED, HOTLINE),
        S.IN_PROGRESS: (S.IN_PROGRESS, HOTLINE),
    },
    A.MERGE: dict.fromkeys(
        (S.ACCEPTED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.RETURNED), (S.MERGED, DESK)
    ),
    A.RE_HANDLE: {S.DISSATISFIED: (S.DISPATCHED, DESK)},
    A.REQUEST_EXCLUSION: {S.DISSATISFIED: (S.EXCLUSION_REQUESTED, UNIT)},
    A.APPROVE_EXCLUSION: {S.EXCLUSION_REQUESTED: (S.CLOSED, APPROVERS)},
    A.REJECT_EXCLUSION: {S.EXCLUSION_REQUESTED: (S.DISSATISFIED, APPROVERS)},
}

# Preconditions beyond status: how the test prepares an order so the guard passes.
_ORDERS: dict[tuple[WorkOrderStatus, Action], WorkOrder] = {}


def prepared(status: WorkOrderStatus, action: Action) -> WorkOrder:
    key = (status, action)
    if key not in _ORDERS:
        if action in (A.APPROVE_EXTENSION, A.REJECT_EXTENSION) and status in (
            S.SIGNED,
            S.IN_PROGRESS,
        ):
            _ORDERS[key] = with_pending_extension(status)
        elif action is A.ANSWER_AT_INTAKE:
            from core.work_order import AppealType

            _ORDERS[key] = order_in(status, appeal_type=AppealType.CONSULTATION)
        else:
            _ORDERS[key] = order_in(status)
    return _ORDERS[key]


def expected(status: WorkOrderStatus, action: Action, role: Role) -> str:
    row = SPEC[action].get(status)
    if row is None:
        return "invalid"
    target, roles = row
    return target.value if role in roles else "forbidden"


CASES = [
    pytest.param(
        status, action, role, expected(status, action, role), id=f"{status}-{action}-{role}"
    )
    for status in S
    for action in A
    for role in R
]


@pytest.mark.parametrize(("status", "action", "role", "outcome"), CASES)
def test_transition_table(
    status: WorkOrderStatus, action: Action, role: Role, outcome: str
) -> None:
    order = prepared(status, action)
    actor = ACTORS[role]
    now = T0.replace(hour=12)
    if outcome == "invalid":
        with pytest.raises(InvalidTransitionError) as err:
            handle(order, SAMPLES[action], actor, now, context())
        assert err.value.details["allowed"] == allowed_actions(order, actor)
        assert action.value not in err.value.details["allowed"]
    elif outcome == "forbidden":
        with pytest.raises(PermissionDeniedError):
            handle(order, SAMPLES[action], actor, now, context())
    else:
        new, events = handle(order, SAMPLES[action], actor, now, context())
        assert new.status.value == outcome
        assert new.version == order.version + 1
        assert events
        assert all(e.from_status is status and e.to_status is new.status for e in events)
        assert all(e.actor_id == actor.user_id for e in events)


UNIT_ACTIONS = sorted(
    {(s, a) for a, rows in SPEC.items() for s, (_, roles) in rows.items() if roles == UNIT}
)


@pytest.mark.parametrize(("status", "action"), UNIT_ACTIONS)
def test_other_unit_may_not_act_on_the_order(status: WorkOrderStatus, action: Action) -> None:
    order = prepared(status, action)
    with pytest.raises(PermissionDeniedError) as err:
        handle(order, SAMPLES[action], OTHER_UNIT, T0.replace(hour=12), context())
    assert err.value.code == "work_order.not_lead_unit"


# What allowed_actions() lists for each status and role with an order built the plain way:
# guards remove approve/reject_extension (nothing pending) and answer_at_intake (not 咨询).
GUARDED = {A.APPROVE_EXTENSION, A.REJECT_EXTENSION, A.ANSWER_AT_INTAKE}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("role", list(R))
def test_allowed_actions_match_the_spec(status: WorkOrderStatus, role: Role) -> None:
    order = order_in(status)
    want = {
        a.value
        for a, rows in SPEC.items()
        if status in rows and role in rows[status][1] and a not in GUARDED
    }
    assert set(allowed_actions(order, ACTORS[role])) == want


def test_allowed_actions_include_guarded_ones_when_the_guard_passes() -> None:
    order = with_pending_extension(S.IN_PROGRESS)
    allowed = allowed_actions(order, ACTORS[R.SUPERVISOR])
    assert {"approve_extension", "reject_extension"} <= set(allowed)
    unit_allowed = allowed_actions(order, ACTORS[R.UNIT_USER])
    assert "request_extension" not in unit_allowed  # one request at a time
    assert allowed_actions(order, OTHER_UNIT) == []


def test_trainer_reads_only() -> None:
    for status in S:
        assert allowed_actions(order_in(status), ACTORS[R.TRAINER]) == []
