"""Table tests of Chinese inverse text normalisation (core.itn)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.itn import normalize, parse_cardinal, spoken_digits

NORMALIZE_ROWS: list[tuple[str, str]] = [
    # spoken digit strings (phones, house numbers)
    ("一三八零零一三八零零零", "13800138000"),
    ("幺三八零零幺三八零零零", "13800138000"),
    ("幺三八 零零幺三 八零零零", "13800138000"),
    ("一 三 九 一 二 三 四 五 六 七 八", "13912345678"),
    ("我电话是幺五九洞洞幺二三四五六", "我电话是15900123456"),
    ("号码一八六两九三七洞四幺二", "号码18629370412"),
    ("座机零二九八八六六五五四四", "座机02988665544"),
    ("〇二九 八八六六 五五四四", "02988665544"),
    ("１３８００１３８０００", "13800138000"),
    ("13800138000", "13800138000"),
    ("1三8零零1三8零零零", "13800138000"),
    ("验证码五五零二", "验证码5502"),
    # cardinals
    ("二十六", "26"),
    ("十五", "15"),
    ("一百零五", "105"),
    ("两千三百", "2300"),
    ("两千三", "2300"),
    ("一百五", "150"),
    ("三万五", "35000"),
    ("一万零五百", "10500"),
    ("一千零五十", "1050"),
    ("十万", "100000"),
    ("三亿", "300000000"),
    ("一百二十三", "123"),
    ("九十九", "99"),
    # house / building numbers
    ("二十六号楼", "26号楼"),
    ("三单元五零二", "3单元502"),
    ("二十六号楼三单元五零二", "26号楼3单元502"),
    ("一号楼二单元", "1号楼2单元"),
    ("幸福路一百零八号", "幸福路108号"),
    ("十号院", "10号院"),
    ("三楼", "3楼"),
    ("第三单元", "第3单元"),
    ("七栋一零二室", "7栋102室"),
    ("地铁二号线", "地铁2号线"),
    ("凤城八路", "凤城八路"),  # a numeral in a road name is part of the name
    ("科技二路一百号", "科技二路100号"),
    ("坐五路车", "坐5路车"),
    ("两 单元 五 零 一", "2 单元 501"),
    ("五零二室", "502室"),
    # dates
    ("十月一号", "10月1日"),
    ("十月一日", "10月1日"),
    ("二〇二六年十月一日", "2026-10-01"),
    ("二零二六年十月一号", "2026-10-01"),
    ("两千零二十六年三月五号", "2026-03-05"),
    ("二〇二六年十月", "2026年10月"),
    ("二〇二五年", "2025年"),
    ("一九九八年", "1998年"),
    ("二六年", "26年"),
    ("零五年", "05年"),
    ("三月", "3月"),
    ("十二月三十一号", "12月31日"),
    ("二月三十号", "2月30号"),  # no such date: numbers only
    ("2026年10月1日", "2026-10-01"),
    ("十月一号楼", "10月1号楼"),
    # times
    ("晚上十点", "晚上10点"),
    ("昨天晚上十点", "昨天晚上10点"),
    ("十点半", "10:30"),
    ("下午三点十五分", "下午3:15"),
    ("三点一刻", "3:15"),
    ("三点三刻", "3:45"),
    ("十一点二十", "11:20"),
    ("十点零五", "10:05"),
    ("八点三十分二十秒", "8:30:20"),
    ("晚上十一点多", "晚上11点多"),
    ("凌晨两点", "凌晨2点"),
    ("凌晨一点", "凌晨1点"),
    ("一点钟", "1点钟"),
    ("零点", "0点"),
    ("十时三十分", "10:30"),
    ("两点左右", "2点左右"),
    # amounts
    ("三百五十块", "350元"),
    ("三百五十块钱", "350元"),
    ("三块五", "3.5元"),
    ("三块五毛钱", "3.5元"),
    ("五毛钱", "0.5元"),
    ("五十元", "50元"),
    ("两块钱", "2元"),
    ("两千块", "2000元"),
    ("一万五千元", "15000元"),
    ("三万块", "30000元"),
    ("十块", "10元"),
    ("三点五元", "3.5元"),
    ("罚了两百块", "罚了200元"),
    # decimals and percent
    ("三点五公斤", "3.5公斤"),
    ("三点五万", "3.5万"),
    ("二十五点五", "25.5"),
    ("百分之二十", "20%"),
    ("百分之三点五", "3.5%"),
    # quantities with suffixes
    ("三天", "3天"),
    ("两个月", "2个月"),
    ("五个小时", "5个小时"),
    ("七十岁", "70岁"),
    ("第二次", "第2次"),
    # words that must stay as they are
    ("我一直打不通", "我一直打不通"),
    ("一路上都停水", "一路上都停水"),
    ("一次性", "一次性"),
    ("他说十分生气", "他说十分生气"),
    ("有三点要求", "有三点要求"),
    ("万一出事", "万一出事"),
    ("千万别挂", "千万别挂"),
    ("两个人", "两个人"),
    ("三三两两", "三三两两"),
    ("一五一十地说", "一五一十地说"),
    ("等一下", "等一下"),
    ("老百姓", "老百姓"),
    ("十字路口", "十字路口"),
    ("统一回复", "统一回复"),
    ("一点儿用也没有", "一点儿用也没有"),
    ("三块砖", "三块砖"),
    ("一块儿去", "一块儿去"),
    ("周一下午", "周一下午"),
    ("四五个人", "四五个人"),
    ("三四十", "三四十"),
    ("一毛不拔", "一毛不拔"),
    ("没有一点作用", "没有一点作用"),
    ("", ""),
    ("没有数字的话", "没有数字的话"),
    # mixed sentences
    (
        "我叫张三电话一三九一二三四五六七八住在幸福路二十六号楼",
        "我叫张三电话13912345678住在幸福路26号楼",
    ),
    ("从十月一号开始每天晚上十点停水", "从10月1日开始每天晚上10点停水"),
    ("交了三百五十块钱到现在三天了", "交了350元到现在3天了"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZE_ROWS)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


REF_DATE_ROWS: list[tuple[str, date, str]] = [
    ("十月一号", date(2026, 9, 20), "2026-10-01"),
    ("十二月三十号", date(2027, 1, 3), "2026-12-30"),
    ("一月二号", date(2026, 12, 28), "2027-01-02"),
    ("二月二十九号", date(2028, 3, 1), "2028-02-29"),
    ("二〇二五年十月一日", date(2026, 9, 20), "2025-10-01"),
]


@pytest.mark.parametrize(("raw", "ref", "expected"), REF_DATE_ROWS)
def test_month_day_resolves_against_reference_date(raw: str, ref: date, expected: str) -> None:
    assert normalize(raw, ref_date=ref).text == expected


CARDINAL_ROWS: list[tuple[str, int | None]] = [
    ("零", 0),
    ("五", 5),
    ("十", 10),
    ("十一", 11),
    ("二十", 20),
    ("一百", 100),
    ("一百零一", 101),
    ("一千零一", 1001),
    ("两万", 20000),
    ("一亿零五", 100000005),
    ("三千万", 30000000),
    ("五零", None),
    ("万一", None),
    ("三四十", None),
    ("百", None),
    ("二十百", None),
    ("零五", None),
    ("一万万", None),
]


@pytest.mark.parametrize(("raw", "expected"), CARDINAL_ROWS)
def test_parse_cardinal(raw: str, expected: int | None) -> None:
    assert parse_cardinal(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("幺洞洞", "100"), ("两零", "20"), ("一 二", "12"), ("一十", None), ("", None)],
)
def test_spoken_digits(raw: str, expected: str | None) -> None:
    assert spoken_digits(raw) == expected


_DIGITS = "零一二三四五六七八九"


def _to_chinese(n: int) -> str:
    """Reference renderer for the property test (formal style, 零 for gaps)."""
    if n == 0:
        return "零"

    def below_10000(v: int) -> str:
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = v // unit % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[d] + name
        return out

    high, low = divmod(n, 10000)
    if not high:
        return below_10000(low)
    text = below_10000(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + below_10000(low)
    return text


@given(st.integers(min_value=0, max_value=99_999_999))
def test_parse_cardinal_round_trips_formal_numbers(n: int) -> None:
    assert parse_cardinal(_to_chinese(n)) == n


SPAN_ROWS: list[tuple[str, str, str]] = [
    # (raw text, normalised piece, the raw words it came from)
    ("我电话是一三八零零一三八零零零谢谢", "13800138000", "一三八零零一三八零零零"),
    ("住在二十六号楼三单元五零二", "502", "五零二"),
    ("住在二十六号楼三单元五零二", "26号楼", "二十六号楼"),
    ("昨天晚上十点半开始停水", "10:30", "十点半"),
    ("幺三八 零零幺三 八零零零好的", "13800138000", "幺三八 零零幺三 八零零零"),
    ("交了三百五十块钱", "交了", "交了"),
]


@pytest.mark.parametrize(("raw", "piece", "raw_piece"), SPAN_ROWS)
def test_spans_map_back_to_raw(raw: str, piece: str, raw_piece: str) -> None:
    result = normalize(raw)
    start = result.text.index(piece)
    raw_start, raw_end = result.to_raw(start, start + len(piece))
    assert raw[raw_start:raw_end] == raw_piece
    assert result.to_norm(raw_start, raw_end) == (start, start + len(piece))


def test_spans_record_kind_and_positions() -> None:
    result = normalize("电话一三八零零一三八零零零，十月一号晚上十点，三百五十块")
    assert [(s.kind, s.value) for s in result.spans] == [
        ("digits", "13800138000"),
        ("date", "10月1日"),
        ("time", "10点"),
        ("amount", "350元"),
    ]
    for span in result.spans:
        assert result.text[span.norm_start : span.norm_end] == span.value


def test_position_inside_a_rewritten_piece_snaps_to_its_bounds() -> None:
    result = normalize("号码一三八零零一三八零零零")
    # "380" is the middle of the normalised phone; its raw origin is the whole spoken run.
    assert result.to_raw(4, 7) == (2, 13)


def test_text_after_a_rewrite_keeps_its_offset() -> None:
    result = normalize("二十六号楼")
    assert result.text == "26号楼"
    assert result.to_raw(2, 5) == (3, 6)


_ALPHABET = "零〇洞一幺二两三四五六七八九十百千万亿点号楼单元室年月日块元毛半刻分秒钟个路的我是 ，。0123456789"  # noqa: E501


@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_normalize_never_loses_text(raw: str) -> None:
    result = normalize(raw)
    raw_pos = norm_pos = 0
    for span in result.spans:
        # Between rewritten pieces the text is copied unchanged …
        assert raw[raw_pos : span.raw_start] == result.text[norm_pos : span.norm_start]
        # … and every piece maps back to exactly the words it came from.
        assert result.text[span.norm_start : span.norm_end] == span.value
        assert result.to_raw(span.norm_start, span.norm_end) == (span.raw_start, span.raw_end)
        raw_pos, norm_pos = span.raw_end, span.norm_end
    assert raw[raw_pos:] == result.text[norm_pos:]
