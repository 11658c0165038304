"""Dispatching across the end of the calendar data (2026 → 2027) through the API, on SQLite and
PostgreSQL: provisional deadlines shown and trailed; the strict setting refuses (422); the
recompute after a (made-up, test-only) 2027 schedule is added moves them and clears the mark."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from core.clock import SHANGHAI
from hotline.commands.calendar import register
from tests.integration.api_client import ORDER, Api, running_api

DEC15 = datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
FAKE_2027 = (
    "date,kind,note\n"
    "2027-01-01,holiday,测试用虚构\n"
    "2027-01-04,holiday,测试用虚构\n"
    "2027,complete,测试用虚构日程（并非国务院通知）\n"
)


def api_at(url: str, calendar: dict[str, Any]) -> AbstractAsyncContextManager[Api]:
    return running_api(url, calendar=calendar, start=DEC15)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(SHANGHAI)


async def _dispatched_order(api: Api) -> str:
    body = {**ORDER, "sla_class": "complex"}  # 15 calendar days + 2 working days to close
    r = await api.post("agent01", "/work-orders", body)
    assert r.status_code == 201, r.text
    oid: str = r.json()["id"]
    return oid


async def test_provisional_dispatch_then_recompute(seeded_url: str, tmp_path: Path) -> None:
    url = seeded_url
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


async def test_refuse_setting_keeps_the_422(seeded_url: str) -> None:
    async with api_at(seeded_url, {"unknown_year": "refuse"}) as api:
        oid = await _dispatched_order(api)
        r = await api.post(
            "dispatcher01", f"/work-orders/{oid}/dispatch", {"lead_unit": "util.water"}
        )
        assert r.status_code == 422, r.text
        assert "calendar.year_unsupported" in r.text


def test_the_cli_recomputes_as_operators_run_it(seeded_url: str, tmp_path: Path) -> None:
    """``python -m hotline calendar recompute-provisional`` with the real settings loading:
    nothing to do without data, a dry run stores nothing, the real run clears the mark."""

    async def dispatch() -> str:
        async with api_at(seeded_url, {}) as api:
            oid = await _dispatched_order(api)
            await api.act("dispatcher01", oid, "dispatch", {"lead_unit": "util.water"})
            number: str = (await api.get("agent01", f"/work-orders/{oid}")).json()["number"]
            return number

    number = asyncio.run(dispatch())  # the CLI names orders by their number (XA…)
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command keeps "calendar" a sub-command group
        pass

    runner = CliRunner()
    env = {"HOTLINE_DATABASE__URL": seeded_url}
    args = ["calendar", "recompute-provisional"]

    still = runner.invoke(app, args, env=env)
    assert still.exit_code == 0, still.output
    assert "1 open order(s) with provisional deadlines" in still.stdout
    assert f"still provisional (calendar data missing): 1 {number}" in still.stdout

    override = tmp_path / "calendar_2027_test.csv"
    override.write_text(FAKE_2027, encoding="utf-8")
    env["HOTLINE_CALENDAR__OVERRIDE_FILE"] = str(override)
    dry = runner.invoke(app, [*args, "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert f"would recompute: 1 {number}" in dry.stdout
    real = runner.invoke(app, args, env=env)
    assert f"recomputed: 1 {number}" in real.stdout  # the dry run stored nothing
    done = runner.invoke(app, args, env=env)
    assert "0 open order(s) with provisional deadlines" in done.stdout
