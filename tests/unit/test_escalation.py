"""Each escalation rule, raised and not raised."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from core.business_calendar import BusinessCalendar
from core.clock import SHANGHAI
from core.errors import ValidationError
from core.escalation import (
    EscalationConfig,
    FlagKind,
    SupervisionForm,
    scan,
    with_flags,
)
from core.work_order import (
    Action,
    Close,
    Dispatch,
    ReturnVisit,
    Satisfaction,
    Trust,
    WorkOrder,
    WorkOrderStatus,
)
from tests.fixtures.calendars import WeekdayCalendar
from tests.unit.work_order_support import (
    AGENT,
    DISPATCHER,
    OTHER,
    SAMPLES,
    SUPERVISOR,
    T0,
    UNIT,
    draft,
    order_in,
    run,
)

S = WorkOrderStatus
F = FlagKind
CAL = BusinessCalendar(WeekdayCalendar())


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def returned_twice() -> WorkOrder:
    order, _ = run(
        order_in(S.RETURNED),
        [(DISPATCHER, Dispatch(lead_unit="U-LEAD")), (UNIT, SAMPLES[Action.RETURN])],
    )
    return order


def urged(n: int) -> WorkOrder:
    return run(order_in(S.SIGNED), [(DISPATCHER, SAMPLES[Action.URGE])] * n)[0]


def lawful_close() -> WorkOrder:
    return run(order_in(S.DISSATISFIED), [(SUPERVISOR, Close(note="联合研判：依法办结"))])[0]


def not_contacted() -> WorkOrder:
    visit = ReturnVisit(
        unit_contacted=False, solved=True, satisfaction=Satisfaction.SATISFIED, trust=Trust.TRUSTED
    )
    return run(order_in(S.REPLIED), [(AGENT, visit), (AGENT, Close())])[0]


def repeat(n: int, phones: list[str], days_apart: float = 5) -> list[WorkOrder]:
    return [
        order_in(
            S.ACCEPTED,
            id=f"r{i}",
            number=f"N{i}",
            appellant=replace(draft().appellant, phone=phones[i]),
            created_at=at(days=i * days_apart),
        )
        for i in range(n)
    ]


# (name, orders, now, flags expected on which order ids). Dispatched orders: T0 + 20 min,
# sign due +1 h, reply due +7 days (Mon Mar 9 09:20), close due +2 wd (Wed Mar 11 09:20),
# seriously overdue 3 wd after the reply deadline (Thu Mar 12 09:20).
Case = tuple[str, Callable[[], list[WorkOrder]], datetime, set[tuple[str, FlagKind]]]
CASES: list[Case] = [
    ("sign overdue", lambda: [order_in(S.DISPATCHED)], at(hours=2), {("wo-1", F.OVERDUE_SIGN)}),
    ("sign not yet due", lambda: [order_in(S.DISPATCHED)], at(hours=1), set()),
    (
        "signed late is not 'overdue sign' any more",
        lambda: [order_in(S.SIGNED)],
        at(hours=3),
        set(),
    ),
    ("reply overdue", lambda: [order_in(S.IN_PROGRESS)], at(days=8), {("wo-1", F.OVERDUE_REPLY)}),
    (
        "seriously overdue + close overdue",
        lambda: [order_in(S.IN_PROGRESS)],
        at(days=10, hours=1),
        {("wo-1", F.OVERDUE_REPLY), ("wo-1", F.SERIOUSLY_OVERDUE), ("wo-1", F.OVERDUE_CLOSE)},
    ),
    (
        "replied: only the close clock runs",
        lambda: [order_in(S.REPLIED)],
        at(days=9, hours=1),
        {("wo-1", F.OVERDUE_CLOSE)},
    ),
    ("closed orders are quiet", lambda: [order_in(S.CLOSED)], at(days=30), set()),
    ("urged 3 times", lambda: [urged(3)], at(hours=0.9), {("wo-1", F.MANY_URGES)}),
    ("urged twice", lambda: [urged(2)], at(hours=0.9), set()),
    (
        "returned twice (推诿扯皮)",
        lambda: [returned_twice()],
        at(hours=1),
        {("wo-1", F.BUCK_PASSING)},
    ),
    ("returned once", lambda: [order_in(S.RETURNED)], at(hours=1), set()),
    ("dissatisfied", lambda: [order_in(S.DISSATISFIED)], at(hours=2), {("wo-1", F.DISSATISFIED)}),
    (
        "exclusion pending is still dissatisfied",
        lambda: [order_in(S.EXCLUSION_REQUESTED)],
        at(hours=2),
        {("wo-1", F.DISSATISFIED)},
    ),
    (
        "closed as handled lawfully, counted dissatisfied",
        lambda: [lawful_close()],
        at(hours=2),
        {("wo-1", F.DISSATISFIED)},
    ),
    (
        "visit says the unit never called (虚假答复)",
        lambda: [not_contacted()],
        at(hours=2),
        {("wo-1", F.FAKE_REPLY)},
    ),
    (
        "sensitive keyword",
        lambda: [order_in(S.ACCEPTED, content="再不解决我就去跳楼")],
        at(),
        {("wo-1", F.SENSITIVE)},
    ),
    (
        "same caller 3 times in 30 days",
        lambda: repeat(3, ["138"] * 3),
        at(days=11),
        {("r2", F.REPEAT_CALLER)},
    ),
    ("same caller twice", lambda: repeat(2, ["138"] * 2), at(days=11), set()),
    (
        "same caller 3 times over 40 days",
        lambda: repeat(3, ["138"] * 3, days_apart=20),
        at(days=40),
        set(),
    ),
    (
        "3 callers same issue → on-site",
        lambda: repeat(3, ["1", "2", "3"]),
        at(days=11),
        {("r2", F.MANY_CALLERS)},
    ),
]


@pytest.mark.parametrize(
    ("orders", "now", "flags"), [pytest.param(o, n, f, id=name) for name, o, n, f in CASES]
)
def test_escalation_rule(
    orders: Callable[[], list[WorkOrder]], now: datetime, flags: set[tuple[str, FlagKind]]
) -> None:
    result = scan(orders(), now, calendar=CAL)
    assert {(e.order_id, e.kind) for e in result.escalations} == flags
    assert {(e.order_id, e.kind) for e in result.events} == flags  # none flagged before


def test_repeat_groups_name_the_related_orders_and_ask_for_on_site_supervision() -> None:
    result = scan(repeat(3, ["138"] * 3), at(days=11))
    (escalation,) = result.escalations
    assert escalation.related_order_ids == ("r0", "r1")
    assert escalation.supervision is SupervisionForm.ON_SITE


def test_only_new_flags_raise_events() -> None:
    order = order_in(S.DISPATCHED)
    first = scan([order], at(hours=2))
    flagged = with_flags(order, first.flags_for(order.id))
    assert flagged.flags == {"overdue_sign"}
    assert flagged.version == order.version + 1
    again = scan([flagged], at(hours=3))
    assert [e.kind for e in again.escalations] == [F.OVERDUE_SIGN]
    assert again.events == []
    assert with_flags(flagged, {"overdue_sign"}) is flagged


def test_thresholds_and_keywords_are_configurable() -> None:
    config = EscalationConfig.from_dict(
        {"urge_threshold": 2, "sensitive_keywords": ["噪音"], "return_threshold": 1}
    )
    orders = [
        urged(2),
        order_in(S.RETURNED, id="wo-2"),
        order_in(S.ACCEPTED, id="wo-3", content="装修噪音"),
    ]
    result = scan(orders, at(hours=0.9), config)
    assert {(e.order_id, e.kind) for e in result.escalations} == {
        ("wo-1", F.MANY_URGES),
        ("wo-2", F.BUCK_PASSING),
        ("wo-3", F.SENSITIVE),
    }


@pytest.mark.parametrize(
    "data",
    [
        {"urge_threshold": 0},
        {"sensitive_keywords": "跳楼"},
        {"sensitive_keywords": [""]},
        {"nope": 1},
    ],
)
def test_bad_escalation_config(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        EscalationConfig.from_dict(data)


def test_event_payload_is_json_friendly() -> None:
    result = scan(
        [order_in(S.DISPATCHED, number="2026-1")], datetime(2026, 3, 2, 12, tzinfo=SHANGHAI)
    )
    payload = result.events[0].to_dict()
    assert payload["event"] == "EscalationRaised"
    assert payload["kind"] == "overdue_sign"
    assert payload["number"] == "2026-1"
    assert payload["supervision"] == "phone"


def test_a_redispatched_order_is_judged_by_its_new_deadlines() -> None:
    order, _ = run(
        order_in(S.RETURNED), [(DISPATCHER, Dispatch(lead_unit=OTHER))], start=at(days=1)
    )
    assert scan([order], at(days=1, hours=1)).escalations == []
