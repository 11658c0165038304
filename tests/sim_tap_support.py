"""Trace 09's ASR tap events, normalised, to compare the PBX simulator's tap channels with.

Selected: every event of the tap's Local channels (``Channel``/``DestChannel``/``LocalOne…``/
``Spyer…``/``Device`` start with ``Local/``), ``OriginateResponse``, and the spied channel's
``Hangup`` (its position relative to the tap's events matters to the gap detection).
Normalised: ids (in order of first appearance), channel sequence numbers (``-0000003a``),
ActionID and Cdr times. ``VarSet`` is kept only for the variables trace 09's Originate set:
our action also passes ``SPY_OPTIONS`` and ``ASR_SERVICE`` (the lab's dialplan had them
hard-coded), which adds their VarSets and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from telephony.ami_codec import AmiMessage, iter_messages
from tests.conftest import shared_path

TRACE_09 = "09-asr-tap-chanspy-audiosocket"
TRACE_TARGET = "PJSIP/pstn-0000003a"
TRACE_UUID = "0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003"
TRACE_VARIABLES = {"SPY_TARGET", "ASR_UUID"}  # what trace 09's Originate set
_CHANNEL_KEYS = ("Channel", "DestChannel", "LocalOneChannel", "SpyerChannel", "Device")
_ID_SUFFIXES = ("Uniqueid", "Linkedid", "UniqueID")
_TIME_KEYS = {"StartTime", "AnswerTime", "EndTime", "Duration", "BillableSeconds"}
_CHANNEL_NO = re.compile(r"-[0-9a-f]{8}\b")

Shape = tuple[str, ...]


def trace_events(name: str = TRACE_09) -> list[AmiMessage]:
    data = shared_path("ami-traces", f"{name}.rx.raw").read_bytes()
    return [m for m in iter_messages(data) if isinstance(m, AmiMessage) and m.event]


def is_tap_event(m: AmiMessage, target: str) -> bool:
    if m.event == "OriginateResponse":
        return True
    if m.event == "Hangup" and m.get("Channel") == target:
        return True
    if not any((m.get(k) or "").startswith("Local/") for k in _CHANNEL_KEYS):
        return False
    return m.event != "VarSet" or m.get("Variable") in TRACE_VARIABLES


def normalise(messages: Iterable[AmiMessage]) -> list[Shape]:
    ids: dict[str, str] = {}
    out: list[Shape] = []
    for m in messages:
        row = []
        for key, value in m.headers:
            if key.endswith(_ID_SUFFIXES):
                value = ids.setdefault(value, f"<id {len(ids)}>")
            elif key in _TIME_KEYS:
                value = "<time>"
            elif key == "ActionID":
                value = "<action>"
            else:
                value = _CHANNEL_NO.sub("-<n>", value)
            row.append(f"{key}: {value}")
        out.append(tuple(row))
    return out


def tap_shapes(messages: Iterable[AmiMessage], target: str) -> list[Shape]:
    return normalise(m for m in messages if is_tap_event(m, target))


def trace_09_tap_shapes() -> list[Shape]:
    return tap_shapes(trace_events(), TRACE_TARGET)


def names(shapes: list[Shape]) -> list[str]:
    return [s[0].removeprefix("Event: ") for s in shapes]
