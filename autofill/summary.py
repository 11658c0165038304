"""A one-line title and a short extractive summary of the call for the work-order form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from autofill.model import Cue, FieldValue
from autofill.textnorm import compact_spaces
from core.itn import normalize

TITLE_MAX = 30
SUMMARY_MAX = 200
_SENTENCE_END = re.compile(r"[，,。！？!?；;\n]")
_SMALL_TALK = re.compile(
    r"^(?:喂|你好|您好|是12345吗|请问是12345|好的|嗯|谢谢|再见|没有了|对|是的|行)+[，,。\s]*$"
)
_PLACE_ORDER = ("poi", "community", "road", "town", "district")


def place(fields: Mapping[str, FieldValue]) -> str:
    """Most telling place words: district + the most specific element below it."""
    district = fields.get("district")
    parts = [district.value] if district else []
    for name in _PLACE_ORDER[:-1]:
        field = fields.get(name)
        if field is not None:
            value = field.value
            if name == "road" and "road_no" in fields:
                value += fields["road_no"].value
            parts.append(value)
            break
    return "".join(dict.fromkeys(parts))


def address_line(fields: Mapping[str, FieldValue]) -> str:
    order = ("district", "town", "community", "road", "road_no", "poi", "house_no")
    return "".join(dict.fromkeys(fields[n].value for n in order if n in fields))


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(0, start - 60)
    previous = [m.end() for m in _SENTENCE_END.finditer(text, left, start)]
    begin = previous[-1] if previous else left
    following = _SENTENCE_END.search(text, end, min(len(text), end + 60))
    finish = following.start() if following else min(len(text), end + 60)
    return begin, finish


def issue_sentences(text: str, cues: Iterable[Cue], limit: int = 3) -> list[str]:
    """The sentences holding the first problem cues, in call order, without small talk."""
    spans: list[tuple[int, int]] = []
    for cue in sorted(cues, key=lambda c: c.start):
        if cue.kind not in ("topic", "emergency", "utility", "appeal_type"):
            continue
        span = _sentence_around(text, cue.start, cue.end)
        if any(a <= span[0] < b for a, b in spans):
            continue
        spans.append(span)
        if len(spans) == limit:
            break
    sentences = []
    for a, b in sorted(spans):
        sentence = normalize(compact_spaces(text[a:b])[0]).text.strip(" ，,。")
        if sentence and not _SMALL_TALK.match(sentence):
            sentences.append(sentence)
    return sentences


_BARE_APPEAL = re.compile(r"^(?:我|我们)?(?:要|想)?(?:投诉|举报|咨询|求助|建议|表扬)(?:一下)?$")


def title(fields: Mapping[str, FieldValue], topic: str | None, sentences: list[str]) -> str:
    # "我举报一下" says what kind of appeal it is, not what it is about.
    telling = [s for s in sentences if not _BARE_APPEAL.match(s)]
    subject = topic or (telling[0][:16] if telling else "")
    if not subject:
        return ""
    text = f"{place(fields)}{subject}"
    appeal = fields.get("appeal_type")
    if appeal is not None:
        text += f"（{appeal.value}）"
    return text[:TITLE_MAX]


def summary(fields: Mapping[str, FieldValue], sentences: list[str]) -> str:
    if not sentences:
        return ""
    caller = "来电人"
    if "name" in fields:
        name = fields["name"]
        bare_surname = name.value == name.detail.get("surname") and name.source == "auto"
        caller = f"{name.value}姓来电人" if bare_surname else f"{name.value}来电"
    parts = [f"{caller}反映：{'，'.join(sentences)}。"]
    address = address_line(fields)
    if address:
        parts.append(f"地址：{address}。")
    if "phone" in fields:
        parts.append(f"联系电话：{fields['phone'].value}。")
    urgency = fields.get("urgency")
    if urgency is not None and urgency.value == "emergency":
        parts.append(f"紧急情况，已提示转{urgency.detail.get('transfer', '110')}。")
    text = "".join(parts)
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"
