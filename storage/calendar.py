"""``WorkingCalendar`` adapter: the official Chinese calendar plus operator overrides.

Order of precedence for a day:
1. the operator override file (CSV ``date,kind,note``; kind = ``working`` | ``holiday``),
2. ``chinese_calendar`` (statutory holidays and 调休 make-up working days, 2004–its last year),
3. a year the override file declares ``complete`` (a ``YYYY,complete,note`` row: the file
   holds that year's whole official schedule): its other days are Monday–Friday working,
4. otherwise: ``CalendarError`` ``calendar.year_unsupported`` (the business calendar may then
   answer provisionally, see ``core.business_calendar.UnknownYear``) — or, only when the
   legacy ``weekend_only_fallback`` is set, Monday–Friday working, logged once per year.

Override file example (``#`` starts a comment; the header line is optional)::

    date,kind,note
    2027-01-01,holiday,元旦（国务院通知发布前的预设）
    2026-12-26,working,本市调休
    # once the State Council's notice for 2027 is entered in full:
    # 2027,complete,国办发明电〔2026〕…号
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NoReturn

import chinese_calendar

from core.errors import CalendarError

log = logging.getLogger(__name__)

_KINDS = {"working": True, "holiday": False}
COMPLETE = "complete"


@dataclass(frozen=True, slots=True)
class OverrideDay:
    day: date
    working: bool
    note: str
    line: int


def load_override_file(path: Path) -> tuple[dict[date, OverrideDay], set[int]]:
    """Parse the override CSV → (days, years declared complete); any malformed line →
    CalendarError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CalendarError(
            f"calendar override file {path}: cannot read ({exc.strerror or exc})",
            code="calendar.override_unreadable",
            details={"file": str(path)},
        ) from exc
    out: dict[date, OverrideDay] = {}
    complete: set[int] = set()
    for line_no, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        row = [cell.strip() for cell in next(csv.reader([raw]))]
        if line_no == 1 and row and row[0].lower() == "date":
            continue  # header
        if len(row) >= 2 and row[1].lower() == COMPLETE:
            if not (row[0].isdigit() and len(row[0]) == 4) or len(row) > 3:
                _fail(path, line_no, f"expected 'YYYY,complete[,note]', got {row[0]!r}")
            complete.add(int(row[0]))
            continue
        out_day = _parse_row(path, line_no, row)
        if out_day.day in out:
            first = out[out_day.day].line
            _fail(path, line_no, f"date {out_day.day.isoformat()} already given on line {first}")
        out[out_day.day] = out_day
    return out, complete


def _parse_row(path: Path, line_no: int, row: list[str]) -> OverrideDay:
    if len(row) < 2 or len(row) > 3:
        _fail(path, line_no, f"expected 'date,kind[,note]', got {len(row)} field(s)")
    try:
        day = date.fromisoformat(row[0])
    except ValueError:
        _fail(path, line_no, f"bad date {row[0]!r} (want YYYY-MM-DD)")
    kind = row[1].lower()
    if kind not in _KINDS:
        _fail(path, line_no, f"bad kind {row[1]!r} (want working or holiday)")
    return OverrideDay(day, _KINDS[kind], row[2] if len(row) == 3 else "", line_no)


def _fail(path: Path, line_no: int, problem: str) -> NoReturn:
    raise CalendarError(
        f"calendar override file {path}, line {line_no}: {problem}",
        code="calendar.override_invalid",
        details={"file": str(path), "line": line_no, "problem": problem},
    )


class ChineseWorkingCalendar:
    """Implements :class:`core.ports.WorkingCalendar`."""

    def __init__(
        self,
        *,
        override_file: Path | None = None,
        weekend_only_fallback: bool = False,
        overrides: Mapping[date, bool] | None = None,
    ) -> None:
        self._overrides: dict[date, bool] = {}
        self._complete_years: set[int] = set()
        if override_file is not None:
            days, self._complete_years = load_override_file(override_file)
            self._overrides.update({d: o.working for d, o in days.items()})
        if overrides:
            self._overrides.update(overrides)
        self.weekend_only_fallback = weekend_only_fallback
        self._warned_years: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as exc:
            if day.year in self._complete_years:
                return day.weekday() < 5
            if not self.weekend_only_fallback:
                raise CalendarError(
                    f"no official working-day calendar for {day.year} ({day.isoformat()}): "
                    f"add the year's schedule to the override file with a '{day.year},complete' "
                    "row, or upgrade chinesecalendar",
                    code="calendar.year_unsupported",
                    details={"day": day.isoformat(), "year": day.year},
                ) from exc
        if day.year not in self._warned_years:
            self._warned_years.add(day.year)
            log.warning(
                "no official calendar data for %d: weekend-only fallback in use "
                "(Mon–Fri working, no holidays) — deadlines may be wrong around holidays",
                day.year,
            )
        return day.weekday() < 5
