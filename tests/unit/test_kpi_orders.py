"""Each work-order KPI on a hand-computed example (unit U1, March 2026).

Calendar: Mon–Fri working (March 2026 has no holiday). General class: reply due dispatch + 7 d,
close due reply due + 2 working days, sign due dispatch + 1 h.

o1: dispatched Mon 3-02 10:00, signed 10:30 (on time), contact 3-03 (on time), reply,
    满意 + solved, closed 3-05 (on time).
o2: dispatched 3-02 10:00, signed 12:00 (late), contact on time, reply, 基本满意 + unsolved,
    closed 3-06 (on time).
o3: dispatched 3-03 10:00, signed on time, contact 3-12 (late: reply due 3-10), reply, 不满意,
    核减 approved 3-14 (late: close due 3-12).
o4: dispatched 3-04 10:00, returned by U1 at 11:00 unsigned; re-dispatched to U2 at 12:00,
    U2 signs 12:30.
o5: dispatched 3-05 10:00, signed and contact on time, reply, 满意 + solved, not closed
    (close due 3-16).
o6: dispatched Fri 2-27 (before the period), reply, 满意 + solved 3-02, closed 3-02 (on time,
    close due 3-10).
o7: dispatched 3-20 10:00, signed and contact on time, reply 3-21, closed without a visit 3-24.
o8: dispatched 3-09 10:00, signed and contact on time, reply 3-10, 不满意 (open; due 3-18).

Hand computation for U1 (period [3-01, 4-01)):
dispatched = {o1,o2,o3,o4,o5,o7,o8} = 7; signed on time: o1,o3,o5,o7,o8 = 5;
responded (on-time sign AND on-time first contact): o1,o5,o7,o8 = 4; returned: o4 = 1.
due in March (current lead U1): o1,o2,o3,o5,o6,o7,o8 = 7, closed among them: o1,o2,o3,o6,o7 = 5.
closed in March: o1,o2,o3,o6,o7 = 5, on time: o1,o2,o6,o7 = 4, with a visit: o1,o2,o3,o6 = 4.
last visits in March: o1,o2,o3,o5,o6,o8 = 6, solved: o1,o5,o6 = 3.
rated minus 核减 (o3): o1,o2,o5,o6,o8 = 5; 满意/基本满意: o1,o2,o5,o6 = 4; 满意 only: o1,o5,o6 = 3.
三率 = 0.30 × 4/7 + 0.35 × 3/6 + 0.35 × 4/5 = 0.6264285714…
"""

from __future__ import annotations

from datetime import datetime

import pytest

from core.clock import SHANGHAI
from core.errors import ValidationError
from core.kpi_orders import Kpi, Period, SatisfactionVariant, Weights, kpis_by_unit, unit_kpis
from core.work_order import (
    Accept,
    Actor,
    ApproveExclusion,
    Close,
    Command,
    ContactMethod,
    Dispatch,
    RecordContact,
    Reply,
    RequestExclusion,
    Return,
    ReturnVisit,
    Role,
    Satisfaction,
    Sign,
    Trust,
    WorkOrder,
    WorkOrderEvent,
    handle,
)
from tests.unit.work_order_support import AGENT, DISPATCHER, SUPERVISOR, context, draft

