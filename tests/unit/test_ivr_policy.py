# ruff: noqa: E501  (decision tables read best one row per line)
"""Decision tables for the pure policy engine (ivr_flows.policy) and the EWT (ivr_flows.ewt)."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from core.clock import SHANGHAI
from core.errors import CalendarError
from ivr_flows.ewt import estimate_wait, wait_error
from ivr_flows.flow import Flow
from ivr_flows.loader import default_flow_path, load_flow, parse_flow
from ivr_flows.policy import MenuRun, QueueState, Situation, decide_entry

DEFAULT = load_flow(default_flow_path())
HOURS = load_flow(default_flow_path().with_name("business-hours.yaml"))

# A small official calendar: 国庆 2026-10-01..07 off, make-up working days Sun 09-27, Sat 10-10.
HOLIDAYS = {date(2026, 10, d) for d in range(1, 8)}
MAKE_UP = {date(2026, 9, 27), date(2026, 10, 10)}


def calendar(day: date) -> bool:
    if day.year != 2026:
        raise CalendarError(f"no data for {day.year}")
    return day in MAKE_UP or (day.weekday() < 5 and day not in HOLIDAYS)


IDLE = QueueState(waiting=0, available=2, logged_in=4, aht_recent_s=180)
BUSY = QueueState(waiting=6, available=0, logged_in=4, aht_recent_s=180)
CROWDED = QueueState(waiting=8, available=0, logged_in=4, aht_recent_s=180)
NOBODY = QueueState(waiting=0, available=0, logged_in=0, aht_recent_s=180)
ALL_PAUSED = QueueState(waiting=1, available=0, logged_in=3, aht_recent_s=180, paused=3)


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


MON_10 = at(2026, 11, 23, 10)


@pytest.mark.parametrize(
    ("case", "flow", "now", "queue", "ewt", "menu", "action", "reason"),
    [
        ("7x24 default, idle: straight to the queue", DEFAULT, MON_10, IDLE, 0.0, None, "queue", "direct"),
        ("7x24 default at 3 a.m. is never after hours", DEFAULT, at(2026, 11, 23, 3), IDLE, 0.0, None, "queue", "direct"),
        ("overload on estimated wait", DEFAULT, MON_10, BUSY, 90.0, "busy", None, "wait"),
        ("wait at the threshold does not fire", DEFAULT, MON_10, BUSY, 20.0, None, "queue", "direct"),
        ("overload on callers per agent", DEFAULT, MON_10, CROWDED, 10.0, "busy", None, "ratio"),
        ("no agent logged in", DEFAULT, MON_10, NOBODY, math.inf, "no-agents", None, "no_agents"),
        ("all agents paused = no agents", DEFAULT, MON_10, ALL_PAUSED, math.inf, "no-agents", None, "no_agents"),
        ("no live state: rules over it stay off", DEFAULT, MON_10, None, None, None, "queue", "direct"),
        ("business hours, open: operator menu", HOURS, MON_10, IDLE, 0.0, "main", None, "menu"),
        ("after hours on a working day", HOURS, at(2026, 11, 23, 20, 30), IDLE, 0.0, "closed", None, "after_hours"),
        ("before opening", HOURS, at(2026, 11, 23, 7, 59), IDLE, 0.0, "closed", None, "after_hours"),
        ("holiday (国庆, a Thursday) evening", HOURS, at(2026, 10, 1, 18), IDLE, 0.0, "closed", None, "holiday"),
        ("holiday daytime: rest-day hours are open", HOURS, at(2026, 10, 1, 10), IDLE, 0.0, "main", None, "menu"),
        ("make-up Saturday (调休) 19:00 is a working day", HOURS, at(2026, 10, 10, 19), IDLE, 0.0, "main", None, "menu"),
        ("ordinary Saturday 19:00 is closed", HOURS, at(2026, 10, 17, 19), IDLE, 0.0, "closed", None, "holiday"),
        ("year without calendar data: Mon–Fri fallback", HOURS, at(2027, 1, 4, 10), IDLE, 0.0, "main", None, "menu"),
        ("open but overloaded", HOURS, MON_10, BUSY, 300.0, "busy", None, "wait"),
        ("open, nobody logged in", HOURS, MON_10, NOBODY, math.inf, "closed", None, "no_agents"),
        ("UTC input is read in Asia/Shanghai", HOURS, datetime.fromisoformat("2026-11-23T13:00+00:00"), IDLE, 0.0, "closed", None, "after_hours"),
    ],
)  # fmt: skip
def test_entry_decision_table(
    case: str,
    flow: Flow,
    now: datetime,
    queue: QueueState | None,
    ewt: float | None,
    menu: str | None,
    action: str | None,
    reason: str,
) -> None:
    entry = decide_entry(flow, Situation(now, queue, ewt, calendar))
    assert (entry.menu, entry.action, entry.reason) == (menu, action, reason), case


def test_emergency_announcement_in_greeting() -> None:
    entry = decide_entry(HOURS, Situation(MON_10, IDLE, 0.0, calendar))
    assert [p.sound for p in entry.greeting] == ["hotline/greeting", "hotline/emergency"]
    entry = decide_entry(DEFAULT, Situation(MON_10, IDLE, 0.0, calendar))
    assert [p.sound for p in entry.greeting] == ["hotline/greeting"]


def walk(flow: Flow, menu: str, keys: list[str | None]) -> list[tuple[str, str]]:
    """Feed keys; return the commands as (kind, sound-or-action)."""
    run = MenuRun(flow, menu)
    command = run.start()
    seen: list[tuple[str, str]] = []
    pending = list(keys)
    while True:
        if command.kind == "done":
            seen.append(("done", f"{command.action}{' (exhausted)' if command.exhausted else ''}"))
            return seen
        assert command.prompt is not None
        seen.append((command.kind, command.prompt.sound))
        command = run.next() if command.kind == "play" else run.feed(pending.pop(0))


ASK_BUSY = ("ask", "hotline/busy-offer")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["2"], [ASK_BUSY, ("done", "voicemail")]),
        (["3"], [ASK_BUSY, ("done", "online")]),
        (["4"], [ASK_BUSY, ("done", "callback")]),
        (["1"], [ASK_BUSY, ("done", "queue")]),
        # press 0 for a person
        (["0"], [ASK_BUSY, ("done", "queue")]),
        # retries exhausted (1 retry): no input twice → a person
        ([None, None], [ASK_BUSY, ASK_BUSY, ("done", "queue (exhausted)")]),
        # wrong key → "invalid" notice, menu again; then a valid key
        (["7", "2"], [ASK_BUSY, ("play", "hotline/invalid"), ASK_BUSY, ("done", "voicemail")]),
        (["7", "8"], [ASK_BUSY, ("play", "hotline/invalid"), ASK_BUSY, ("done", "queue (exhausted)")]),
        # emergency option: 110/119/120 announcement, menu again, no retry used
        (["9", "9", "3"], [ASK_BUSY, ("play", "hotline/emergency"), ASK_BUSY,
                           ("play", "hotline/emergency"), ASK_BUSY, ("done", "online")]),
    ],
)  # fmt: skip
def test_menu_table(keys: list[str | None], expected: list[tuple[str, str]]) -> None:
    assert walk(DEFAULT, "busy", keys) == expected


def test_no_agents_menu_exhausts_to_voicemail() -> None:
    assert walk(DEFAULT, "no-agents", [None, None])[-1] == ("done", "voicemail (exhausted)")


SUBMENUS = """
flow: sub
greeting: {sound: g, text: 您好}
menu: main
menus:
  main:
    prompt: {sound: main, text: 主菜单}
    options:
      "1": {action: menu, menu: sub}
      "*": {action: repeat}
    retries: 0
  sub:
    prompt: {sound: sub, text: 子菜单}
    options:
      "#": {action: hangup}
    retries: 0
    on_exhausted: voicemail
