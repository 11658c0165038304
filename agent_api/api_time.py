"""The API's one datetime representation: ISO 8601 with the Asia/Shanghai offset
(``2026-11-16T09:00:00+08:00``), the hotline's legal clock.

Domain objects carry whatever zone produced them (the clock, storage's UTC, an AMI event), so the
same instant would otherwise leave the API as different strings depending on the code path (an
action's response vs a later read). Typed response models use :data:`ApiDatetime`; untyped
documents built in ``core`` (call records, KPI reports, live state, transcripts, bus payloads)
already hold ISO strings and go through :func:`in_api_zone` on their way out.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, TypeVar, cast

from pydantic import AwareDatetime, PlainSerializer, WithJsonSchema

from core.clock import SHANGHAI

API_ZONE = SHANGHAI
# A whole ISO 8601 date-time with an offset, as ``datetime.isoformat()`` and pydantic write it.
# Anything else — dates, naive date-times, free text that merely contains a time — is left alone.
_ISO_AWARE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")

J = TypeVar("J")


def api_datetime(value: datetime) -> str:
    """``value`` as the API writes it; a naive datetime is a bug, not a guess."""
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r} in an API response")
    return value.astimezone(API_ZONE).isoformat()


# Responses: must be aware (a naive one fails loudly), always written in the API zone.
ApiDatetime = Annotated[
    AwareDatetime,
    PlainSerializer(api_datetime, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601, always with the Asia/Shanghai offset +08:00",
            "examples": ["2026-11-16T09:00:00+08:00"],
        }
    ),
]


def _string(text: str) -> str:
    if not _ISO_AWARE.fullmatch(text):
        return text
    try:
        return api_datetime(datetime.fromisoformat(text))
    except ValueError:  # shaped like a date-time but not one (month 13 …)
        return text


def _walk(value: object) -> object:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime):
        return api_datetime(value)
    if isinstance(value, dict):
        return {key: _walk(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_walk(item) for item in value)
    return value


def in_api_zone(document: J) -> J:
    """A copy of a JSON-like document with every aware date-time (``datetime`` or ISO string)
    re-expressed in the API zone: same instant, one spelling. Keys are not touched."""
    return cast(J, _walk(document))
