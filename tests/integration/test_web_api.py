"""Read endpoints of the web pages over a real (SQLite) database: roles, live state, call KPIs
from the stored event log, work-order KPIs, transcripts + QA scores, Excel exports, and the
standard error body for bad parameters."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from core.live import LiveReducer
from tests.integration.api_client import ORDER, Api, running_api
from tests.web_support import (
    DAY,
    apply_live,
    logins,
    morning,
    offered,
    store,
    transcribed_calls,
)

FROM = DAY.replace(hour=10).isoformat()
TO = DAY.replace(hour=11).isoformat()


@pytest.fixture
async def api(seeded_sqlite_url: str) -> AsyncIterator[Api]:
    async with running_api(seeded_sqlite_url) as api:
        yield api


async def _seed_calls(api: Api) -> None:
    await store(morning(), api.container.call_events)


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("housing01", "/live/queues", 403),
        ("housing01", "/live/agents", 403),
        ("housing01", "/live/calls", 403),
        ("housing01", "/kpi/calls", 403),
        ("trainer01", "/live/queues", 403),
        ("agent01", "/kpi/calls", 403),
        ("agent01", "/transcripts/search", 403),
        ("dispatcher01", "/transcripts/search", 403),
        ("agent01", "/live/queues", 200),
        ("agent01", "/live/calls", 200),
        ("dispatcher01", "/live/agents", 200),
        ("supervisor01", "/kpi/calls", 200),
        ("trainer01", "/transcripts/search", 200),
    ],
)
async def test_who_may_read_what(api: Api, user: str, path: str, status: int) -> None:
    r = await api.get(user, path, **{"from": FROM, "to": TO, "q": "停水"})
    assert r.status_code == status, r.text
    if status == 403:
        body = r.json()
        assert body["code"] == "auth.forbidden"
        assert set(body) == {"code", "message", "details", "request_id"}


async def test_read_without_token_is_401(api: Api) -> None:
    r = await api.client.get("/api/v1/live/queues")
    assert r.status_code == 401
    assert r.json()["code"] == "auth.unauthenticated"


async def test_live_views_show_what_the_reducer_wrote(api: Api) -> None:
    ten = DAY.replace(hour=10)
    events = [*logins(ten), *offered("2001.1", ten + timedelta(minutes=1), "13911112222")]
    await apply_live(events, api.container.live, LiveReducer())
    queues = (await api.get("supervisor01", "/live/queues")).json()
    assert [q["queue"] for q in queues] == ["hotline"]
    assert queues[0]["waiting_count"] == 1
    assert queues[0]["waiting"][0]["caller_number"] == "13911112222"
    agents = {a["interface"]: a for a in (await api.get("agent01", "/live/agents")).json()}
    assert agents["PJSIP/agent8003"]["state"] == "paused"
    assert agents["PJSIP/agent8003"]["paused_reason"] == "培训"
    assert agents["PJSIP/agent8001"]["state"] == "available"
    calls = (await api.get("agent01", "/live/calls")).json()
    assert [(c["linkedid"], c["state"]) for c in calls] == [("2001.1", "queued")]
    summary = (await api.get("supervisor01", "/live/summary")).json()
    assert summary["summary"]["waiting_count"] == 1
    assert summary["summary"]["agents_by_state"]["available"] == 2
    assert summary["summary"]["agents_by_state"]["paused"] == 1
    assert summary["gap"] is None


async def test_call_kpis_from_the_stored_log_with_formulas_and_drill_down(api: Api) -> None:
    await _seed_calls(api)
    r = await api.get("supervisor01", "/kpi/calls", **{"from": FROM, "to": TO, "interval": "15min"})
    assert r.status_code == 200, r.text
    data = r.json()
    total = data["total"]
    assert (total["answer_rate"]["numerator"], total["answer_rate"]["denominator"]) == (3, 4)
    assert total["answer_rate"]["formula"]["name"] == "answer_rate"
    assert total["answer_rate"]["formula"]["version"] == 1
    assert (total["service_level"]["numerator"], total["service_level"]["denominator"]) == (2, 4)
    assert (total["abandon_rate"]["numerator"], total["abandon_rate"]["denominator"]) == (1, 4)
    assert total["asa"]["mean"] == pytest.approx(35 / 3)
    assert total["longest_wait"]["value"] == 30
    starts = [i["start"][11:16] for i in data["intervals"]]
    assert starts == ["10:00", "10:15"]
    assert data["intervals"][1]["kpis"]["answered"] == 1
    assert {c["linkedid"]: c["outcome"] for c in data["calls"]} == {
        "1001.1": "answered",
        "1002.1": "answered",
        "1003.1": "abandoned",
        "1004.1": "answered",
    }
    assert data["by_agent"]["PJSIP/agent8002"]["answered"] == 1
    assert len(data["gaps"]) == 1
    assert data["gaps"][0]["calls_reconciled"] == 2
    assert data["gaps"][0]["start"].startswith("2026-11-16T10:30")


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"agent": "PJSIP/agent8002"}, (1, 1)),
        ({"queue": "hotline"}, (3, 4)),
        ({"queue": "other"}, (0, 0)),
    ],
)
async def test_call_kpis_filter_by_queue_and_agent(
    api: Api, params: dict[str, str], expect: tuple[int, int]
) -> None:
    await _seed_calls(api)
    r = await api.get("supervisor01", "/kpi/calls", **{"from": FROM, "to": TO, **params})
    rate = r.json()["total"]["answer_rate"]
    assert (rate["numerator"], rate["denominator"]) == expect


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": FROM, "to": TO, "interval": "week"}, "query.interval"),
        ({"from": "2026-11-16T10:00:00", "to": TO}, "query.from"),
        ({"from": TO, "to": FROM}, "query.to"),
        ({"to": TO}, "query.from"),
        ({"from": "yesterday", "to": TO}, "query.from"),
    ],
)
async def test_bad_kpi_parameters_get_422_in_the_standard_body(
    api: Api, params: dict[str, str], field: str
) -> None:
    r = await api.get("supervisor01", "/kpi/calls", **params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "validation.invalid"
    assert field in [e["field"] for e in body["details"]["errors"]]


async def test_call_kpis_excel_has_figures_calls_and_gap_sheet(api: Api) -> None:
    await _seed_calls(api)
    r = await api.get("supervisor01", "/kpi/calls.xlsx", **{"from": FROM, "to": TO})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["话务指标", "通话明细", "公式", "数据缺口"]
    rows = [[c.value for c in row] for row in wb["话务指标"].iter_rows()]
    assert "数据缺口" in str(rows[1][0])
    total = next(row for row in rows if row[0] == "合计")
    head = rows[2]
    assert total[head.index("接通率")] == pytest.approx(0.75)
    assert total[head.index("接通率分母")] == 4
    linkedids = {row[0].value for row in wb["通话明细"].iter_rows(min_row=2)}
    assert linkedids == {"1001.1", "1002.1", "1003.1", "1004.1"}
    assert wb["数据缺口"].cell(2, 3).value == 2


async def _dispatch_order(api: Api) -> str:
    r = await api.post("agent01", "/work-orders", ORDER, **{"Idempotency-Key": "web-kpi-1"})
    assert r.status_code == 201, r.text
    oid: str = r.json()["id"]
    api.clock.advance(timedelta(minutes=10))
    await api.act("dispatcher01", oid, "dispatch", {"lead_unit": "util.water"})
    api.clock.advance(timedelta(minutes=10))
    await api.act("water01", oid, "sign", {})
    return oid


def _period(api: Api) -> dict[str, str]:
    now = api.clock.now()
    return {
        "from": (now - timedelta(days=1)).isoformat(),
        "to": (now + timedelta(days=1)).isoformat(),
    }


async def test_work_order_kpis_per_unit_with_drill_down(api: Api) -> None:
    oid = await _dispatch_order(api)
    r = await api.get("supervisor01", "/kpi/work-orders", **_period(api))
    assert r.status_code == 200, r.text
    units = {u["unit"]: u["kpis"] for u in r.json()["units"]}
    water = units["util.water"]
    assert water["volume"]["numerator"] == 1
    sign = water["on_time_sign_rate"]
    assert (sign["numerator"], sign["denominator"], sign["order_ids"]) == (1, 1, [oid])
    assert sign["formula"] == {"name": "on_time_sign_rate", "version": "v1"}
    assert sign["label"] == "按时签收率"


@pytest.mark.parametrize(
    ("user", "unit", "status", "units"),
    [
        ("water01", None, 200, ["util.water"]),
        ("water01", "util.water", 200, ["util.water"]),
        ("water01", "dept.housing", 403, None),
        ("agent01", None, 403, None),
        ("trainer01", None, 403, None),
    ],
)
async def test_work_order_kpis_scope(
    api: Api, user: str, unit: str | None, status: int, units: list[str] | None
) -> None:
    await _dispatch_order(api)
    params: dict[str, Any] = _period(api)
    if unit:
        params["unit"] = unit
    r = await api.get(user, "/kpi/work-orders", **params)
    assert r.status_code == status, r.text
    if units is not None:
        assert [u["unit"] for u in r.json()["units"]] == units


async def test_work_order_kpis_excel(api: Api) -> None:
    await _dispatch_order(api)
    r = await api.get("supervisor01", "/kpi/work-orders.xlsx", **_period(api))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content))["工单指标"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert ["util.water", "派单量", 1.0, 1, None, "volume", "v1"] in rows


async def test_transcript_of_a_call_with_timeline(api: Api) -> None:
    await transcribed_calls(api.container.call_events, api.container.transcripts)
    r = await api.get("trainer01", "/transcripts/3001.1")
    assert r.status_code == 200, r.text
    data = r.json()
    assert [(s["speaker"], s["start_ms"]) for s in data["segments"]] == [
        ("agent", 0),
        ("caller", 1600),
    ]
    assert data["segments"][1]["text_normalised"].endswith("13800138000")
    assert [t["event"] for t in data["timeline"]] == [
        "CallOffered",
        "CallQueued",
        "CallAbandoned",
        "CallEnded",
    ]
    assert data["caller_number"] == "13700001111"
    missing = await api.get("trainer01", "/transcripts/nope.1")
    assert missing.status_code == 404
    assert missing.json()["code"] == "transcript.not_found"


@pytest.mark.parametrize(
    ("q", "calls"),
    [("停水", ["3001.1"]), ("13800138000", ["3001.1"]), ("路灯", ["3002.1"]), ("燃气", [])],
)
async def test_transcript_search_finds_calls_by_keyword(api: Api, q: str, calls: list[str]) -> None:
    await transcribed_calls(api.container.call_events, api.container.transcripts)
    r = await api.get("trainer01", "/transcripts/search", q=q)
    assert [h["call_id"] for h in r.json()] == calls


async def test_qa_score_is_saved_and_listed(api: Api) -> None:
    await transcribed_calls(api.container.call_events, api.container.transcripts)
    items = {"courtesy": 20, "accuracy": 25, "record": 18, "communication": 22}
    r = await api.post("trainer01", "/transcripts/3001.1/scores", {"items": items, "comment": "好"})
    assert r.status_code == 201, r.text
    assert r.json()["total"] == 85
    data = (await api.get("supervisor01", "/transcripts/3001.1")).json()
    assert [(s["reviewer"], s["total"], s["comment"]) for s in data["scores"]] == [
        ("trainer01", 85, "好")
    ]


@pytest.mark.parametrize(
    ("user", "items", "status"),
    [
        ("trainer01", {"courtesy": 30, "accuracy": 1, "record": 1, "communication": 1}, 422),
        ("trainer01", {"courtesy": 1, "accuracy": 1, "record": 1}, 422),
        ("trainer01", {"courtesy": 1, "accuracy": 1, "record": 1, "communication": 1, "x": 1}, 422),
        ("agent01", {"courtesy": 1, "accuracy": 1, "record": 1, "communication": 1}, 403),
    ],
)
async def test_bad_qa_scores_are_refused(
    api: Api, user: str, items: dict[str, int], status: int
) -> None:
    await transcribed_calls(api.container.call_events, api.container.transcripts)
    r = await api.post(user, "/transcripts/3001.1/scores", {"items": items})
    assert r.status_code == status, r.text
    assert (await api.get("trainer01", "/transcripts/3001.1")).json()["scores"] == []


@pytest.mark.parametrize(
    ("user", "phone", "status", "count"),
    [
        ("agent01", "13812345678", 200, 1),
        ("agent01", "13900000000", 200, 0),
        ("water01", "13812345678", 403, None),
    ],
)
async def test_caller_profile_lists_orders_by_phone(
    api: Api, user: str, phone: str, status: int, count: int | None
) -> None:
    await _dispatch_order(api)
    r = await api.get(user, "/work-orders", phone=phone)
    assert r.status_code == status, r.text
    if count is not None:
        assert r.json()["total"] == count


async def test_labels_come_from_the_message_catalogue(api: Api) -> None:
    data = (await api.client.get("/api/v1/labels")).json()
    assert data["status"]["dispatched"] == "已派单"
    assert data["role"]["trainer"]


@pytest.mark.postgres
async def test_call_kpis_and_search_on_postgres(seeded_postgres_url: str) -> None:
    async with running_api(seeded_postgres_url) as api:
        async with api.container.engine.begin() as conn:  # the shared session database
            await conn.execute(text("DELETE FROM call_events"))
            await conn.execute(text("DELETE FROM transcript_segments"))
            await conn.execute(text("DELETE FROM qa_scores"))
        await _seed_calls(api)
        await transcribed_calls(api.container.call_events, api.container.transcripts)
        r = await api.get("supervisor01", "/kpi/calls", **{"from": FROM, "to": TO})
        rate = r.json()["total"]["answer_rate"]
        assert (rate["numerator"], rate["denominator"]) == (3, 4)
        assert len(r.json()["gaps"]) == 1
        hits = (await api.get("trainer01", "/transcripts/search", q="13800138000")).json()
        assert [h["call_id"] for h in hits] == ["3001.1"]
        items = {"courtesy": 1, "accuracy": 2, "record": 3, "communication": 4}
        r = await api.post("trainer01", "/transcripts/3001.1/scores", {"items": items})
        assert r.status_code == 201
        assert r.json()["total"] == 10
