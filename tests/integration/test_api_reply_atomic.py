"""答复 with its contact (``POST …/reply`` with ``contact``) is one unit on SQLite and
PostgreSQL: both transitions and their audit entries are stored, or neither — a failure in the
second step (the domain refusing the reply, or the database refusing its audit row) leaves the
order exactly as it was, with no contact recorded and nothing published."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from storage.tables.work_orders import WorkOrderTransitionRow
from tests.integration.api_client import ORDER, Api

CONTACT = {"method": "phone", "summary": "已电话联系诉求人，约定上门时间"}


async def _signed_order(api: Api) -> dict[str, Any]:
    r = await api.post("agent01", "/work-orders", ORDER)
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    api.clock.advance(timedelta(minutes=10))
    await api.act("dispatcher01", oid, "dispatch", {"lead_unit": "util.water"})
    api.clock.advance(timedelta(minutes=10))
    signed = await api.act("water01", oid, "sign", {})
    api.clock.advance(timedelta(hours=2))
    return signed


async def _trail(api: Api, oid: str) -> list[dict[str, Any]]:
    r = await api.get("supervisor01", f"/work-orders/{oid}/transitions")
    assert r.status_code == 200, r.text
    trail: list[dict[str, Any]] = r.json()
    return trail


async def test_reply_with_contact_stores_both_transitions_and_their_audit(api: Api) -> None:
    signed = await _signed_order(api)
    oid, v = signed["id"], signed["version"]
    async with api.container.bus.subscribe("work_order.*") as messages:
        data = await api.act(
            "water01", oid, "reply", {"text": "已抢修", "contact": CONTACT, "expected_version": v}
        )
        got = [await asyncio.wait_for(anext(messages), 5) for _ in range(2)]
    assert (data["status"], data["version"]) == ("replied", v + 2)
    assert [c["summary"] for c in data["contacts"]] == [CONTACT["summary"]]
    assert data["reply"]["text"] == "已抢修"

    trail = await _trail(api, oid)
    assert [t["version"] for t in trail] == list(range(1, v + 3))
    contact, reply = trail[-2:]
    assert (contact["action"], contact["from_status"], contact["to_status"]) == (
        "record_contact",
        "signed",
        "in_progress",
    )
    assert (reply["action"], reply["from_status"], reply["to_status"]) == (
        "reply",
        "in_progress",
        "replied",
    )
    for t in (contact, reply):
        assert (t["actor_id"], t["actor_role"], t["actor_unit"]) == (
            "water01",
            "unit_user",
            "util.water",
        )
        assert t["occurred_at"] == contact["occurred_at"]
    assert contact["payload"]["command"]["summary"] == CONTACT["summary"]
    assert [e["event"] for e in contact["payload"]["events"]] == ["AppellantContacted"]
    assert contact["payload"]["events"][0]["version"] == v + 1
    assert reply["payload"]["command"]["text"] == "已抢修"
    assert [e["event"] for e in reply["payload"]["events"]] == ["WorkOrderReplied"]
    assert reply["payload"]["events"][0]["version"] == v + 2
    assert [m.topic for m in got] == ["work_order.appellant_contacted", "work_order.replied"]


async def _stored(api: Api, oid: str) -> dict[str, Any]:
    r = await api.get("water01", f"/work-orders/{oid}")
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def _unchanged(api: Api, before: dict[str, Any], trail: list[dict[str, Any]]) -> None:
    after = await _stored(api, before["id"])
    assert (after["status"], after["version"]) == ("signed", before["version"])
    assert after["contacts"] == []
    assert after["reply"] is None
    assert after == before
    assert await _trail(api, before["id"]) == trail


async def test_reply_refused_by_the_domain_stores_no_contact_either(api: Api) -> None:
    signed = await _stored(api, (await _signed_order(api))["id"])
    trail = await _trail(api, signed["id"])
    async with api.container.bus.subscribe("work_order.*") as messages:
        r = await api.post(
            "water01", f"/work-orders/{signed['id']}/reply", {"text": "   ", "contact": CONTACT}
        )
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "work_order.field_required"
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(messages), 0.2)
    await _unchanged(api, signed, trail)


async def test_reply_refused_by_the_database_stores_no_contact_either(api: Api) -> None:
    """A row already holding the reply's audit version makes the second INSERT violate
    UNIQUE(order_id, version) — a real database error in the second step."""
    signed = await _stored(api, (await _signed_order(api))["id"])
    oid, v = signed["id"], signed["version"]
    planted = {
        "order_id": oid,
        "version": v + 2,
        "action": "planted",
        "from_status": "in_progress",
        "to_status": "replied",
        "actor_id": "test",
        "actor_role": "system",
        "actor_unit": None,
        "occurred_at": api.clock.now(),
        "payload": {},
    }
    async with api.container.engine.begin() as conn:
        await conn.execute(insert(WorkOrderTransitionRow).values(**planted))
    trail = await _trail(api, oid)
    assert trail[-1]["action"] == "planted"
    # The API answers 500 internal.error; the ASGI test transport re-raises the cause.
    with pytest.raises(IntegrityError):
        await api.post(
            "water01", f"/work-orders/{oid}/reply", {"text": "已抢修", "contact": CONTACT}
        )
    await _unchanged(api, signed, trail)
