"""``agent_api.api_time``: one spelling (+08:00) for aware datetimes; everything else untouched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from agent_api.api_time import ApiDatetime, in_api_zone

NOON_UTC = datetime(2026, 11, 16, 4, 0, tzinfo=UTC)


class _Stamp(BaseModel):
    at: ApiDatetime
    maybe: ApiDatetime | None = None


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("2026-11-16T04:00:00Z", "2026-11-16T12:00:00+08:00"),
        ("2026-11-16T04:00:00+00:00", "2026-11-16T12:00:00+08:00"),
        ("2026-11-15T20:00:00.250000-08:00", "2026-11-16T12:00:00.250000+08:00"),
        ("2026-11-16T12:00:00+08:00", "2026-11-16T12:00:00+08:00"),
        ("2026-11-16T16:30:00+00:00", "2026-11-17T00:30:00+08:00"),  # the Shanghai day turns
        # not aware date-times: left as they are
        ("2026-11-16T04:00:00", "2026-11-16T04:00:00"),
        ("2026-11-16", "2026-11-16"),
        ("2026-13-16T04:00:00Z", "2026-13-16T04:00:00Z"),
        ("会议改到 2026-11-16T04:00:00Z 之后", "会议改到 2026-11-16T04:00:00Z 之后"),
        ("13812345678", "13812345678"),
    ],
)
def test_strings(given: str, written: str) -> None:
    assert in_api_zone(given) == written


def test_documents_are_walked_and_keys_kept() -> None:
    doc = {
        "2026-11-16T04:00:00Z": "key",
        "timeline": [["2026-11-16T04:00:00+00:00", "offered"]],
        "at": NOON_UTC,
        "n": 3,
        "none": None,
        "pair": ("2026-11-16T04:00:00Z", True),
    }
    assert in_api_zone(doc) == {
        "2026-11-16T04:00:00Z": "key",
        "timeline": [["2026-11-16T12:00:00+08:00", "offered"]],
        "at": "2026-11-16T12:00:00+08:00",
        "n": 3,
        "none": None,
        "pair": ("2026-11-16T12:00:00+08:00", True),
    }
    assert doc["at"] is NOON_UTC  # a copy: the caller's document is not changed


def test_models_write_shanghai_time_and_refuse_naive() -> None:
    stamp = _Stamp(at=NOON_UTC)
    assert stamp.model_dump_json() == '{"at":"2026-11-16T12:00:00+08:00","maybe":null}'
    assert stamp.model_dump()["at"] is NOON_UTC  # python mode keeps the object
    with pytest.raises(ValidationError, match="timezone"):
        _Stamp(at=datetime(2026, 11, 16, 4, 0))  # naive: refused


def test_the_schema_documents_the_spelling() -> None:
    at = _Stamp.model_json_schema(mode="serialization")["properties"]["at"]
    assert (at["type"], at["format"]) == ("string", "date-time")
    assert at["examples"] == ["2026-11-16T09:00:00+08:00"]
