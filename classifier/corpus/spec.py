"""The shape of a phrase bank for one second-level category (see ``generate.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Bank:
    issues: list[str]
    asks: list[str]
    reports: list[str] = field(default_factory=list)
    suggests: list[str] = field(default_factory=list)
    staff: str = "工作人员"
