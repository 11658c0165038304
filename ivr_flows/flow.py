"""The flow-file schema: one YAML file describes the hotline's IVR.

A flow has a short greeting, optional emergency announcement (110/119/120), business hours or
7×24 mode, named menus (prompt = sound file + the Chinese text it says, DTMF options, timeout
and retries), an optional operator entry menu, and ordered diversion rules over live queue state.
See ``docs/ivr.md`` for the full reference and ``ivr_flows/flows/default.yaml`` for the shipped
GB/T 33358-2016 flow (no menu for phone intake: greeting → queue; choices only when a rule fires).

Validation is two steps: pydantic checks shapes and ranges (``extra="forbid"`` catches typos),
then :func:`cross_check` checks references between parts (menu names, emergency prompt).
:mod:`ivr_flows.loader` maps every problem to the file, line and field.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FinalAction = Literal["queue", "voicemail", "online", "callback", "hangup"]
# Menu keys may also replay the menu, play the emergency announcement, or go to another menu.
OptionAction = Literal[
    "queue", "voicemail", "online", "callback", "hangup", "emergency", "repeat", "menu"
]
DTMF_KEYS = frozenset("0123456789*#")
_SOUND = re.compile(r"^[A-Za-z0-9_\-/]+$")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prompt(_Strict):
    """A sound file (Asterisk name, no extension) and the Chinese text it says."""

    sound: str
    text: Annotated[str, Field(min_length=1)]

    @field_validator("sound")
    @classmethod
    def _sound_name(cls, value: str) -> str:
        if not _SOUND.match(value):
            raise ValueError("a sound name is letters, digits, _ - / and no extension")
        return value


class Option(_Strict):
    action: OptionAction
    menu: str | None = None  # target when action == "menu"

    @model_validator(mode="after")
    def _menu_target(self) -> Option:
        if (self.action == "menu") != (self.menu is not None):
            raise ValueError("'menu' is required with action: menu and only then")
        return self


class Menu(_Strict):
    prompt: Prompt
    options: dict[str, Option]
    timeout_s: Annotated[float, Field(ge=1, le=30)] = 5.0
    retries: Annotated[int, Field(ge=0, le=5)] = 2  # replays after no input / a wrong key
    invalid: Prompt | None = None  # said after a wrong key
    on_exhausted: FinalAction = "queue"  # retries used up → a person, by default

    @field_validator("options", mode="before")
    @classmethod
    def _keys_as_text(cls, value: object) -> object:
        # YAML reads an unquoted 1: as the integer 1; a DTMF key is a character.
        if isinstance(value, dict):
            return {str(key): option for key, option in value.items()}
        return value

    @field_validator("options")
    @classmethod
    def _keys(cls, value: dict[str, Option]) -> dict[str, Option]:
        bad = [key for key in value if key not in DTMF_KEYS]
        if bad:
            raise ValueError(f"option keys must be one DTMF key 0-9 * #, got {bad}")
        if not value:
            raise ValueError("a menu needs at least one option")
        return value


class TimeRange(_Strict):
    start: time
    end: time


def parse_range(value: str) -> TimeRange:
    match = _RANGE.match(value)
    if not match:
        raise ValueError(f"time range must look like 08:00-20:00, got {value!r}")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"not a time of day: {value!r}")
    end = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
    if end <= time(h1, m1):
        raise ValueError(f"range ends before it starts: {value!r}")
    return TimeRange(start=time(h1, m1), end=end)


class BusinessHours(_Strict):
    """Opening hours on official working days and on rest days (weekends, holidays)."""

    working_days: list[str] = Field(default_factory=lambda: ["08:00-20:00"])
    rest_days: list[str] = Field(default_factory=list)  # empty: closed on rest days

    @field_validator("working_days", "rest_days")
    @classmethod
    def _ranges(cls, value: list[str]) -> list[str]:
        for item in value:
            parse_range(item)
        return value

    def ranges(self, working_day: bool) -> list[TimeRange]:
        return [parse_range(r) for r in (self.working_days if working_day else self.rest_days)]


class Condition(_Strict):
    """All given tests must hold (AND)."""

    after_hours: bool | None = None
    holiday: bool | None = None  # today is not an official working day
    no_agents: bool | None = None  # nobody logged in and unpaused
    ewt_over_s: Annotated[float, Field(gt=0)] | None = None
    waiting_per_agent_over: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError("a condition needs at least one test")
        return self


class Rule(_Strict):
    """If ``when`` holds at IVR time: play ``menu`` (an offer), or go straight to ``action``."""

    name: str
    when: Condition
    menu: str | None = None
    action: FinalAction | None = None
    reason: str | None = None  # outcome label; default from the first test in ``when``

    @model_validator(mode="after")
    def _one_target(self) -> Rule:
        if (self.menu is None) == (self.action is None):
            raise ValueError("a rule needs exactly one of 'menu' or 'action'")
        return self

    @property
    def label(self) -> str:
        if self.reason:
            return self.reason
        tests = self.when.model_dump(exclude_none=True)
        first = next(iter(tests))
        return {"ewt_over_s": "wait", "waiting_per_agent_over": "ratio"}.get(first, first)


class Emergency(_Strict):
    prompt: Prompt  # 如遇火灾请拨打119，治安警情请拨打110，医疗急救请拨打120
    in_greeting: bool = False  # also say it after the greeting on every call


class Sms(_Strict):
    """The online-channel SMS. ``template`` may use {link}, {caller}, {call_id}."""

    template: str = "【12345热线】您好，您也可以通过网上渠道提交诉求：{link}"
    link: str = "https://12345.example.gov.cn/m"

    @field_validator("template")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            value.format(link="", caller="", call_id="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"unknown or broken placeholder in template: {exc}") from exc
        return value


class Flow(_Strict):
    flow: str
    queue: str = "hotline"
    timezone: str = "Asia/Shanghai"
    mode: Literal["7x24", "business_hours"] = "7x24"
    business_hours: BusinessHours | None = None
    greeting: Prompt
    emergency: Emergency | None = None
    menu: str | None = None  # operator-configured entry menu; None: straight to the queue
    menus: dict[str, Menu] = Field(default_factory=dict)
    diversion: list[Rule] = Field(default_factory=list)
    ratio_of: Literal["on_duty", "ready"] = "on_duty"  # denominator of waiting_per_agent_over
    sms: Sms = Field(default_factory=Sms)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


Path = tuple[str | int, ...]


def cross_check(flow: Flow) -> list[tuple[Path, str]]:
    """Problems between parts of a valid-shaped flow, each with the path of the field."""
    issues: list[tuple[Path, str]] = []
    known = set(flow.menus)
    if flow.menu is not None and flow.menu not in known:
        issues.append((("menu",), f"unknown menu {flow.menu!r}"))
    if flow.mode == "business_hours" and flow.business_hours is None:
        issues.append((("business_hours",), "mode business_hours needs business_hours"))
    for index, rule in enumerate(flow.diversion):
        if rule.menu is not None and rule.menu not in known:
            issues.append((("diversion", index, "menu"), f"unknown menu {rule.menu!r}"))
        if rule.when.after_hours and flow.mode == "7x24":
            issues.append((("diversion", index, "when", "after_hours"), "never true in 7x24 mode"))
    for name, menu in flow.menus.items():
        for key, option in menu.options.items():
            path: Path = ("menus", name, "options", key)
            if option.menu is not None and option.menu not in known:
                issues.append(((*path, "menu"), f"unknown menu {option.menu!r}"))
            if option.action == "emergency" and flow.emergency is None:
                issues.append(((*path, "action"), "emergency option but no 'emergency' prompt"))
    return issues
