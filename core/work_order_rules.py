"""Who may do what, from which status — the work-order state machine as data.

``TRANSITIONS`` is the single table; :func:`core.work_order.handle` and
:func:`core.work_order.allowed_actions` read it, and tests iterate it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import ValidationError
from core.work_order_model import WorkOrderStatus as S


class Role(StrEnum):
    AGENT = "agent"  # 话务员
    DISPATCHER = "dispatcher"  # 派单员
    SUPERVISOR = "supervisor"  # 班长/督办
    TRAINER = "trainer"  # 质检/培训 — reads only
    UNIT_USER = "unit_user"  # 承办单位用户
    ADMIN = "admin"


class Action(StrEnum):
    ACCEPT = "accept"
    ANSWER_AT_INTAKE = "answer_at_intake"
    HAND_OVER = "hand_over"
    REFUSE = "refuse"
    DISPATCH = "dispatch"
    SIGN = "sign"
    RETURN = "return"
    DISPUTE_RETURN = "dispute_return"
    RECORD_CONTACT = "record_contact"
    REPLY = "reply"
    RETURN_VISIT = "return_visit"
    CLOSE = "close"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    URGE = "urge"
    MERGE = "merge"
    RE_HANDLE = "re_handle"
    REQUEST_EXCLUSION = "request_exclusion"
    APPROVE_EXCLUSION = "approve_exclusion"
    REJECT_EXCLUSION = "reject_exclusion"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts. A unit user carries the code of its unit and acts only as that unit."""

    user_id: str
    role: Role
    unit_code: str | None = None

    def __post_init__(self) -> None:
        if self.role is Role.UNIT_USER and not self.unit_code:
            raise ValidationError(
                "a unit user needs a unit code", code="auth.unit_required", details={}
            )


@dataclass(frozen=True, slots=True)
class Transition:
    """``action`` from ``source`` by one of ``roles`` leads to ``target``.

    ``lead_unit_only``: a unit user must belong to the order's lead unit (主办).
    ``target`` None: the status does not change (urge, contact, extension bookkeeping).
    """

    action: Action
    source: S
    target: S | None
    roles: frozenset[Role]
    lead_unit_only: bool = False


HOTLINE = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
INTAKE = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
DISPATCHING = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
DESK = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
APPROVERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
UNIT = frozenset({Role.UNIT_USER})


def _rows(
    action: Action,
    sources: tuple[S, ...],
    target: S | None,
    roles: frozenset[Role],
    *,
    lead: bool = False,
) -> list[Transition]:
    return [Transition(action, s, target, roles, lead) for s in sources]


_WITH_UNIT = (S.DISPATCHED, S.SIGNED, S.IN_PROGRESS)
_HANDLING = (S.SIGNED, S.IN_PROGRESS)

TRANSITIONS: tuple[Transition, ...] = (
    *_rows(Action.ACCEPT, (S.DRAFT,), S.ACCEPTED, HOTLINE),
    *_rows(Action.ANSWER_AT_INTAKE, (S.DRAFT, S.ACCEPTED), S.CLOSED, INTAKE),
    *_rows(Action.HAND_OVER, (S.DRAFT, S.ACCEPTED), S.HANDED_OVER, HOTLINE),
    *_rows(Action.REFUSE, (S.DRAFT, S.ACCEPTED), S.REFUSED, HOTLINE),
    *_rows(Action.DISPATCH, (S.ACCEPTED, S.RETURNED), S.DISPATCHED, DISPATCHING),
    *_rows(Action.SIGN, (S.DISPATCHED,), S.SIGNED, UNIT, lead=True),
    *_rows(Action.RETURN, (S.DISPATCHED, S.SIGNED), S.RETURNED, UNIT, lead=True),
    *_rows(Action.DISPUTE_RETURN, (S.RETURNED,), S.DISPATCHED, DESK),
    Transition(Action.RECORD_CONTACT, S.SIGNED, S.IN_PROGRESS, UNIT, True),
    Transition(Action.RECORD_CONTACT, S.IN_PROGRESS, None, UNIT, True),
    # A reply needs a contact, and recording one moves signed → in_progress.
    Transition(Action.REPLY, S.IN_PROGRESS, S.REPLIED, UNIT, True),
    # → dissatisfied instead of visited when the rating is 不满意 (decided by handle()).
    *_rows(Action.RETURN_VISIT, (S.REPLIED,), S.VISITED, INTAKE),
    Transition(Action.CLOSE, S.VISITED, S.CLOSED, HOTLINE),
    Transition(Action.CLOSE, S.REPLIED, S.CLOSED, APPROVERS),
    Transition(Action.CLOSE, S.DISSATISFIED, S.CLOSED, APPROVERS),
    *_rows(Action.REQUEST_EXTENSION, _HANDLING, None, UNIT, lead=True),
    *_rows(Action.APPROVE_EXTENSION, _HANDLING, None, APPROVERS),
    *_rows(Action.REJECT_EXTENSION, _HANDLING, None, APPROVERS),
    *_rows(Action.URGE, _WITH_UNIT, None, HOTLINE),
    *_rows(Action.MERGE, (S.ACCEPTED, *_WITH_UNIT, S.RETURNED), S.MERGED, DESK),
    *_rows(Action.RE_HANDLE, (S.DISSATISFIED,), S.DISPATCHED, DESK),
    *_rows(Action.REQUEST_EXCLUSION, (S.DISSATISFIED,), S.EXCLUSION_REQUESTED, UNIT, lead=True),
    *_rows(Action.APPROVE_EXCLUSION, (S.EXCLUSION_REQUESTED,), S.CLOSED, APPROVERS),
    *_rows(Action.REJECT_EXCLUSION, (S.EXCLUSION_REQUESTED,), S.DISSATISFIED, APPROVERS),
)

_BY_KEY: dict[tuple[Action, S], Transition] = {(t.action, t.source): t for t in TRANSITIONS}
if len(_BY_KEY) != len(TRANSITIONS):  # pragma: no cover - guards the table itself
    raise RuntimeError("duplicate (action, source) rows in TRANSITIONS")


def transition_for(action: Action, source: S) -> Transition | None:
    return _BY_KEY.get((action, source))


def actions_from(source: S) -> list[Action]:
    """Actions the table allows from ``source`` for some role (ignoring guards)."""
    return [t.action for t in TRANSITIONS if t.source is source]


def transition_table_markdown() -> str:
    """The rule table as Markdown (docs/work_orders.md embeds it; a test keeps them equal)."""
    lines = [
        "| action | from | to | roles |",
        "| --- | --- | --- | --- |",
    ]
    for t in TRANSITIONS:
        roles = ", ".join(r.value for r in Role if r in t.roles)
        if t.lead_unit_only:
            roles += " (lead unit only)"
        target = t.target.value if t.target else "(unchanged)"
        lines.append(f"| {t.action.value} | {t.source.value} | {target} | {roles} |")
    return "\n".join(lines)
