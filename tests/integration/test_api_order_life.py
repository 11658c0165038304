"""End to end on PostgreSQL: one work order's whole life through the HTTP API, then its audit
trail, masking for units, and 404 for a unit the order does not concern."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from tests.integration.api_client import ORDER, Api, running_api


@pytest.fixture
async def api(seeded_postgres_url: str) -> AsyncIterator[Api]:
    async with running_api(seeded_postgres_url) as api:
        yield api


CONTACT = {"method": "phone", "summary": "已电话联系诉求人，约定上门时间"}
DISSATISFIED = {
    "unit_contacted": True,
    "solved": False,
    "satisfaction": "不满意",
    "trust": "不信任",
}
SATISFIED = {"unit_contacted": True, "solved": True, "satisfaction": "满意", "trust": "信任"}


async def test_whole_order_life_with_audit_trail(api: Api) -> None:
    hour = timedelta(hours=1)
    r = await api.post("agent01", "/work-orders", ORDER, **{"Idempotency-Key": "call-1700.1"})
    assert r.status_code == 201, r.text
    order = r.json()
    oid = order["id"]
    assert order["status"] == "accepted"
    assert order["sla_class"] == "utility"
    assert order["number"] == "XA20261116000001"
    assert order["appellant"] == {
        "name": "张三丰",
        "phone": "13812345678",
        "confidential": False,
        "identity": "full",
    }

    steps: list[tuple[str, str, dict[str, object], str]] = [
        ("dispatcher01", "dispatch", {"lead_unit": "dept.housing"}, "dispatched"),
        (
            "housing01",
            "return",
            {
                "reason": "停水属供水企业职责，非住建部门",
                "legal_basis": "《城市供水条例》第二十二条",
                "suggested_unit": "util.water",
            },
            "returned",
        ),
        (
            "dispatcher01",
            "dispatch",
            {"lead_unit": "util.water", "copy_units": ["610113"]},
            "dispatched",
        ),
        ("water01", "sign", {}, "signed"),
        ("water01", "extension/request", {"working_days": 5, "reason": "需更换主管道"}, "signed"),
        ("supervisor01", "extension/approve", {"note": "同意"}, "signed"),
        ("water01", "reply", {"text": "已抢修", "contact": CONTACT}, "replied"),
        ("agent01", "visit", DISSATISFIED, "dissatisfied"),
        ("dispatcher01", "re-handle", {"note": "诉求人反映仍未恢复供水，重办"}, "dispatched"),
        ("water01", "sign", {}, "signed"),
        ("water01", "reply", {"text": "已更换管道，恢复供水", "contact": CONTACT}, "replied"),
        ("agent01", "visit", SATISFIED, "visited"),
        ("agent01", "close", {}, "closed"),
    ]
    reply_due_before_extension = None
    for user, action, body, expected in steps:
        api.clock.advance(hour)
        data = await api.act(user, oid, action, body)
        assert data["status"] == expected, (action, data["status"])
        if action == "sign" and reply_due_before_extension is None:
            reply_due_before_extension = data["deadlines"]["reply_due"]
        if action == "extension/approve":
            assert data["counters"]["extension_working_days"] == 5
            assert data["deadlines"]["reply_due"] > reply_due_before_extension
    assert data["closure"] == "handled"
    assert data["handling_round"] == 2
    assert data["counters"]["return_count"] == 1
    assert data["counters"]["rehandle_count"] == 1

    r = await api.get("supervisor01", f"/work-orders/{oid}/transitions")
    trail = r.json()
    assert [(t["action"], t["from_status"], t["to_status"], t["actor_id"]) for t in trail] == [
        ("create", None, "draft", "agent01"),
        ("accept", "draft", "accepted", "agent01"),
        ("dispatch", "accepted", "dispatched", "dispatcher01"),
        ("return", "dispatched", "returned", "housing01"),
        ("dispatch", "returned", "dispatched", "dispatcher01"),
        ("sign", "dispatched", "signed", "water01"),
        ("request_extension", "signed", "signed", "water01"),
        ("approve_extension", "signed", "signed", "supervisor01"),
        ("record_contact", "signed", "in_progress", "water01"),
        ("reply", "in_progress", "replied", "water01"),
        ("return_visit", "replied", "dissatisfied", "agent01"),
        ("re_handle", "dissatisfied", "dispatched", "dispatcher01"),
        ("sign", "dispatched", "signed", "water01"),
        ("record_contact", "signed", "in_progress", "water01"),
        ("reply", "in_progress", "replied", "water01"),
        ("return_visit", "replied", "visited", "agent01"),
        ("close", "visited", "closed", "agent01"),
    ]
    assert [t["version"] for t in trail] == list(range(1, 18))
    returned = trail[3]
    assert returned["actor_role"] == "unit_user"
    assert returned["actor_unit"] == "dept.housing"
    assert returned["payload"]["command"]["legal_basis"] == "《城市供水条例》第二十二条"
    assert returned["payload"]["events"][0]["event"] == "WorkOrderReturned"
    times = [datetime.fromisoformat(t["occurred_at"]) for t in trail]
    assert times == sorted(times)
    assert times[-1] - times[0] == hour * len(steps)

    # The lead unit sees the appellant masked; the copied district government too.
    for unit_user in ("water01", "yanta01"):
        seen = (await api.get(unit_user, f"/work-orders/{oid}")).json()
        assert seen["appellant"]["phone"] == "138****5678"
        assert seen["appellant"]["name"] == "张**"
        assert seen["appellant"]["identity"] == "masked"
    # An entitled handler sees it in full — and that read is audited.
    seen = (await api.get("water_lead", f"/work-orders/{oid}")).json()
    assert seen["appellant"]["phone"] == "13812345678"
    # The unit that returned the order no longer sees it; other units never did.
    for outsider in ("housing01", "city01", "xiaozhai01"):
        r = await api.get(outsider, f"/work-orders/{oid}")
        assert r.status_code == 404, outsider
        assert r.json()["code"] == "work_order.not_found"

    reads = (await api.get("supervisor01", f"/work-orders/{oid}/personal-data-reads")).json()
    readers = {(x["user_id"], x["purpose"]) for x in reads}
    assert ("water_lead", "get") in readers
    assert ("agent01", "create") in readers
    assert all(x["user_id"] not in ("water01", "yanta01") for x in reads)  # masked ≠ personal data
    assert all(set(x["fields"]) == {"name", "phone"} for x in reads)

    # Idempotent create: same key → same order, nothing new.
    again = await api.post("agent01", "/work-orders", ORDER, **{"Idempotency-Key": "call-1700.1"})
    assert again.status_code == 200
    assert again.json()["id"] == oid
    assert again.headers["Idempotent-Replayed"] == "true"
    listing = (await api.get("supervisor01", "/work-orders")).json()
    assert listing["total"] == 1
