"""Time expressions in ITN-normalised speech ("昨天晚上10点", "从上周开始", "3天了").

Each expression carries the phrase as said (normalised) and, when a reference date is known
and the phrase pins a day, the resolved ISO date or date-time in ``detail["resolved"]``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Final

from autofill.model import Candidate

_DAY_OFFSETS: Final = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "昨晚": -1,
    "昨夜": -1,
    "前晚": -2,
    "今天": 0,
    "今日": 0,
    "今早": 0,
    "今晚": 0,
    "当天": 0,
    "明天": 1,
    "明早": 1,
    "后天": 2,
}
_WEEKDAYS: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_PARTS: Final = {
    "凌晨": 3,
    "早上": 8,
    "早晨": 8,
    "清早": 7,
    "上午": 10,
    "中午": 12,
    "下午": 15,
    "傍晚": 18,
    "晚上": 20,
    "夜里": 23,
    "夜间": 23,
    "半夜": 0,
    "深夜": 23,
}
_DAY = "|".join(sorted(_DAY_OFFSETS, key=len, reverse=True))
_WEEK = r"(?:上个?|这个?|本|下个?)?(?:星期|礼拜|周)[一二三四五六日天1-7]"
_REL = (
    r"(?:上个?|这个?|本|下个?)(?:月|星期|礼拜|周)|今年|去年|前年|最近|近期|前几天|这几天|"
    r"前段时间|这段时间|前阵子|刚才|刚刚|上次|年前|年后|春节|国庆|元旦"
)
_DATE = (
    r"\d{4}-\d{2}-\d{2}|\d{2,4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月(?:\d{1,2}[日号])?"
    r"|\d{1,2}[日号](?![楼院线])"
)
_PART = "|".join(sorted(_PARTS, key=len, reverse=True))
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}点(?:多|左右|钟)?"
_AGO = r"(?:\d+|[一两几半])个?多?(?:天|周|星期|礼拜|月|年|小时)(?:以前|之前|前|了|以来|多了)"
_TOKEN = rf"(?:{_WEEK}|{_DAY}|{_REL}|{_DATE}|{_PART}|{_CLOCK}|{_AGO})"
_EXPR = re.compile(
    rf"(?:从|自从|自|打)?{_TOKEN}(?:的?{_TOKEN})*(?:开始|以来|起|至今|到现在|一直|左右|前后|以后)?"
)
_HOUR = re.compile(r"(\d{1,2})(?::(\d{2}))?点?")


def _resolve(phrase: str, ref: date) -> str | None:
    day: date | None = None
    for word, offset in _DAY_OFFSETS.items():
        if word in phrase:
            day = ref + timedelta(days=offset)
            break
    week = re.search(r"(上个?|这个?|本|下个?)?(?:星期|礼拜|周)([一二三四五六日天1-7])", phrase)
    if day is None and week:
        wd = week.group(2)
        target = int(wd) - 1 if wd.isdigit() else _WEEKDAYS[wd]
        monday = ref - timedelta(days=ref.weekday())
        shift = {"上": -7, "下": 7}.get((week.group(1) or " ")[0], 0)
        day = monday + timedelta(days=shift + target)
        if not week.group(1) and day > ref:
            day -= timedelta(days=7)  # a bare "周三" in a complaint is the last one
    iso = re.search(r"\d{4}-\d{2}-\d{2}", phrase)
    if day is None and iso:
        day = date.fromisoformat(iso.group())
    if day is None:
        return None
    clock = re.search(r"(\d{1,2})(?::(\d{2}))|(\d{1,2})点", phrase)
    if clock is None:
        return day.isoformat()
    hour = int(clock.group(1) or clock.group(3))
    minute = int(clock.group(2) or 0)
    part = next((p for p in _PARTS if p in phrase), None)
    if part in ("下午", "傍晚", "晚上", "夜里", "夜间", "深夜") and hour < 12:
        hour += 12
    if part in ("半夜", "凌晨") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return day.isoformat()
    return datetime.combine(day, time(hour, minute)).isoformat(timespec="minutes")


def extract_times(text: str, *, ref_date: date | None = None) -> list[Candidate]:
    found: list[Candidate] = []
    for match in _EXPR.finditer(text):
        phrase = match.group()
        if re.fullmatch(r"\d{1,2}[日号]", phrase):
            continue  # a lone "5号" is more often a house number than a date
        detail: dict[str, str] = {}
        if ref_date is not None:
            resolved = _resolve(phrase, ref_date)
            if resolved is not None:
                detail["resolved"] = resolved
        confidence = 0.8 if len(phrase) >= 3 else 0.6
        found.append(Candidate("time", phrase, confidence, match.start(), match.end(), detail))
    return found
