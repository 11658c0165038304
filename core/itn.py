"""Chinese inverse text normalisation (ITN) of numbers — standard library only.

ASR output spells numbers out ("一三八零零一三八零零零", "二十六号楼", "晚上十点半"). Downstream
extractors (phone, house number, date, amount) want digits, and the agent UI must still be able
to highlight the words the caller actually said. :func:`normalize` therefore returns the
normalised text *and* the mapping of every rewritten piece back to the raw text.

Rules are deliberately conservative: a lone "一" is only rewritten when a numeric suffix follows
("一号楼" → "1号楼", but "一直", "一下", "一路上" stay). Whitespace between numeral characters
(Vosk separates tokens with spaces) is part of a number and disappears from the output.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from core.itn_numbers import (
    BIG_UNITS,
    DIGIT_VALUES,
    NUMERAL_CHARS,
    ZEROS,
    NumeralRun,
    expect,
    parse_cardinal,
    run_after,
    run_at,
    skip_spaces,
    spoken_digits,
    word_at,
)

__all__ = ["ItnResult", "ItnSpan", "normalize", "parse_cardinal", "spoken_digits"]


def _longest_first(words: str) -> tuple[str, ...]:
    """Space-separated words, longest first (so "号楼" is tried before "号")."""
    return tuple(sorted(words.split(), key=len, reverse=True))


# Suffixes after which a bare numeral is surely a number (longest first when matching).
_NUMERIC_SUFFIXES = _longest_first(
    "号楼 号院 号线 号门 单元 个月 个小时 小时 分钟 公里 公斤 平方米 平米 平方 周岁 楼 号 栋 幢 "
    "座 室 层 户 门 期 区 排 组 弄 路车 路公交 年 月 日 天 周 岁 次 元 角 米 斤 吨 度 倍 台 辆 栋楼"
)
# Words starting with a numeral that are not numbers.
_LEXICAL = _longest_first(
    "一路 一次性 一块儿 一点儿 一点点 一门心思 一毛不拔 一口气 一家人 一年到头 三天两头 一天到晚 "
    "两口子 一口咬定 万一 千万 百万"
)
_IDIOM_RUNS = frozenset(_longest_first("三三两两 七七八八 一一 一五一十 九九 四四方方"))
_DECIMAL_UNITS = _longest_first(
    "万 亿 元 块 米 公里 公斤 斤 平 平米 平方 平方米 度 吨 倍 个百分点 % 升 毫米 厘米 千米 克 千克"
)
_TIME_OF_DAY = _longest_first(
    "凌晨 早上 早晨 清早 上午 中午 下午 傍晚 晚上 夜里 夜间 半夜 深夜 今晚 昨晚 明早 每天 当天"
)
_TIME_FOLLOW = _longest_first("钟 左右 多 以后 以前 之前 之后 到 至 开始 前 后")


@dataclass(frozen=True, slots=True)
class ItnSpan:
    """One rewritten piece: ``raw[raw_start:raw_end]`` became ``text[norm_start:norm_end]``."""

    kind: str  # digits | cardinal | decimal | date | year | time | amount | percent
    raw_start: int
    raw_end: int
    norm_start: int
    norm_end: int
    value: str


@dataclass(frozen=True, slots=True)
class ItnResult:
    raw: str
    text: str
    spans: tuple[ItnSpan, ...]

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` range of the normalised text to the raw text.

        A position inside a rewritten piece snaps outwards to that piece's raw bounds.
        """
        return self._map(start, is_end=False), self._map(end, is_end=True)

    def _map(self, pos: int, *, is_end: bool) -> int:
        i = bisect_right([s.norm_start for s in self.spans], pos) - 1
        if i < 0:
            return pos
        span = self.spans[i]
        if pos >= span.norm_end:
            return span.raw_end + (pos - span.norm_end)
        if pos == span.norm_start or not is_end:
            return span.raw_start
        return span.raw_end

    def to_norm(self, start: int, end: int) -> tuple[int, int]:
        """Map a raw ``[start, end)`` range to the normalised text (inverse of :meth:`to_raw`)."""

        def one(pos: int, is_end: bool) -> int:
            shift = 0
            for span in self.spans:
                if pos <= span.raw_start:
                    break
                if pos < span.raw_end:
                    return span.norm_end if is_end else span.norm_start
                shift = span.norm_end - span.raw_end
            return pos + shift

        return one(start, False), one(end, True)


# --------------------------------------------------------------------------- patterns

_Match = tuple[int, str, str]  # (raw end, kind, normalised text)


def _digit_string_year(run: NumeralRun) -> str | None:
    if not run.has_unit and len(run.chars) in (2, 4):
        return run.text()
    if run.has_unit:
        value = run.value()
        if value is not None and 1900 <= value <= 2100:
            return str(value)
    return None


