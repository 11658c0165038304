"""API rules as tables: bad input, unknown references, roles, illegal transitions, scoping,
masking, idempotency, filters. On SQLite (the whole life runs on PostgreSQL elsewhere)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.api_client import ORDER, Api, running_api


@pytest.fixture
async def api(seeded_sqlite_url: str) -> AsyncIterator[Api]:
    async with running_api(seeded_sqlite_url) as api:
        yield api


async def create(api: Api, **changes: Any) -> dict[str, Any]:
    r = await api.post("agent01", "/work-orders", {**ORDER, **changes})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def assert_error_shape(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"code", "message", "details", "request_id"}
    assert body["code"] == code
    assert body["message"]
    assert len(body["request_id"]) >= 8


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**ORDER, "title": ""}, {"body.title"}),
        ({k: v for k, v in ORDER.items() if k != "content"}, {"body.content"}),
        ({**ORDER, "appeal_type": "闲聊"}, {"body.appeal_type"}),
        ({**ORDER, "appellant": {"phone": "call me"}}, {"body.appellant.phone"}),
        ({**ORDER, "sla_class": "urgent", "title": "x" * 201}, {"body.sla_class", "body.title"}),
        ({**ORDER, "surprise": 1}, {"body.surprise"}),
    ],
)
async def test_invalid_create_is_422_with_field_errors(
    api: Api, body: dict[str, Any], fields: set[str]
) -> None:
    r = await api.post("agent01", "/work-orders", body)
    assert r.status_code == 422
    payload = r.json()
    assert_error_shape(payload, "validation.invalid")
    assert {e["field"] for e in payload["details"]["errors"]} == fields
    assert (await api.get("agent01", "/work-orders")).json()["total"] == 0  # nothing stored


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("dispatch", {}, "body.lead_unit"),
        ("return", {"reason": "x", "legal_basis": "y"}, "body.suggested_unit"),
        ("extension/request", {"working_days": 0, "reason": "x"}, "body.working_days"),
        (
            "visit",
            {"unit_contacted": True, "solved": True, "satisfaction": "很好", "trust": "信任"},
            "body.satisfaction",
        ),
    ],
)
async def test_invalid_action_body_is_422(
    api: Api, action: str, body: dict[str, Any], field: str
) -> None:
    order = await create(api)
    r = await api.post("dispatcher01", f"/work-orders/{order['id']}/{action}", body)
    assert r.status_code == 422
    assert field in {e["field"] for e in r.json()["details"]["errors"]}


async def test_unknown_unit_and_category_are_404_with_their_codes(api: Api) -> None:
    r = await api.post("agent01", "/work-orders", {**ORDER, "category_code": "no.such"})
    assert r.status_code == 404
    assert_error_shape(r.json(), "category.not_found")
    order = await create(api)
    for body in (
        {"lead_unit": "dept.nowhere"},
        {"lead_unit": "util.water", "copy_units": ["ghost"]},
    ):
        r = await api.post("dispatcher01", f"/work-orders/{order['id']}/dispatch", body)
        assert r.status_code == 404
        assert_error_shape(r.json(), "unit.not_found")
    r = await api.get("supervisor01", "/units/ghost/work-orders")
    assert r.status_code == 404
    assert r.json()["code"] == "unit.not_found"
    r = await api.get("agent01", "/work-orders/does-not-exist")
    assert r.status_code == 404
    assert r.json()["code"] == "work_order.not_found"


@pytest.mark.parametrize(
    ("user", "setup", "action", "body"),
    [
        ("trainer01", [], "create", ORDER),
        ("water01", [], "create", ORDER),
        ("agent01", ["dispatch"], "sign", {}),
        ("water01", ["dispatch"], "urge", {}),
        ("housing01", ["dispatch"], "sign", {}),  # not the lead unit
        ("dispatcher01", ["dispatch", "sign", "request"], "extension/approve", {}),
    ],
)
async def test_wrong_role_is_403(
    api: Api, user: str, setup: list[str], action: str, body: dict[str, Any]
) -> None:
    if action == "create":
        r = await api.post(user, "/work-orders", body)
    else:
        order = await create(api)
        oid = order["id"]
        for step in setup:
            if step == "dispatch":
                await api.act("dispatcher01", oid, "dispatch", {"lead_unit": "util.water"})
            elif step == "sign":
                await api.act("water01", oid, "sign")
            elif step == "request":
                await api.act(
                    "water01", oid, "extension/request", {"working_days": 3, "reason": "材料"}
                )
        r = await api.post(user, f"/work-orders/{oid}/{action}", body)
    if user == "housing01":
        # A unit the order does not concern cannot even see it.
        assert r.status_code == 404
        return
    assert r.status_code == 403, r.text
    assert r.json()["code"] in ("work_order.forbidden", "work_order.not_lead_unit")


async def test_illegal_transition_is_409_listing_allowed_actions(api: Api) -> None:
    order = await create(api)
    r = await api.post("dispatcher01", f"/work-orders/{order['id']}/close", {})
    assert r.status_code == 409
    body = r.json()
    assert_error_shape(body, "work_order.invalid_transition")
    assert body["details"]["status"] == "accepted"
    assert "dispatch" in body["details"]["allowed"]
    assert "close" not in body["details"]["allowed"]
    as_dispatcher = (await api.get("dispatcher01", f"/work-orders/{order['id']}")).json()
    assert as_dispatcher["allowed_actions"] == body["details"]["allowed"]


async def test_reply_without_contact_is_refused(api: Api) -> None:
    order = await create(api)
    await api.act("dispatcher01", order["id"], "dispatch", {"lead_unit": "util.water"})
    await api.act("water01", order["id"], "sign")
    r = await api.post("water01", f"/work-orders/{order['id']}/reply", {"text": "已处理"})
    assert r.status_code == 409
    assert r.json()["code"] in ("work_order.reply_without_contact", "work_order.invalid_transition")


async def test_stale_expected_version_is_409(api: Api) -> None:
    order = await create(api)
    body = {"lead_unit": "util.water", "expected_version": order["version"] - 1}
    r = await api.post("dispatcher01", f"/work-orders/{order['id']}/dispatch", body)
    assert r.status_code == 409
    assert r.json()["code"] == "work_order.stale"


async def test_idempotency_key_reused_for_another_request_is_409(api: Api) -> None:
    first = await api.post("agent01", "/work-orders", ORDER, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201
    other = await api.post(
        "agent01", "/work-orders", {**ORDER, "title": "别的"}, **{"Idempotency-Key": "k1"}
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency.key_reused"
    # Keys are per user: another agent's k1 is a new order.
    mine = await api.post("supervisor01", "/work-orders", ORDER, **{"Idempotency-Key": "k1"})
    assert mine.status_code == 201
    assert mine.json()["id"] != first.json()["id"]


@pytest.mark.parametrize(
    ("user", "confidential", "name", "phone", "identity"),
    [
        ("agent01", False, "张三丰", "13812345678", "full"),
        ("supervisor01", True, "张三丰", "13812345678", "full"),
        ("trainer01", False, "张**", "138****5678", "masked"),
        ("water01", False, "张**", "138****5678", "masked"),
        ("water_lead", False, "张三丰", "13812345678", "full"),
        ("water01", True, "", "", "hidden"),
        ("water_lead", True, "", "", "hidden"),
    ],
)
async def test_identity_masking_table(
    api: Api, user: str, confidential: bool, name: str, phone: str, identity: str
) -> None:
    order = await create(api, appellant={**ORDER["appellant"], "confidential": confidential})  # type: ignore[dict-item]
    await api.act("dispatcher01", order["id"], "dispatch", {"lead_unit": "util.water"})
    for seen in (
        (await api.get(user, f"/work-orders/{order['id']}")).json(),
        (await api.get(user, "/work-orders")).json()["items"][0],
    ):
        assert (seen["appellant"]["name"], seen["appellant"]["phone"]) == (name, phone)
        assert seen["appellant"]["identity"] == identity


async def test_unit_view_is_scoped(api: Api) -> None:
    water = await create(api, title="水")
    housing = await create(api, title="房")
    await create(api, title="未派")
    await api.act("dispatcher01", water["id"], "dispatch", {"lead_unit": "util.water"})
    await api.act(
        "dispatcher01",
        housing["id"],
        "dispatch",
        {"lead_unit": "dept.housing", "assisting_units": ["util.water"]},
    )
    own = (await api.get("water01", "/units/util.water/work-orders")).json()
    assert sorted(o["title"] for o in own["items"]) == ["房", "水"]
    assert (await api.get("water01", "/work-orders")).json()["total"] == 2
    # A unit user asking for another unit's list, even filtered, learns nothing.
    r = await api.get("water01", "/units/dept.housing/work-orders")
    assert r.status_code == 404
    r = await api.get("water01", "/work-orders", unit="dept.housing")
    assert r.status_code == 404
    assert (await api.get("housing01", "/work-orders")).json()["total"] == 1
    assert (await api.get("supervisor01", "/units/dept.housing/work-orders")).json()["total"] == 1


async def test_list_filters_pagination_and_overdue(api: Api) -> None:
    a = await create(api, title="a", district="雁塔区")
    api.clock.advance(timedelta(minutes=10))
    b = await create(api, title="b", district="碑林区", category_code="urban.property")
    api.clock.advance(timedelta(minutes=10))
    await create(api, title="c", district="雁塔区")
    await api.act("dispatcher01", a["id"], "dispatch", {"lead_unit": "util.water"})
    await api.act("dispatcher01", b["id"], "dispatch", {"lead_unit": "dept.housing"})
    await api.act("housing01", b["id"], "sign")

    async def titles(**params: Any) -> list[str]:
        r = await api.get("supervisor01", "/work-orders", **params)
        assert r.status_code == 200, r.text
        return [o["title"] for o in r.json()["items"]]

    assert await titles() == ["c", "b", "a"]
    assert await titles(status="dispatched") == ["a"]
    assert await titles(status=["dispatched", "signed"]) == ["b", "a"]
    assert await titles(district="雁塔区") == ["c", "a"]
    assert await titles(category="urban.property") == ["b"]
    assert await titles(unit="util.water") == ["a"]
    assert await titles(limit=1, offset=1) == ["b"]
    assert await titles(created_from=a["created_at"], created_to=b["created_at"]) == ["a"]
    assert await titles(overdue=True) == []
    api.clock.advance(timedelta(hours=2))  # the 1-hour sign limit of "a" has passed
    assert await titles(overdue=True) == ["a"]
    r = await api.get("supervisor01", "/work-orders", created_from="2026-11-16T09:00:00")
    assert r.status_code == 422
    r = await api.get("supervisor01", "/work-orders", limit=0)
    assert r.status_code == 422


async def test_auth_errors(api: Api) -> None:
    r = await api.client.get("/api/v1/work-orders")
    assert r.status_code == 401
    assert_error_shape(r.json(), "auth.unauthenticated")
    r = await api.client.get("/api/v1/work-orders", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    assert r.json()["code"] == "auth.invalid_token"
    r = await api.client.post(
        "/api/v1/auth/login", json={"username": "agent01", "password": "wrong"}
    )
    assert r.status_code == 401
    assert r.json()["code"] == "auth.bad_credentials"
    r = await api.client.post(
        "/api/v1/auth/login", json={"username": "nobody", "password": "wrong"}
    )
    assert r.json()["code"] == "auth.bad_credentials"
    assert (await api.get("agent01", "/work-orders")).status_code == 200
    api.clock.advance(timedelta(days=31))
    r = await api.get("agent01", "/work-orders")
    assert r.status_code == 401
    assert r.json()["code"] == "auth.token_expired"


async def test_healthz_and_request_id(api: Api) -> None:
    r = await api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "bus": "ok"}}
    assert r.headers["X-Request-ID"] == "abc-123"
    await api.container.bus.close()
    r = await api.client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["bus"].startswith("error")


async def test_merge_into_open_order(api: Api) -> None:
    target = await create(api, title="主单")
    dup = await create(api, title="重复件")
    merged = await api.act("dispatcher01", dup["id"], "merge", {"into_id": target["id"]})
    assert merged["status"] == "merged"
    assert merged["merged_into"] == target["id"]
    r = await api.post("dispatcher01", f"/work-orders/{target['id']}/merge", {"into_id": dup["id"]})
    assert r.status_code == 422
    assert r.json()["code"] == "work_order.merge_target_closed"


async def test_exclusion_and_extension_rejection_paths(api: Api) -> None:
    order = await create(api)
    oid = order["id"]
    await api.act("dispatcher01", oid, "dispatch", {"lead_unit": "util.water"})
    await api.act("water01", oid, "sign")
    await api.act("water01", oid, "extension/request", {"working_days": 3, "reason": "等待配件"})
    rejected = await api.act("supervisor01", oid, "extension/reject", {"note": "时限内可完成"})
    assert rejected["pending_extension"] is None
    assert rejected["counters"]["extension_working_days"] == 0
    contact = {"method": "on_site", "summary": "上门核实"}
    await api.act("water01", oid, "reply", {"text": "诉求人要求赔偿超出职责", "contact": contact})
    visit = {"unit_contacted": True, "solved": False, "satisfaction": "不满意", "trust": "基本信任"}
    await api.act("agent01", oid, "visit", visit)
    asked = await api.act(
        "water01",
        oid,
        "exclusion/request",
        {"reason": "诉求超出法定职责", "leader_sign_off": "王经理 2026-11-17"},
    )
    assert asked["status"] == "exclusion_requested"
    r = await api.post("water01", f"/work-orders/{oid}/exclusion/approve", {})
    assert r.status_code == 403
    closed = await api.act("supervisor01", oid, "exclusion/approve", {"note": "同意核减"})
    assert (closed["status"], closed["closure"], closed["exclusion"]) == (
        "closed",
        "excluded",
        "approved",
    )
    trail = (await api.get("agent01", f"/work-orders/{oid}/transitions")).json()
    assert [t["action"] for t in trail][-3:] == [
        "return_visit",
        "request_exclusion",
        "approve_exclusion",
    ]


async def test_edit_intake_fields_until_dispatch(api: Api) -> None:
    draft = await create(api, accept=False, category_code="")
    assert (draft["status"], draft["sla_class"]) == ("draft", "general")
    patch = {"title": "停水（已核实）", "category_code": "utilities.water", "district": "碑林区"}
    r = await api.client.patch(
        f"/api/v1/work-orders/{draft['id']}", json=patch, headers=await api.login("agent01")
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert (edited["title"], edited["category_code"], edited["district"]) == (
        "停水（已核实）",
        "utilities.water",
        "碑林区",
    )
    assert edited["sla_class"] == "utility"  # follows the new category
    assert edited["version"] == draft["version"] + 1
    trail = (await api.get("agent01", f"/work-orders/{draft['id']}/transitions")).json()
    assert trail[-1]["action"] == "edit"
    assert trail[-1]["payload"]["command"]["changed"] == [
        "category_code",
        "district",
        "sla_class",
        "title",
    ]

    async def patch_as(user: str, body: dict[str, Any]) -> Any:
        return await api.client.patch(
            f"/api/v1/work-orders/{draft['id']}", json=body, headers=await api.login(user)
        )

    assert (await patch_as("agent01", {"category_code": "no.such"})).json()["code"] == (
        "category.not_found"
    )
    assert (await patch_as("agent01", {"title": ""})).status_code == 422
    assert (await patch_as("trainer01", {"title": "x"})).status_code == 403
    await api.act("agent01", draft["id"], "accept")
    await api.act("dispatcher01", draft["id"], "dispatch", {"lead_unit": "util.water"})
    r = await patch_as("agent01", {"title": "太晚了"})
    assert r.status_code == 409
    assert r.json()["code"] == "work_order.not_editable"
