"""Chinese numerals: digit tables, cardinal parsing and numeral-run scanning (stdlib only).

Shared by :mod:`core.itn` (rewriting whole texts) and extractors that need the value of a
single spoken number.
"""

from __future__ import annotations

from dataclasses import dataclass

# Digit values. 幺 (yāo) and 洞 (dòng) are the telephone/radio readings of 1 and 0;
# 两 is "two" before measure words and in spoken digit strings.
DIGIT_VALUES: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "洞": 0,
    "一": 1,
    "幺": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
for _d in range(10):
    DIGIT_VALUES[str(_d)] = _d
    DIGIT_VALUES[chr(0xFF10 + _d)] = _d  # full-width ０-９

SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
ZEROS = frozenset("零〇○洞0０")
NUMERAL_CHARS = frozenset(DIGIT_VALUES) | frozenset(SMALL_UNITS) | frozenset(BIG_UNITS)
ASCII_DIGITS = frozenset("0123456789")
SPACES = frozenset(" \t\u3000")


def spoken_digits(run: str) -> str | None:
    """ "一三八零" → "1380"; None when ``run`` holds anything but digit characters/spaces."""
    out = []
    for ch in run:
        if ch in SPACES:
            continue
        value = DIGIT_VALUES.get(ch)
        if value is None:
            return None
        out.append(str(value))
    return "".join(out) or None


def parse_cardinal(run: str) -> int | None:
    """Value of a Chinese cardinal ("二十六" 26, "一百零五" 105, "两千三" 2300, "三万五" 35000).

    Returns None for anything that is not a well-formed cardinal ("五零", "万一", "三四十").
    A digit string without units is handled by :func:`spoken_digits`, not here, except a
    single digit.
    """
    chars = [ch for ch in run if ch not in SPACES]
    if not chars:
        return None
    total = 0  # completed 万/亿 groups
    section = 0  # value below the current big unit
    digit: int | None = None
    last_small: int | None = None
    last_big: int | None = None
    zero_since_unit = False
    for index, ch in enumerate(chars):
        if ch in ZEROS:
            if digit is not None or (index == 0 and len(chars) > 1):
                return None
            zero_since_unit = True
        elif ch in DIGIT_VALUES:
            if digit is not None:
                return None
            digit = DIGIT_VALUES[ch]
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if digit is None:
                if unit == 10 and (index == 0 or zero_since_unit):
                    digit = 1  # "十五", "一百零十" is odd but "零十" reads as 10
                else:
                    return None
            if last_small is not None and unit >= last_small:
                return None
            section += digit * unit
            digit, last_small, zero_since_unit = None, unit, False
        else:
            unit = BIG_UNITS[ch]
            if digit is not None:
                section += digit
                digit = None
            if section == 0 and total == 0:
                return None
            if last_big is not None and unit > last_big:
                total = (total + section) * unit  # "一万亿" style
            else:
                if last_big is not None and unit == last_big:
                    return None
                total += section * unit
            section, last_small, last_big, zero_since_unit = 0, None, unit, False
    if digit is not None:
        if zero_since_unit:
            section += digit
        elif last_small is not None:
            section += digit * (last_small // 10)  # "一百五" = 150, "两千三" = 2300
        elif last_big is not None:
            section += digit * (last_big // 10)  # "三万五" = 35000
        else:
            section += digit
    return total + section


@dataclass(frozen=True, slots=True)
class NumeralRun:
    start: int
    end: int  # exclusive, in raw text
    chars: str  # numeral characters without spaces
    has_unit: bool = False  # contains 十/百/千/万/亿 (a cardinal, not a digit string)

    @property
    def has_inner_unit(self) -> bool:
        """A unit anywhere but in the last position ("五十万" yes, "五万" no)."""
        return any(ch in SMALL_UNITS or ch in BIG_UNITS for ch in self.chars[:-1])

    @property
    def all_ascii(self) -> bool:
        return all(ch in ASCII_DIGITS for ch in self.chars)

    def value(self) -> int | None:
        if self.has_unit:
            return parse_cardinal(self.chars)
        digits = spoken_digits(self.chars)
        return int(digits) if digits is not None else None

    def text(self) -> str | None:
        """Normalised digits: a digit string keeps leading zeros, a cardinal does not."""
        if self.has_unit:
            value = parse_cardinal(self.chars)
            return None if value is None else str(value)
        return spoken_digits(self.chars)


_UNIT_CHARS = frozenset(SMALL_UNITS) | frozenset(BIG_UNITS)


def run_at(text: str, i: int) -> NumeralRun | None:
    if i >= len(text) or text[i] not in NUMERAL_CHARS:
        return None
    j = i
    chars: list[str] = []
    while j < len(text):
        ch = text[j]
        if ch in NUMERAL_CHARS:
            chars.append(ch)
            j += 1
            continue
        # A space belongs to the number only when another numeral follows it.
        k = j
        while k < len(text) and text[k] in SPACES:
            k += 1
        if k > j and k < len(text) and text[k] in NUMERAL_CHARS:
            j = k
            continue
        break
    joined = "".join(chars)
    return NumeralRun(i, j, joined, any(ch in _UNIT_CHARS for ch in joined))


def skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in SPACES:
        i += 1
    return i


def word_at(text: str, i: int, words: tuple[str, ...]) -> str | None:
    i = skip_spaces(text, i)
    for word in words:
        if text.startswith(word, i):
            return word
    return None


def expect(text: str, i: int, words: tuple[str, ...]) -> tuple[str, int] | None:
    """The first of ``words`` at ``i`` (after spaces) and the index after it."""
    j = skip_spaces(text, i)
    for word in words:
        if text.startswith(word, j):
            return word, j + len(word)
    return None


def run_after(text: str, i: int) -> NumeralRun | None:
    return run_at(text, skip_spaces(text, i))