"""


def test_submenu_repeat_and_hangup() -> None:
    flow = parse_flow(SUBMENUS)
    assert walk(flow, "main", ["*", "1", "#"]) == [
        ("ask", "main"), ("ask", "main"), ("ask", "sub"), ("done", "hangup"),
    ]  # fmt: skip
    assert walk(flow, "main", ["1", None]) == [
        ("ask", "main"), ("ask", "sub"), ("done", "voicemail (exhausted)"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "kw", "expected"),
    [
        (IDLE, {}, 0.0),  # a member is ready
        (QueueState(1, 2, 4, 180), {}, 0.0),  # position 2, two ready
        (QueueState(2, 1, 4, 180), {}, 2 * 182.5 / 4),  # position 3, one ready: 2 releases
        (BUSY, {}, 7 * 182.5 / 4),
        (BUSY, {"abandon_share": 0.2}, 7 * 0.8 * 182.5 / 4),
        (BUSY, {"ring_s": 0.0}, 7 * 180 / 4),
        (QueueState(3, 0, 5, 200, paused=1), {}, 4 * 202.5 / 4),  # paused agents do not count
        (NOBODY, {}, math.inf),
        (BUSY, {"position": 1}, 182.5 / 4),
    ],
)
def test_estimated_wait(state: QueueState, kw: dict[str, float], expected: float) -> None:
    assert estimate_wait(state, **kw) == pytest.approx(expected)  # type: ignore[arg-type]


def test_wait_error_figures() -> None:
    err = wait_error([(10.0, 12.0), (0.0, 0.0), (30.0, 20.0), (math.inf, 50.0)])
    assert err["n"] == 3
    assert err["infinite"] == 1
    assert err["mae_s"] == pytest.approx(4.0)
    assert err["bias_s"] == pytest.approx((-2 + 0 + 10) / 3)
    assert err["p90_s"] == pytest.approx(2 + (10 - 2) * 0.8)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"available": 0, "logged_in": 1, "aht_recent_s": 1}, "lacks 'waiting'"),
        ({"waiting": "3", "available": 0, "logged_in": 1, "aht_recent_s": 1}, "not a number"),
        ({"waiting": True, "available": 0, "logged_in": 1, "aht_recent_s": 1}, "not a number"),
        ({"waiting": -1, "available": 0, "logged_in": 1, "aht_recent_s": 1}, "out of range"),
    ],
)
def test_bad_queue_documents(doc: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        QueueState.from_doc(doc)


def test_queue_document_roundtrip() -> None:
    doc = {"waiting": 3, "available": 0, "logged_in": 4, "aht_recent_s": 183.5, "paused": 1}
    assert QueueState.from_doc(doc) == QueueState(3, 0, 4, 183.5, paused=1)
