"""Dispatching across the end of the calendar data (2026 → 2027) through the API, on SQLite and
PostgreSQL: provisional deadlines shown and trailed; the strict setting refuses (422); the
recompute after a (made-up, test-only) 2027 schedule is added moves them and clears the mark."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_api.app import create_app
from core.clock import SHANGHAI, ManualClock
from hotline.bootstrap import build_container
from hotline.settings import Settings
from tests.integration.api_client import ORDER, Api

DEC15 = datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
FAKE_2027 = (
    "date,kind,note\n"
    "2027-01-01,holiday,测试用虚构\n"
    "2027-01-04,holiday,测试用虚构\n"
    "2027,complete,测试用虚构日程（并非国务院通知）\n"
)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest) -> str:
    name = "seeded_sqlite_url" if request.param == "sqlite" else "seeded_postgres_url"
    value: str = request.getfixturevalue(name)
    return value


@asynccontextmanager
async def api_at(url: str, calendar: dict[str, Any]) -> AsyncIterator[Api]:
    settings = Settings(
        database={"url": url}, api={"token_ttl_minutes": 60 * 24 * 60}, calendar=calendar
    )
    clock = ManualClock(DEC15)
    container = build_container(settings, clock=clock)
    await container.start()
    try:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client, container, clock)
    finally:
        await container.stop()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(SHANGHAI)


async def _dispatched_order(api: Api) -> str:
    body = {**ORDER, "sla_class": "complex"}  # 15 calendar days + 2 working days to close
    r = await api.post("agent01", "/work-orders", body)
    assert r.status_code == 201, r.text
    oid: str = r.json()["id"]
    return oid


async def test_provisional_dispatch_then_recompute(url: str, tmp_path: Path) -> None:
    async with api_at(url, {}) as api:  # default: unknown_year = provisional
        oid = await _dispatched_order(api)
        data = await api.act("dispatcher01", oid, "dispatch", {"lead_unit": "util.water"})
        assert data["status"] == "dispatched"
        got = (await api.get("agent01", f"/work-orders/{oid}")).json()["deadlines"]
        assert got["provisional_years"] == [2027]
        assert local(got["reply_due"]) == datetime(2026, 12, 30, 10, tzinfo=SHANGHAI)
        # Dec 31, then Fri Jan 1 2027 counted as working (no 元旦: provisional)
        assert local(got["close_due"]) == datetime(2027, 1, 1, 10, tzinfo=SHANGHAI)
        trail = (await api.get("supervisor01", f"/work-orders/{oid}/transitions")).json()
        assert trail[-1]["payload"]["events"][0]["provisional_years"] == [2027]

    override = tmp_path / "calendar_2027_test.csv"
    override.write_text(FAKE_2027, encoding="utf-8")
    async with api_at(url, {"override_file": str(override), "unknown_year": "refuse"}) as api:
        report = await api.container.recompute_deadlines.execute()
        assert len(report.recomputed) == 1
        assert report.still_provisional == []
        got = (await api.get("agent01", f"/work-orders/{oid}")).json()["deadlines"]
        assert got["provisional_years"] == []
        assert local(got["reply_due"]) == datetime(2026, 12, 30, 10, tzinfo=SHANGHAI)
        assert local(got["close_due"]) == datetime(2027, 1, 5, 10, tzinfo=SHANGHAI)
        trail = (await api.get("supervisor01", f"/work-orders/{oid}/transitions")).json()
        last = trail[-1]
        assert (last["action"], last["actor_id"]) == ("recompute_deadlines", "system:calendar")
        assert last["payload"]["before"]["provisional_years"] == [2027]
        assert last["payload"]["after"]["provisional_years"] == []
        again = await api.container.recompute_deadlines.execute()  # idempotent
        assert again.examined == 0
        assert again.recomputed == []


async def test_refuse_setting_keeps_the_422(url: str) -> None:
    async with api_at(url, {"unknown_year": "refuse"}) as api:
        oid = await _dispatched_order(api)
        r = await api.post(
            "dispatcher01", f"/work-orders/{oid}/dispatch", {"lead_unit": "util.water"}
        )
        assert r.status_code == 422, r.text
        assert "calendar.year_unsupported" in r.text
