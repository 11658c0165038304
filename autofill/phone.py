"""Phone numbers and ID-card numbers in ITN-normalised text.

Callers read numbers in groups ("138，0013，8000" / "零二九 八八六六 五五四四"), repeat them, and
correct themselves ("不对，是一三九…"). Groups separated by a pause mark are therefore joined
into chains, and a chain is cut into phone-sized pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from autofill.model import Candidate

_GROUP = re.compile(r"\d+")
_JOINER = re.compile(r"^(?:[\s,，、.\-－—~～…⋯]|杠|嗯|呃|啊|额){0,4}$")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8}")
_LOCAL = re.compile(r"[2-9]\d{7}")
_ID_TAIL = re.compile(r"[\s,，]?(叉|艾克斯|[Xx])")
_PHONE_CONTEXT = ("电话", "手机", "号码", "联系方式", "打这个", "回电", "联系我", "座机", "号是")
_OTHER_PEOPLE = (
    "老伴",
    "爱人",
    "儿子",
    "女儿",
    "家属",
    "他的",
    "她的",
    "他电话",
    "她电话",
    "物业",
    "房东",
    "对方",
    "邻居",
    "老板",
    "商家",
    "中介",
    "师傅的",
)
CORRECTION_CUES: Final = ("不对", "不是", "错了", "说错", "应该是", "改成", "重新说", "更正")
SERVICE_NUMBERS: Final = frozenset({"110", "119", "120", "122", "12345", "12315", "95598"})
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"


@dataclass(frozen=True, slots=True)
class DigitChain:
    """Digit groups that belong together; ``positions[k]`` is where digit ``k`` sits."""

    digits: str
    positions: tuple[int, ...]
    end: int  # one past the last character of the chain in the text
    group_starts: frozenset[int]  # digit indices where a spoken group begins

    def span(self, lo: int, hi: int) -> tuple[int, int]:
        end = self.positions[hi - 1] + 1 if hi < len(self.positions) else self.end
        return self.positions[lo], end


def digit_chains(text: str) -> list[DigitChain]:
    chains: list[DigitChain] = []
    digits: list[str] = []
    positions: list[int] = []
    starts: set[int] = set()
    last_end = -1

    def close() -> None:
        chains.append(DigitChain("".join(digits), tuple(positions), last_end, frozenset(starts)))

    for match in _GROUP.finditer(text):
        if digits and not _JOINER.match(text[last_end : match.start()]):
            close()
            digits, positions, starts = [], [], set()
        starts.add(len(digits))
        digits.extend(match.group())
        positions.extend(range(match.start(), match.end()))
        last_end = match.end()
    if digits:
        close()
    return chains


def id_checksum_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _context_bonus(text: str, start: int) -> tuple[float, bool]:
    before = text[max(0, start - 10) : start]
    bonus = 0.03 if any(word in before for word in _PHONE_CONTEXT) else 0.0
    if any(word in before for word in _OTHER_PEOPLE):
        bonus -= 0.4  # "物业的电话是…", "我儿子的手机…": a number, but not the caller's
    corrected = any(word in before for word in CORRECTION_CUES)
    return bonus, corrected


def _phone_at(digits: str, area_code: str) -> tuple[int, str, float, str] | None:
    """The phone that starts ``digits``: (length, value, confidence, kind)."""
    if _MOBILE.match(digits):
        return 11, digits[:11], 0.95, "mobile"
    landline = _LANDLINE.match(digits)
    if landline:
        size = len(landline.group())
        # An area code with a 7-digit number can be the prefix of an 8-digit one.
        if size == 11 and len(digits) >= 12 and not digits.startswith(("010", "02")):
            size = 12
        return size, digits[:size], 0.9, "landline"
    if _LOCAL.match(digits):
        return 8, area_code + digits[:8], 0.7, "local"
    return None


def extract_phones(text: str, *, area_code: str = "029") -> list[Candidate]:
    """Every phone number in ``text``, in order (the session keeps the latest)."""
    found: list[Candidate] = []
    for chain in digit_chains(text):
        digits = chain.digits
        if digits in SERVICE_NUMBERS or len(digits) in (15, 17, 18):
            continue  # a service number or an ID number, not the caller's phone
        boundaries = chain.group_starts | {len(digits)}
        k = 0
        while k < len(digits):
            hit = _phone_at(digits[k:], area_code)
            if hit is None:
                k = min((b for b in boundaries if b > k), default=len(digits))
                continue
            size, value, confidence, kind = hit
            following = _phone_at(digits[k + size :], area_code)
            aligned = k + size in boundaries or (following is not None and following[3] != "local")
            if kind == "local" and not aligned:
                k = min((b for b in boundaries if b > k), default=len(digits))
                continue
            if not aligned:
                confidence -= 0.3  # runs into more digits: a misheard or partial number
            start, end = chain.span(k, k + size)
            bonus, corrected = _context_bonus(text, start)
            detail = {"kind": kind}
            if kind == "local":
                detail["area_code_implied"] = area_code
            if corrected:
                detail["correction"] = "true"
            if bonus < 0:
                detail["owner"] = "someone else"
            confidence = round(min(confidence + bonus, 0.99), 3)
            found.append(Candidate("phone", value, confidence, start, end, detail))
            k += size
    return found


def extract_id_numbers(text: str) -> list[Candidate]:
    """18-character resident ID numbers; a failed checksum is kept with low confidence."""
    found: list[Candidate] = []
    for chain in digit_chains(text):
        digits = chain.digits
        end = chain.end
        if len(digits) == 17:
            tail = _ID_TAIL.match(text, chain.end)
            if tail is None:
                continue
            digits += "X"
            end = tail.end()
        elif len(digits) != 18:
            continue
        ok = id_checksum_ok(digits)
        found.append(
            Candidate(
                "id_number",
                digits,
                0.95 if ok else 0.4,
                chain.positions[0],
                end,
                {"checksum": "ok" if ok else "failed"},
            )
        )
    return found