def _month_day(text: str, i: int) -> tuple[int, int, int | None] | None:
    """ "十月一号" at ``i`` → (end, month, day or None)."""
    m_run = run_at(text, skip_spaces(text, i))
    if m_run is None:
        return None
    month = m_run.value()
    after_month = expect(text, m_run.end, ("月",))
    if month is None or not 1 <= month <= 12 or after_month is None:
        return None
    d_run = run_after(text, after_month[1])
    if d_run is not None:
        day = d_run.value()
        after_day = expect(text, d_run.end, ("日", "号"))
        if (
            day is not None
            and 1 <= day <= 31
            and after_day is not None
            and word_at(text, after_day[1], ("楼", "院", "线", "门")) is None
        ):
            return after_day[1], month, day
    return after_month[1], month, None


def _nearest_year(month: int, day: int, ref: date) -> date | None:
    candidates = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - ref).days)) if candidates else None


def _match_date(text: str, run: NumeralRun, ref_date: date | None) -> _Match | None:
    year = _digit_string_year(run)
    after_year = expect(text, run.end, ("年",)) if year is not None else None
    if year is not None and after_year is not None:
        md = _month_day(text, after_year[1])
        if md is None:
            return after_year[1], "year", f"{year}年"
        end, month, day = md
        if day is None:
            return end, "date", f"{year}年{month}月"
        if len(year) == 4:
            try:
                return end, "date", date(int(year), month, day).isoformat()
            except ValueError:
                return None
        return end, "date", f"{year}年{month}月{day}日"
    md = _month_day(text, run.start)
    if md is None:
        return None
    end, month, day = md
    if day is None:
        return end, "date", f"{month}月"
    if ref_date is not None:
        resolved = _nearest_year(month, day, ref_date)
        if resolved is not None:
            return end, "date", resolved.isoformat()
    try:
        date(2000, month, day)  # leap year: accepts 2月29日
    except ValueError:
        return None
    return end, "date", f"{month}月{day}日"


def _decimal_tail(text: str, i: int) -> tuple[int, str] | None:
    """ "点五" after an integer → (end, "5")."""
    dot = expect(text, i, ("点",))
    if dot is None:
        return None
    frac = run_after(text, dot[1])
    if frac is None:
        return None
    end = frac.end
    if frac.has_unit:
        # "三点五万": the fraction stops before a final 万/亿, which stays as a unit word.
        if frac.chars[-1] not in BIG_UNITS or frac.chars[:-1] == "" or frac.has_inner_unit:
            return None
        end = text.rindex(frac.chars[-1], frac.start, frac.end)
    digits = spoken_digits(text[frac.start : end])
    return (end, digits) if digits else None


def _match_decimal(text: str, run: NumeralRun) -> _Match | None:
    whole = run.text()
    tail = _decimal_tail(text, run.end)
    if whole is None or tail is None:
        return None
    end, frac = tail
    value = run.value() or 0
    if word_at(text, end, _DECIMAL_UNITS) is None and value <= 24:
        return None  # "三点五" without a unit is more likely a time than 3.5
    return end, "decimal", f"{whole}.{frac}"


def _match_amount(text: str, run: NumeralRun) -> _Match | None:
    whole = run.text()
    value = run.value()
    if whole is None or value is None:
        return None
    number, end = whole, run.end
    tail = _decimal_tail(text, run.end)
    if tail is not None:
        end, frac = tail
        number = f"{whole}.{frac}"
    unit = expect(text, end, ("块", "元", "圆", "毛", "角"))
    if unit is None:
        return None
    word, end = unit
    if word in ("毛", "角"):
        if tail is not None or value > 9:
            return None
        money = expect(text, end, ("钱",))
        return (money[1] if money else end), "amount", f"0.{value}元"
    fraction = ""
    small = run_after(text, end)
    if small is not None and not small.has_unit and len(small.chars) == 1 and tail is None:
        jiao = str(small.value())
        end = small.end
        after = expect(text, end, ("毛", "角"))
        if after is not None:
            end = after[1]
        fraction = f".{jiao}"
    money = expect(text, end, ("钱",))
    if money is not None:
        end = money[1]
    if word == "块" and not (
        fraction or money or tail or run.has_unit or len(run.chars) > 1 or value >= 10
    ):
        return None  # "三块砖": pieces, not money
    return end, "amount", f"{number}{fraction}元"


def _match_percent(text: str, i: int) -> _Match | None:
    run = run_after(text, i + len("百分之"))
    if run is None:
        return None
    whole = run.text()
    if whole is None:
        return None
    tail = _decimal_tail(text, run.end)
    if tail is not None:
        return tail[0], "percent", f"{whole}.{tail[1]}%"
    return run.end, "percent", f"{whole}%"


def _time_context(text: str, run: NumeralRun) -> bool:
    before = text[max(0, run.start - 5) : run.start]
    return any(word in before for word in _TIME_OF_DAY)


