"""Work-order repository on SQLite and PostgreSQL: explicit mapping, optimistic versions,
idempotency keys, unit index, filters, numbers and the personal-data audit."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.errors import ConflictError
from core.use_cases.ports import IdempotencyRecord, OrderQuery, PersonalDataRead, TransitionRecord
from core.use_cases.records import command_payload, transition_record
from core.work_order import (
    Accept,
    ContactMethod,
    Dispatch,
    RecordContact,
    Reply,
    Sign,
    Urge,
    WorkOrder,
    WorkOrderStatus,
    handle,
    handle_all,
)
from storage.audit_repo import SqlPersonalDataAudit
from storage.db import session_factory
from storage.tables.work_orders import WorkOrderRow, WorkOrderTransitionRow
from storage.work_order_mapping import to_columns
from storage.work_order_repo import SqlWorkOrderRepository
from tests.fixtures.orders import (
    AGENT,
    DISPATCHER,
    context,
    draft,
    full_life_steps,
    run,
    unit_actor,
)

T0 = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai


def record(order: WorkOrder, action: str = "create") -> TransitionRecord:
    return TransitionRecord(
        order_id=order.id,
        version=order.version,
        action=action,
        from_status=None,
        to_status=order.status.value,
        actor_id="agent01",
        actor_role="agent",
        actor_unit=None,
        occurred_at=order.created_at,
        payload={"note": "测试"},
    )


@pytest.fixture
def repo(engine: AsyncEngine) -> SqlWorkOrderRepository:
    return SqlWorkOrderRepository(session_factory(engine))


def test_mapping_covers_every_entity_field_and_column() -> None:
    table_columns = {c.name for c in WorkOrderRow.__table__.columns}
    order = run(draft(T0), full_life_steps("u-water", "u-housing"), T0, timedelta(hours=1))
    assert set(to_columns(order)) == table_columns
    nested = {"appellant", "deadlines", "counters"}
    flat = {f.name for f in dataclasses.fields(WorkOrder)} - nested
    assert flat <= table_columns, f"unmapped entity fields: {flat - table_columns}"


async def test_full_order_roundtrips_exactly(repo: SqlWorkOrderRepository) -> None:
    order = run(draft(T0), full_life_steps("u-water", "u-housing"), T0, timedelta(hours=1))
    order = dataclasses.replace(order, flags=frozenset({"returned_twice", "dissatisfied"}))
    assert order.returns
    assert order.contacts
    assert order.reply
    assert order.visit
    await repo.add(order, [record(order)])
    got = await repo.get(order.id)
    assert got == order
    assert got is not None
    assert got.deadlines.reply_due is not None
    assert got.deadlines.reply_due.tzinfo is not None
    assert await repo.get("missing") is None


async def test_update_is_optimistic_and_appends_the_transition(
    repo: SqlWorkOrderRepository,
) -> None:
    order = draft(T0)
    await repo.add(order, [record(order)])
    accepted, _ = handle(order, Accept(), AGENT, T0, context())
    await repo.update(accepted, order.version, record(accepted, "accept"))
    with pytest.raises(ConflictError) as info:
        await repo.update(accepted, order.version, record(accepted, "accept"))
    assert info.value.code == "work_order.stale"
    assert [t.action for t in await repo.transitions(order.id)] == ["create", "accept"]
    assert (await repo.get(order.id)) == accepted


async def _signed_with_reply(
    repo: SqlWorkOrderRepository,
) -> tuple[WorkOrder, WorkOrder, list[TransitionRecord]]:
    """A stored signed order, and the reply-with-contact transitions computed on it."""
    water = unit_actor("u-water")
    signed = run(
        draft(T0),
        [(Accept(), AGENT), (Dispatch(lead_unit="u-water"), DISPATCHER), (Sign(), water)],
        T0,
        timedelta(minutes=10),
    )
    await repo.add(signed, [record(signed)])
    commands = [RecordContact(method=ContactMethod.PHONE, summary="已联系"), Reply(text="已处理")]
    steps = handle_all(signed, commands, water, T0 + timedelta(hours=2), context())
    records = [
        transition_record(
            before=s.before,
            after=s.after,
            action=s.command.action.value,
            actor=water,
            events=s.events,
            command=command_payload(s.command),
        )
        for s in steps
    ]
    return signed, steps[-1].after, records


async def test_update_with_several_transitions_stores_them_all(
    repo: SqlWorkOrderRepository,
) -> None:
    signed, replied, records = await _signed_with_reply(repo)
    await repo.update(replied, signed.version, *records)
    assert await repo.get(signed.id) == replied
    trail = await repo.transitions(signed.id)
    assert [(t.version, t.action, t.to_status) for t in trail] == [
        (signed.version, "create", "signed"),
        (signed.version + 1, "record_contact", "in_progress"),
        (signed.version + 2, "reply", "replied"),
    ]
    assert trail[1:] == records


async def test_update_failing_on_the_second_transition_stores_nothing(
    engine: AsyncEngine, repo: SqlWorkOrderRepository
) -> None:
    signed, replied, records = await _signed_with_reply(repo)
    # A row already at the reply's version: the second audit INSERT violates
    # UNIQUE(order_id, version) after the order row and the first entry were written.
    async with engine.begin() as conn:
        await conn.execute(
            insert(WorkOrderTransitionRow).values(
                order_id=signed.id,
                version=signed.version + 2,
                action="planted",
                from_status=None,
                to_status="replied",
                actor_id="test",
                actor_role="system",
                actor_unit=None,
                occurred_at=T0,
                payload={},
            )
        )
    with pytest.raises(IntegrityError):
        await repo.update(replied, signed.version, *records)
    assert await repo.get(signed.id) == signed
    trail = await repo.transitions(signed.id)
    assert [(t.version, t.action) for t in trail] == [
        (signed.version, "create"),
        (signed.version + 2, "planted"),
    ]


async def test_update_refuses_transitions_that_do_not_lead_to_the_order(
    repo: SqlWorkOrderRepository,
) -> None:
    signed, replied, records = await _signed_with_reply(repo)
    for wrong in ([], records[:1], records[::-1]):
        with pytest.raises(ValueError, match="do not lead"):
            await repo.update(replied, signed.version, *wrong)
    assert await repo.get(signed.id) == signed


async def test_transitions_of_many_orders_in_one_call(repo: SqlWorkOrderRepository) -> None:
    a, b = draft(T0, title="a"), draft(T0, title="b")
    await repo.add(a, [record(a)])
    accepted, _ = handle(a, Accept(), AGENT, T0, context())
    await repo.update(accepted, a.version, record(accepted, "accept"))
    await repo.add(b, [record(b)])
    trails = await repo.transitions_of([b.id, a.id, "missing"])
    assert list(trails) == [b.id, a.id, "missing"]
    assert [t.action for t in trails[a.id]] == ["create", "accept"]
    assert trails[a.id] == await repo.transitions(a.id)
    assert [t.action for t in trails[b.id]] == ["create"]
    assert trails["missing"] == []
    assert await repo.transitions_of([]) == {}


async def test_idempotency_key_taken_stores_nothing(repo: SqlWorkOrderRepository) -> None:
    first, second = draft(T0), draft(T0)
    key = IdempotencyRecord(
        user_id="agent01", key="k-1", request_hash="h", order_id=first.id, created_at=T0
    )
    await repo.add(first, [record(first)], key)
    with pytest.raises(ConflictError) as info:
        await repo.add(second, [record(second)], dataclasses.replace(key, order_id=second.id))
    assert info.value.code == "idempotency.duplicate"
    assert await repo.get(second.id) is None
    assert await repo.find_idempotent("agent01", "k-1") == key
    assert await repo.find_idempotent("someone-else", "k-1") is None


async def test_numbers_are_unique_under_concurrency(repo: SqlWorkOrderRepository) -> None:
    numbers = await asyncio.gather(*(repo.next_number(T0) for _ in range(12)))
    assert len(set(numbers)) == 12
    assert sorted(numbers)[0] == "XA20261116000001"
    assert sorted(numbers)[-1] == "XA20261116000012"
    late = datetime(2026, 11, 16, 17, 0, tzinfo=UTC)  # already 11-17 in Shanghai
    assert await repo.next_number(late) == "XA20261117000001"


@pytest.fixture
async def populated(repo: SqlWorkOrderRepository) -> dict[str, WorkOrder]:
    """Four orders: a = dispatched to water (sign due T0+3h), b = signed by housing,
    c = accepted (no unit), d = created a day later in 碑林区, copied to water."""
    hour = timedelta(hours=1)
    a = run(
        draft(T0, title="a"),
        [(Accept(), AGENT), (Dispatch(lead_unit="u-water"), DISPATCHER)],
        T0,
        hour,
    )
    b = run(
        draft(T0 + hour, title="b", category_code="0101"),
        [
            (Accept(), AGENT),
            (Dispatch(lead_unit="u-housing"), DISPATCHER),
            (Sign(), unit_actor("u-housing")),
        ],
        T0 + hour,
        timedelta(minutes=1),
    )
    c = run(draft(T0 + 2 * hour, title="c"), [(Accept(), AGENT)], T0, hour)
    d = run(
        draft(T0 + timedelta(days=1), title="d", district="碑林区"),
        [(Accept(), AGENT), (Dispatch(lead_unit="u-housing", copy_units=("u-water",)), DISPATCHER)],
        T0 + timedelta(days=1),
        hour,
    )
    for order in (a, b, c, d):
        await repo.add(order, [record(order)])
    return {"a": a, "b": b, "c": c, "d": d}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (OrderQuery(), ["d", "c", "b", "a"]),
        (OrderQuery(statuses=(WorkOrderStatus.DISPATCHED,)), ["d", "a"]),
        (OrderQuery(unit_id="u-water"), ["d", "a"]),
        (OrderQuery(unit_id="u-housing"), ["d", "b"]),
        (OrderQuery(unit_id="u-nobody"), []),
        (OrderQuery(category_code="0101"), ["b"]),
        (OrderQuery(district="碑林区"), ["d"]),
        (
            OrderQuery(created_from=T0 + timedelta(hours=1), created_to=T0 + timedelta(hours=3)),
            ["c", "b"],
        ),
        (OrderQuery(overdue_at=T0 + timedelta(hours=3)), []),
        (OrderQuery(overdue_at=T0 + timedelta(hours=3, seconds=1)), ["a"]),
        (OrderQuery(limit=2), ["d", "c"]),
        (OrderQuery(limit=2, offset=2), ["b", "a"]),
    ],
)
async def test_search_filters(
    repo: SqlWorkOrderRepository,
    populated: dict[str, WorkOrder],
    query: OrderQuery,
    expected: list[str],
) -> None:
    page = await repo.search(query)
    assert [o.title for o in page.items] == expected
    if query.limit == 2:
        assert page.total == 4


async def test_search_finds_only_orders_with_provisional_deadlines(
    repo: SqlWorkOrderRepository, populated: dict[str, WorkOrder]
) -> None:
    """``provisional_only`` filters in SQL on the JSON list of years (empty list = final)."""
    a = populated["a"]
    marked = dataclasses.replace(
        a,
        deadlines=dataclasses.replace(a.deadlines, provisional_years=(2027,)),
        version=a.version + 1,
    )
    await repo.update(marked, a.version, record(marked, "recompute_deadlines"))
    page = await repo.search(OrderQuery(provisional_only=True))
    assert [(o.title, o.deadlines.provisional_years) for o in page.items] == [("a", (2027,))]
    assert page.total == 1


async def test_redispatch_moves_the_unit_index(
    repo: SqlWorkOrderRepository, populated: dict[str, WorkOrder]
) -> None:
    a = populated["a"]
    urged, _ = handle(a, Urge(note="请尽快签收"), DISPATCHER, T0 + timedelta(hours=4), context())
    await repo.update(urged, a.version, record(urged, "urge"))
    assert "a" in [o.title for o in (await repo.search(OrderQuery(unit_id="u-water"))).items]


async def test_personal_data_audit(engine: AsyncEngine, repo: SqlWorkOrderRepository) -> None:
    order = draft(T0)
    await repo.add(order, [record(order)])
    audit = SqlPersonalDataAudit(session_factory(engine))
    read = PersonalDataRead(
        order_id=order.id,
        user_id="agent01",
        role="agent",
        unit_id=None,
        fields=("name", "phone"),
        purpose="get",
        read_at=T0,
    )
    await audit.record([read, dataclasses.replace(read, purpose="list")])
    assert await audit.reads(order.id) == [read, dataclasses.replace(read, purpose="list")]
    assert await audit.reads("other") == []
