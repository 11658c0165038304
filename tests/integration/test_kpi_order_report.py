"""The work-order KPI report on SQLite and PostgreSQL: figures from the stored audit trail,
checked against a hand-computed case, and a number of SQL statements that does not grow with
the number of orders (the trails are read per page, not per order)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import SHANGHAI
from core.kpi_orders import Period, kpis_by_unit
from core.privacy import Viewer
from core.use_cases.order_kpi_report import WorkOrderKpiReport, event_from_dict, unit_json
from core.use_cases.ports import OrderQuery, TransitionRecord
from core.use_cases.records import transition_record
from core.work_order import (
    Accept,
    Actor,
    Command,
    ContactMethod,
    Dispatch,
    RecordContact,
    Return,
    Sign,
    WorkOrder,
    WorkOrderEvent,
)
from storage.db import session_factory
from storage.work_order_repo import SqlWorkOrderRepository
from tests.fixtures.orders import (
    AGENT,
    DISPATCHER,
    SUPERVISOR,
    context,
    draft,
    handle_recorded,
    unit_actor,
)

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)  # a Monday
START, END = T0, T0 + timedelta(days=1)
WATER, HOUSING = unit_actor("u-water"), unit_actor("u-housing")
MIN = timedelta(minutes=1)
CONTACT = RecordContact(method=ContactMethod.PHONE, summary="已电话联系")
RETURN = Return(reason="不属本单位职责", legal_basis="《城市供水条例》", suggested_unit="u-housing")

Steps = list[tuple[timedelta, Command, Actor]]
# Sign limit is one hour from dispatch (at +10 min).
PATTERNS: dict[str, Steps] = {
    # dispatched to water, signed on time, appellant contacted on time
    "on_time": [
        (5 * MIN, Accept(), AGENT),
        (10 * MIN, Dispatch(lead_unit="u-water"), DISPATCHER),
        (20 * MIN, Sign(), WATER),
        (30 * MIN, CONTACT, WATER),
    ],
    # dispatched to water, signed late, contacted
    "late_sign": [
        (5 * MIN, Accept(), AGENT),
        (10 * MIN, Dispatch(lead_unit="u-water"), DISPATCHER),
        (120 * MIN, Sign(), WATER),
        (130 * MIN, CONTACT, WATER),
    ],
    # dispatched to water, returned unsigned
    "returned": [
        (5 * MIN, Accept(), AGENT),
        (10 * MIN, Dispatch(lead_unit="u-water"), DISPATCHER),
        (30 * MIN, RETURN, WATER),
    ],
    # another unit's order, signed on time
    "housing": [
        (5 * MIN, Accept(), AGENT),
        (10 * MIN, Dispatch(lead_unit="u-housing"), DISPATCHER),
        (20 * MIN, Sign(), HOUSING),
    ],
}
KINDS = list(PATTERNS)


def _life(kind: str, n: int) -> tuple[WorkOrder, list[TransitionRecord]]:
    created = T0 + n * timedelta(seconds=1)
    order = draft(created, title=f"{kind}-{n}")
    records = [
        transition_record(
            before=None, after=order, action="create", actor=AGENT, events=[], command={}
        )
    ]
    for offset, command, actor in PATTERNS[kind]:
        order, record = handle_recorded(order, command, actor, created + offset, context())
        records.append(record)
    return order, records


async def _store(repo: SqlWorkOrderRepository, count: int) -> dict[str, list[str]]:
    """``count`` orders cycling through the patterns; their ids by pattern."""
    ids: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        order, records = _life(kind, n)
        await repo.add(order, records)
        ids[kind].append(order.id)
    return ids


@contextmanager
def _statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _report(repo: SqlWorkOrderRepository) -> dict[str, Any]:
    viewer = Viewer(SUPERVISOR)
    return await WorkOrderKpiReport(repo).execute(viewer, START, END, None)


async def _one_order_at_a_time(repo: SqlWorkOrderRepository) -> list[dict[str, Any]]:
    """The report's figures computed the pre-bulk way: each order's trail on its own."""
    orders = list((await repo.search(OrderQuery(limit=200))).items)
    events: list[WorkOrderEvent] = []
    for order in orders:
        for t in await repo.transitions(order.id):
            events.extend(e for d in t.payload["events"] if (e := event_from_dict(d)))
    return [unit_json(u) for u in kpis_by_unit(Period(START, END), orders, events).values()]


def _figures(report: dict[str, Any], unit: str) -> dict[str, tuple[Any, ...]]:
    (kpis,) = [u["kpis"] for u in report["units"] if u["unit"] == unit]
    return {
        name: (k["numerator"], k["denominator"], sorted(k["order_ids"]))
        for name, k in kpis.items()
        if name in ("volume", "on_time_sign_rate", "response_rate", "return_rate")
    }


@pytest.fixture
def repo(engine: AsyncEngine) -> SqlWorkOrderRepository:
    return SqlWorkOrderRepository(session_factory(engine))


async def test_figures_of_a_hand_computed_case(repo: SqlWorkOrderRepository) -> None:
    ids = await _store(repo, 4)
    report = await _report(repo)
    assert [u["unit"] for u in report["units"]] == ["u-housing", "u-water"]
    assert _figures(report, "u-water") == {
        "volume": (3, None, []),
        "on_time_sign_rate": (1, 3, ids["on_time"]),
        "response_rate": (1, 3, ids["on_time"]),
        "return_rate": (1, 3, ids["returned"]),
    }
    assert _figures(report, "u-housing") == {
        "volume": (1, None, []),
        "on_time_sign_rate": (1, 1, ids["housing"]),
        "response_rate": (0, 1, []),
        "return_rate": (0, 1, []),
    }
    closure = next(u for u in report["units"] if u["unit"] == "u-water")["kpis"]["closure_rate"]
    assert (closure["denominator"], closure["value"]) == (0, None)  # nothing due today


async def test_statements_do_not_grow_with_orders_and_figures_stay(
    engine: AsyncEngine, repo: SqlWorkOrderRepository
) -> None:
    await _store(repo, 4)
    with _statements(engine) as few:
        await _report(repo)
    ids = await _store(repo, 46)  # 50 in all
    with _statements(engine) as many:
        report = await _report(repo)
    # one page: count, orders, their transitions
    assert len(many) == len(few) <= 3, many
    assert report["units"] == await _one_order_at_a_time(repo)
    # 4 + 46 orders cycled through the patterns: 13 on time, 13 late, 12 returned, 12 housing
    assert [len(ids[kind]) for kind in KINDS] == [12, 12, 11, 11]
    water = _figures(report, "u-water")
    assert water["volume"] == (38, None, [])
    assert water["on_time_sign_rate"][:2] == (13, 38)
    assert water["response_rate"][:2] == (13, 38)
    assert water["return_rate"][:2] == (12, 38)