U1 = Actor("u1-user", Role.UNIT_USER, "U1")
U2 = Actor("u2-user", Role.UNIT_USER, "U2")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def d(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def visit(sat: Satisfaction, solved: bool) -> ReturnVisit:
    return ReturnVisit(unit_contacted=True, solved=solved, satisfaction=sat, trust=Trust.TRUSTED)


CONTACT = RecordContact(method=ContactMethod.PHONE, summary="已联系")
REPLY = Reply(text="已处理")
SAT, BASIC, BAD = (
    Satisfaction.SATISFIED,
    Satisfaction.BASICALLY_SATISFIED,
    Satisfaction.DISSATISFIED,
)

STORIES: dict[str, list[tuple[Actor, Command, datetime]]] = {
    "o1": [
        (DISPATCHER, Dispatch(lead_unit="U1"), d(3, 2)),
        (U1, Sign(), d(3, 2, 10, 30)),
        (U1, CONTACT, d(3, 3)),
        (U1, REPLY, d(3, 4)),
        (AGENT, visit(SAT, True), d(3, 5, 9)),
        (AGENT, Close(), d(3, 5)),
    ],
    "o2": [
        (DISPATCHER, Dispatch(lead_unit="U1"), d(3, 2)),
        (U1, Sign(), d(3, 2, 12)),
        (U1, CONTACT, d(3, 3)),
        (U1, REPLY, d(3, 4)),
        (AGENT, visit(BASIC, False), d(3, 5)),
        (AGENT, Close(), d(3, 6)),
    ],
    "o3": [
        (DISPATCHER, Dispatch(lead_unit="U1"), d(3, 3)),
        (U1, Sign(), d(3, 3, 10, 10)),
        (U1, CONTACT, d(3, 12)),
        (U1, REPLY, d(3, 12, 11)),
        (AGENT, visit(BAD, False), d(3, 13)),
        (U1, RequestExclusion(reason="超出政策", leader_sign_off="主任"), d(3, 13, 11)),
        (SUPERVISOR, ApproveExclusion(), d(3, 14)),
    ],
    "o4": [
        (DISPATCHER, Dispatch(lead_unit="U1"), d(3, 4)),
        (U1, Return(reason="非本单位", legal_basis="三定方案", suggested_unit="U2"), d(3, 4, 11)),
        (DISPATCHER, Dispatch(lead_unit="U2"), d(3, 4, 12)),
        (U2, Sign(), d(3, 4, 12, 30)),
    ],
    "o5": [
        (DISPATCHER, Dispatch(lead_unit="U1"), d(3, 5)),
        (U1, Sign(), d(3, 5, 10, 5)),
        (U1, CONTACT, d(3, 5, 15)),
        (U1, REPLY, d(3, 6)),
        (AGENT, visit(SAT, True), d(3, 9)),
    ],
    "o6": [
        (DISPATCHER, Dispatch(lead_unit="U1"), d(2, 27)),
        (U1, Sign(), d(2, 27, 10, 30)),
        (U1, CONTACT, d(2, 27, 15)),
        (U1, REPLY, d(2, 28)),
        (AGENT, visit(SAT, True), d(3, 2, 9)),
        (AGENT, Close(), d(3, 2)),
    ],
    "o7": [
        (DISPATCHER, Dispatch(lead_unit="U1"), d(3, 20)),
        (U1, Sign(), d(3, 20, 10, 30)),
        (U1, CONTACT, d(3, 20, 15)),
        (U1, REPLY, d(3, 21)),
        (SUPERVISOR, Close(note="三次回访无人接听"), d(3, 24)),
    ],
    "o8": [
        (DISPATCHER, Dispatch(lead_unit="U1"), d(3, 9)),
        (U1, Sign(), d(3, 9, 10, 30)),
        (U1, CONTACT, d(3, 9, 15)),
        (U1, REPLY, d(3, 10)),
        (AGENT, visit(BAD, False), d(3, 11)),
    ],
}


def history() -> tuple[list[WorkOrder], list[WorkOrderEvent]]:
    ctx = context()
    orders: list[WorkOrder] = []
    events: list[WorkOrderEvent] = []
    for order_id, steps in STORIES.items():
        order = draft(id=order_id, number=order_id.upper(), created_at=d(2, 26))
        order, new = handle(order, Accept(), AGENT, d(2, 26), ctx)
        events += new
        for actor, command, when in steps:
            order, new = handle(order, command, actor, when, ctx)
            events += new
        orders.append(order)
    return orders, events


ORDERS, EVENTS = history()

# (KPI, numerator, denominator, value) for U1 in March — the hand computation above.
U1_EXPECTED = [
    (Kpi.VOLUME, 7, None, 7.0),
    (Kpi.ON_TIME_SIGN, 5, 7, 5 / 7),
    (Kpi.RESPONSE, 4, 7, 4 / 7),
    (Kpi.CLOSURE, 5, 7, 5 / 7),
    (Kpi.ON_TIME_CLOSURE, 4, 5, 4 / 5),
    (Kpi.VISIT, 4, 5, 4 / 5),
    (Kpi.RESOLUTION, 3, 6, 3 / 6),
    (Kpi.SATISFACTION, 4, 5, 4 / 5),
    (Kpi.RETURN, 1, 7, 1 / 7),
]


@pytest.mark.parametrize(("kpi", "numerator", "denominator", "value"), U1_EXPECTED)
def test_unit_kpi_by_hand(kpi: Kpi, numerator: int, denominator: int | None, value: float) -> None:
    result = unit_kpis("U1", MARCH, ORDERS, EVENTS)[kpi]
    assert (result.numerator, result.denominator) == (numerator, denominator)
    assert result.value == pytest.approx(value)
    assert result.version == "v1"


def test_composite_three_rates() -> None:
    result = unit_kpis("U1", MARCH, ORDERS, EVENTS)[Kpi.COMPOSITE]
    assert result.value == pytest.approx(0.30 * 4 / 7 + 0.35 * 3 / 6 + 0.35 * 4 / 5)
    assert result.formula == "three_rates_score/0.3-0.35-0.35"


def test_satisfaction_strict_variant() -> None:
    result = unit_kpis("U1", MARCH, ORDERS, EVENTS, satisfaction=SatisfactionVariant.STRICT)
    value = result[Kpi.SATISFACTION]
    assert (value.numerator, value.denominator) == (3, 5)
    assert value.formula == "satisfaction_rate/strict"
    assert value.order_ids == ("o1", "o5", "o6")


def test_custom_weights() -> None:
    weights = Weights(response=0.5, resolution=0.25, satisfaction=0.25)
    result = unit_kpis("U1", MARCH, ORDERS, EVENTS, weights=weights)[Kpi.COMPOSITE]
    assert result.value == pytest.approx(0.5 * 4 / 7 + 0.25 * 0.5 + 0.25 * 0.8)


def test_other_unit_and_undefined_rates() -> None:
    u2 = kpis_by_unit(MARCH, ORDERS, EVENTS)["U2"]
    assert u2[Kpi.VOLUME].value == 1
    assert u2[Kpi.ON_TIME_SIGN].value == 1.0
    assert u2[Kpi.RESPONSE].value == 0.0
    assert u2[Kpi.CLOSURE].value == 0.0  # o4 due 3-13, not closed
    assert u2[Kpi.ON_TIME_CLOSURE].value is None  # nothing closed: undefined, not 0 %
    assert u2[Kpi.SATISFACTION].value is None
    assert u2[Kpi.COMPOSITE].value is None


def test_a_period_without_activity() -> None:
    april = Period(d(4, 1, 0), d(5, 1, 0))
    result = unit_kpis("U1", april, ORDERS, EVENTS)
    assert result[Kpi.VOLUME].value == 0
    assert result[Kpi.ON_TIME_SIGN].value is None


def test_drill_down_lists_the_orders() -> None:
    assert unit_kpis("U1", MARCH, ORDERS, EVENTS)[Kpi.RESPONSE].order_ids == (
        "o1",
        "o5",
        "o7",
        "o8",
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: Period(d(3, 2), d(3, 1)),
        lambda: Weights(0.5, 0.5, 0.5),
        lambda: Weights(1.2, -0.1, -0.1),
    ],
)
def test_bad_parameters(make: object) -> None:
    with pytest.raises(ValidationError):
        make()  # type: ignore[operator]