def _match_time(text: str, run: NumeralRun) -> _Match | None:
    hour = run.value()
    if hour is None or not 0 <= hour <= 24 or len(run.chars) > 3:
        return None
    mark = expect(text, run.end, ("点", "时"))
    if mark is None:
        return None
    word, end = mark
    half = expect(text, end, ("半", "一刻", "三刻"))
    if half is not None:
        quarter = {"半": 30, "一刻": 15, "三刻": 45}[half[0]]
        return half[1], "time", f"{hour}:{quarter:02d}"
    m_run = run_after(text, end)
    if m_run is not None:
        minute = m_run.value()
        fen = expect(text, m_run.end, ("分",))
        if minute is not None and minute < 60 and fen is not None:
            s_run = run_after(text, fen[1])
            if s_run is not None:
                second = s_run.value()
                miao = expect(text, s_run.end, ("秒",))
                if second is not None and second < 60 and miao is not None:
                    return miao[1], "time", f"{hour}:{minute:02d}:{second:02d}"
            return fen[1], "time", f"{hour}:{minute:02d}"
        spoken_two = len(m_run.chars) >= 2 or m_run.chars[:1] in ZEROS
        if minute is not None and minute < 60 and spoken_two:
            return m_run.end, "time", f"{hour}:{minute:02d}"
    if word == "时":
        return None
    plain = (
        len(run.chars) > 1
        or run.chars in ZEROS
        or run.has_unit
        or _time_context(text, run)
        or word_at(text, end, _TIME_FOLLOW) is not None
    )
    weak = not plain or (run.chars in ("一", "幺") and not _time_context(text, run))
    if weak and word_at(text, end, ("钟",)) is None:
        return None
    return end, "time", f"{hour}点"


def _match_generic(text: str, run: NumeralRun) -> _Match | None:
    chars = run.chars
    if chars in _IDIOM_RUNS:
        return None
    normalised = run.text()
    if normalised is None:
        return None
    has_suffix = word_at(text, run.end, _NUMERIC_SUFFIXES) is not None
    if run.has_unit:
        bare_unit = not any(ch in DIGIT_VALUES for ch in chars) and not chars.startswith("十")
        if (bare_unit or chars == "十") and not has_suffix:
            return None  # "十分", "百姓"-like words: a bare unit is rarely a number
        return run.end, "cardinal", normalised
    if len(chars) >= 3:
        return run.end, "digits", normalised
    if has_suffix or (len(chars) == 2 and any(ch in ZEROS or ch == "幺" for ch in chars)):
        return run.end, "digits" if len(chars) > 1 else "cardinal", normalised
    return None


def _lexical_at(text: str, i: int) -> str | None:
    for word in _LEXICAL:
        if text.startswith(word, i):
            return word
    return None


# First characters of everything that can follow a lone digit and make it a number.
_FOLLOWERS = frozenset(
    "年月日号点时块元圆毛角钟半刻分秒" + "".join(w[0] for w in _NUMERIC_SUFFIXES + _DECIMAL_UNITS)
)


def _inert(text: str, run: NumeralRun) -> bool:
    """A lone digit ("一个", "一下", "三天两头"…) not followed by a unit stays as it is."""
    if len(run.chars) != 1 or run.has_unit:
        return False
    j = skip_spaces(text, run.end)
    return j >= len(text) or text[j] not in _FOLLOWERS


_NEXT_NUMERAL = re.compile("百分之|[" + re.escape("".join(sorted(NUMERAL_CHARS))) + "]")


def normalize(text: str, *, ref_date: date | None = None) -> ItnResult:
    """Rewrite spoken Chinese numbers in ``text`` as digits; see the module docstring.

    ``ref_date`` (the call date) lets a month-day without a year ("十月一号") resolve to the
    nearest such date as ISO ``2026-10-01``; without it the result is ``10月1日``.
    """
    out: list[str] = []
    spans: list[ItnSpan] = []
    pos = 0  # length of the normalised text so far
    i = 0
    n = len(text)
    while i < n:
        # Copy everything up to the next numeral in one piece (most text has no numbers).
        found = _NEXT_NUMERAL.search(text, i)
        if found is None:
            out.append(text[i:])
            break
        if found.start() > i:
            out.append(text[i : found.start()])
            pos += found.start() - i
            i = found.start()
        match: _Match | None = None
        if text.startswith("百分之", i):
            match = _match_percent(text, i)
        run = None if match is not None else run_at(text, i)
        if match is None and run is None:
            out.append(text[i])
            pos += 1
            i += 1
            continue
        if run is not None and _inert(text, run):
            raw = text[run.start : run.end]
            out.append(raw)
            pos += len(raw)
            i = run.end
            continue
        if run is not None:
            lexical = _lexical_at(text, i)
            if lexical is not None:
                out.append(lexical)
                pos += len(lexical)
                i += len(lexical)
                continue
            match = (
                _match_date(text, run, ref_date)
                or _match_amount(text, run)
                or _match_decimal(text, run)
                or _match_time(text, run)
                or _match_generic(text, run)
            )
            if match is None:
                raw = text[run.start : run.end]
                out.append(raw)
                pos += len(raw)
                i = run.end
                continue
        assert match is not None
        end, kind, value = match
        out.append(value)
        if value != text[i:end]:
            spans.append(ItnSpan(kind, i, end, pos, pos + len(value), value))
        pos += len(value)
        i = end
    return ItnResult(raw=text, text="".join(out), spans=tuple(spans))
