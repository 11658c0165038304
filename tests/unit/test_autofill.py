"""Auto-fill of whole calls: table tests on utterances written here, increments, agent locks."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autofill.model import FieldValue, LabelScore
from autofill.scan import ScanResult, TranscriptScanner
from autofill.session import AutofillSession
from core.clock import ManualClock
from core.divisions import Gazetteer
from core.errors import ValidationError
from tests.fixtures.phone_utterances import generate


@pytest.fixture(scope="module")
def scanner() -> TranscriptScanner:
    return TranscriptScanner(Gazetteer.for_city("西安市"))


def fill(scanner: TranscriptScanner, text: str, **kwargs: object) -> dict[str, FieldValue]:
    session = AutofillSession(scanner, **kwargs)  # type: ignore[arg-type]
    session.update(text)
    return session.fields


# (utterance, {field: expected value}); fields not listed are not checked.
CALL_ROWS: list[tuple[str, dict[str, str]]] = [
    # phones
    ("我的电话是一三八零零一三八零零零", {"phone": "13800138000"}),
    ("电话幺五九 洞洞幺二 三四五六", {"phone": "15900123456"}),
    ("座机零二九八八六六五五四四", {"phone": "02988665544"}),
    ("家里电话八八六六五五四四", {"phone": "02988665544"}),
    ("打一一九没人接", {}),
    # names
    ("喂你好，我姓张，弓长张", {"name": "张"}),
    ("我叫李建国，住在幸福小区", {"name": "李建国"}),
    ("我是王阿姨，楼下一直漏水", {"name": "王阿姨"}),
    ("免贵姓欧阳", {"name": "欧阳"}),
    ("刘女士您好，请讲", {"name": "刘女士"}),
    # addresses
    (
        "我住在西安市雁塔区小寨路街道幸福路二十六号阳光小区三号楼二单元五零二",
        {
            "province": "陕西省",
            "city": "西安市",
            "district": "雁塔区",
            "town": "小寨路街道",
            "road": "幸福路",
            "road_no": "26号",
            "poi": "阳光小区",
            "house_no": "3号楼2单元502",
        },
    ),
    ("长安区韦曲那边有人乱倒垃圾", {"district": "长安区", "town": "韦曲街道"}),
    ("我是灞桥区北张村的村民", {"district": "灞桥区", "community": "北张村"}),
    ("小寨这边路灯坏了", {"town": "小寨路街道", "district": "雁塔区", "city": "西安市"}),
    ("民乐社区门口的井盖丢了", {"community": "民乐社区居委会"}),
    ("户县这边的路修得太慢", {"district": "鄠邑区"}),
    ("就在科技二路和唐延路十字", {"road": "唐延路"}),
    # emergencies → a transfer prompt
    ("快来人，我们楼里着火了，冒烟了", {"urgency": "emergency"}),
    ("楼道里煤气泄漏，味道很大", {"urgency": "emergency"}),
    ("有人在小区门口持刀砍人", {"urgency": "emergency"}),
    ("我家老人晕倒了，叫不醒", {"urgency": "emergency"}),
    ("没有着火，就是想问问消防检查的事", {"urgency": "normal", "appeal_type": "咨询"}),
    # utilities → 24 h class
    ("从昨天晚上十点开始就停水了", {"urgency": "utility_24h", "appeal_type": "求助"}),
    ("我们小区停电三个小时了", {"urgency": "utility_24h"}),
    ("家里没暖气，室温太低了", {"urgency": "utility_24h"}),
    ("燃气停了两天了，没法做饭", {"urgency": "utility_24h"}),
    ("我想咨询一下燃气费怎么交", {"urgency": "normal", "appeal_type": "咨询"}),
    # enterprise appeals
    ("我们公司的营业执照办了一个月还没下来", {"enterprise": "true"}),
    ("我是个体户，想问一下减税政策", {"enterprise": "true", "appeal_type": "咨询"}),
    ("物业公司乱收费，我要投诉", {"appeal_type": "投诉"}),
    # appeal types
    ("我要举报有人私搭乱建", {"appeal_type": "举报"}),
    ("建议在路口增设一个红绿灯", {"appeal_type": "建议"}),
    ("我想表扬一下你们的热线工作人员，非常感谢", {"appeal_type": "表扬"}),
    ("楼上装修噪音太吵了，我要投诉", {"appeal_type": "投诉"}),
    # ID numbers: filled only when the checksum holds
    ("身份证号码是六一零一零三一九八五零六一五二零二三", {"id_number": "610103198506152023"}),
    # roads named with numerals, third parties, missing persons
    ("我们单位在凤城八路", {"road": "凤城八路"}),
    ("我想表扬一下雁塔区城管的刘师傅", {"appeal_type": "表扬", "district": "雁塔区"}),
    ("我家老人走失了，在郭杜街道附近走丢的", {"urgency": "emergency", "town": "郭杜街道"}),
    # someone else's number does not replace the caller's
    ("我电话一三八零零一三八零零零，物业的电话是八八六六五五四四", {"phone": "13800138000"}),
    ("我的手机幺三九幺二三四五六七八，我儿子的是一八六零零零零零零零零", {"phone": "13912345678"}),
    # corrections mid-call
    ("我电话是一三八零零一三八零零零，不对，是一三九零零一三八零零零", {"phone": "13900138000"}),
    ("我姓张，不对不对，我姓章，立早章", {"name": "章"}),
    ("我住在雁塔区，哦不是，是碑林区", {"district": "碑林区"}),
    ("幸福路二十六号，说错了，是二十八号", {"road_no": "26号"}),
]


@pytest.mark.parametrize(("utterance", "expected"), CALL_ROWS)
def test_call_table(scanner: TranscriptScanner, utterance: str, expected: dict[str, str]) -> None:
    fields = fill(scanner, utterance)
    assert {name: fields[name].value for name in expected if name in fields} == expected


@pytest.mark.parametrize(
    ("utterance", "absent"),
    [
        ("打一一九没人接", "phone"),
        ("我和先生一起去的", "name"),
        ("我是业主", "name"),
        ("你好", "appeal_type"),
        ("物业公司的人态度很差", "enterprise"),
        ("一路上都没有路灯", "road"),
        ("身份证号码是六一零一零三一九八五零六一五二零二八", "id_number"),  # bad checksum
        ("身份证号码是六一零一零三一九八五零六一五二零二八", "phone"),
        ("我想表扬一下雁塔区城管的刘师傅", "name"),  # someone else, not the caller
    ],
)
def test_nothing_invented(scanner: TranscriptScanner, utterance: str, absent: str) -> None:
    assert absent not in fill(scanner, utterance)


def test_emergency_names_the_hotline(scanner: TranscriptScanner) -> None:
    fields = fill(scanner, "快来人，我们楼里着火了")
    assert fields["urgency"].detail["transfer"] == "119"
    assert fields["urgency"].span is not None
    assert "紧急情况" in fields["summary"].value


@pytest.mark.parametrize(
    ("utterance", "title"),
    [
        ("我举报一下，碑林区南稍门附近有个黑诊所，无证行医", "碑林区黑诊所（举报）"),
        ("我们小区停电三个小时了，住在莲湖区桃园路街道", "莲湖区桃园路街道停电（求助）"),
        ("家里老人走失了，在长安区郭杜街道", "长安区郭杜街道老人走失（求助）"),
    ],
)
def test_titles(scanner: TranscriptScanner, utterance: str, title: str) -> None:
    assert fill(scanner, utterance)["title"].value == title


def test_utility_names_the_utility(scanner: TranscriptScanner) -> None:
    fields = fill(scanner, "暖气不热，家里没暖气")
    assert fields["urgency"].detail["utility"] == "heating"


def test_spans_point_at_the_words_said(scanner: TranscriptScanner) -> None:
    text = "你好，我电话是一三八零零一三八零零零，住在碑林区文艺路街道"
    fields = fill(scanner, text)
    for name, said in (("phone", "一三八零零一三八零零零"), ("district", "碑林区")):
        span = fields[name].span
        assert span is not None
        assert text[span[0] : span[1]] == said
    assert fields["town"].value == "文艺路街道"


def test_title_and_summary(scanner: TranscriptScanner) -> None:
    fields = fill(
        scanner,
        "喂你好，我姓张，我住在雁塔区幸福路二十六号阳光小区，从昨天晚上开始停水，"
        "打物业电话没人接，我要投诉。电话一三八零零一三八零零零。",
    )
    assert fields["title"].value == "雁塔区阳光小区停水（投诉）"
    summary = fields["summary"].value
    assert summary.startswith("张姓来电人反映：")
    assert "停水" in summary
    assert "13800138000" in summary
    assert "幸福路26号" in summary


def test_time_resolves_against_the_clock(scanner: TranscriptScanner) -> None:
    clock = ManualClock(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))  # 10:00 in Xi'an
    fields = fill(scanner, "昨天晚上十点开始停水", clock=clock)
    assert fields["time"].value == "昨天晚上10点开始"
    assert fields["time"].detail["resolved"] == "2026-11-20T22:00"


def test_phone_exact_match_on_generated_utterances(scanner: TranscriptScanner) -> None:
    items = generate(120, seed=7)
    wrong = [
        (text, number, fill(scanner, text).get("phone"))
        for text, number in items
        if (fill(scanner, text).get("phone") or FieldValue("phone", "", 0, None)).value != number
    ]
    assert wrong == []


# ---------------------------------------------------------------- incremental updates


CALL = (
    "喂，你好，是12345吗？我姓张，弓长张。我住在雁塔区小寨路街道幸福路二十六号阳光小区三号楼"
    "二单元五零二，从昨天晚上十点开始就停水了，到现在都没有来水，打物业电话也没人接，我要投诉"
    "物业。我电话是一三八零零一三八零零零，不对，是一三九零零一三八零零零。"
)


def _values(fields: dict[str, FieldValue]) -> dict[str, tuple[str, tuple[int, int] | None]]:
    return {name: (f.value, f.span) for name, f in fields.items()}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(CALL) - 1), max_size=12))
def test_feeding_in_pieces_equals_one_update(cuts: list[int]) -> None:
    scanner = _shared_scanner()
    whole = AutofillSession(scanner)
    whole.update(CALL)
    pieces = AutofillSession(scanner)
    bounds = [0, *sorted(set(cuts)), len(CALL)]
    for a, b in itertools.pairwise(bounds):
        pieces.feed(CALL[a:b])
    assert _values(pieces.fields) == _values(whole.fields)


_SCANNER: list[TranscriptScanner] = []


def _shared_scanner() -> TranscriptScanner:
    if not _SCANNER:
        _SCANNER.append(TranscriptScanner(Gazetteer.for_city("西安市")))
    return _SCANNER[0]


def test_feed_reports_only_changed_fields(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    first = session.feed("我电话是一三八零零一三八零零零，")
    assert first["phone"] is not None
    assert first["phone"].value == "13800138000"
    second = session.feed("谢谢你们。")
    assert "phone" not in second


def test_number_split_across_segments(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    assert "phone" not in session.feed("我电话是一三八零零")
    changes = session.feed("一三八零零零")
    assert changes["phone"] is not None
    assert changes["phone"].value == "13800138000"


class CountingScanner:
    """Implements the session's ``Scanner`` Protocol around a real scanner, recording how much
    text each scan was given."""

    def __init__(self) -> None:
        self.inner = TranscriptScanner(Gazetteer.for_city("西安市"))
        self.sizes: list[int] = []

    def scan(self, raw: str, *, offset: int = 0, ref_date: date | None = None) -> ScanResult:
        self.sizes.append(len(raw))
        return self.inner.scan(raw, offset=offset, ref_date=ref_date)


def test_only_new_text_is_rescanned() -> None:
    counting = CountingScanner()
    session = AutofillSession(counting, overlap=20)
    session.feed("你好" * 200)
    session.feed("我电话是一三八零零一三八零零零")
    assert counting.sizes[0] == 400
    assert counting.sizes[1] < 60
    assert session.fields["phone"].value == "13800138000"


def test_asr_revision_drops_evidence_from_the_revised_text(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    session.update("我住在碑林区，家里停水了")
    assert session.fields["urgency"].value == "utility_24h"
    changes = session.update("我住在碑林区，家里挺好的，想咨询一下")
    assert changes["urgency"] is not None
    assert changes["urgency"].value == "normal"
    assert session.fields["district"].value == "碑林区"
    assert session.fields["appeal_type"].value == "咨询"


# ---------------------------------------------------------------- agent locks


def test_locked_field_is_never_overwritten(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    session.feed("我电话是一三八零零一三八零零零")
    session.lock("phone", "13700000000")
    changes = session.feed("，不对，是一三九零零一三八零零零")
    assert "phone" not in changes
    assert session.fields["phone"].value == "13700000000"
    assert session.fields["phone"].source == "agent"
    session.update("完全不同的一段话，电话一八六零零零零零零零零")
    assert session.fields["phone"].value == "13700000000"


def test_lock_before_anything_is_said(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    session.lock("district", "莲湖区")
    session.feed("我住在雁塔区")
    assert session.fields["district"].value == "莲湖区"
    assert session.fields["city"].value == "西安市"  # other fields still fill


def test_unlock_returns_the_field_to_autofill(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    session.feed("我姓张")
    session.lock("name", "张三丰")
    changes = session.unlock("name")
    assert changes["name"] is not None
    assert changes["name"].value == "张"


def test_locked_values_appear_in_the_summary(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    session.lock("name", "赵女士")
    session.feed("家里停水了，电话一三八零零一三八零零零")
    assert session.fields["summary"].value.startswith("赵女士来电反映")


def test_lock_unknown_field_is_refused(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    with pytest.raises(ValidationError) as error:
        session.lock("colour", "red")
    assert error.value.code == "autofill.unknown_field"


# ---------------------------------------------------------------- category predictor


class FixedPredictor:
    """Implements autofill.model.CategoryPredictor with canned answers; counts calls."""

    def __init__(self, category: str, appeal: str, probability: float) -> None:
        self.category, self.appeal, self.probability = category, appeal, probability
        self.calls = 0

    def predict_category(self, text: str) -> Sequence[LabelScore]:
        self.calls += 1
        return [LabelScore(self.category, self.probability), LabelScore("其他", 0.05)]

    def predict_appeal_type(self, text: str) -> Sequence[LabelScore]:
        return [LabelScore(self.appeal, self.probability)]


def test_category_comes_from_the_predictor(scanner: TranscriptScanner) -> None:
    predictor = FixedPredictor("城乡建设", "求助", 0.8)
    fields = fill(scanner, "小区门口的路坏了好久了", predictor=predictor)
    assert fields["category"].value == "城乡建设"
    assert fields["category"].detail["alternatives"] == "其他:0.05"


@pytest.mark.parametrize(
    ("utterance", "probability", "expected"),
    [
        ("小区门口的路坏了好久了", 0.8, "建议"),  # no cue: the classifier decides
        ("小区门口的路坏了好久了", 0.4, "求助"),  # unsure classifier: the cue ("坏了") decides
        ("我要投诉，小区门口的路坏了", 0.95, "投诉"),  # an explicit statement beats it
    ],
)
def test_predictor_overrides_weak_cues_only(
    scanner: TranscriptScanner, utterance: str, probability: float, expected: str
) -> None:
    predictor = FixedPredictor("城乡建设", "建议", probability)
    assert fill(scanner, utterance, predictor=predictor)["appeal_type"].value == expected


def test_predictor_is_throttled(scanner: TranscriptScanner) -> None:
    predictor = FixedPredictor("城乡建设", "求助", 0.8)
    session = AutofillSession(scanner, predictor=predictor, category_every=40)
    for _ in range(10):
        session.feed("路灯坏了。")  # 5 characters each
    assert predictor.calls == 2  # at 5 and 45 characters
    session.refresh_category()
    assert predictor.calls == 3


# ---------------------------------------------------------------- ASR output (Vosk: spaced words)

VOSK_ROWS: list[tuple[str, dict[str, str]]] = [
    (
        "喂 你好 我 姓 张 我 住在 雁塔 区 小寨 路 街道 幸福 路 二十六 号 家里 停水 了",
        {"name": "张", "district": "雁塔区", "town": "小寨路街道", "road_no": "26号"},
    ),
    ("我的 电话 是 一 三 八 零 零 一 三 八 零 零 零", {"phone": "13800138000"}),
    ("楼 里 着火 了 快 来 人", {"urgency": "emergency"}),
    ("我 要 投诉 我们 公司 的 营业执照 办 不 下来", {"appeal_type": "投诉", "enterprise": "true"}),
]


@pytest.mark.parametrize(("utterance", "expected"), VOSK_ROWS)
def test_vosk_spaced_text(
    scanner: TranscriptScanner, utterance: str, expected: dict[str, str]
) -> None:
    fields = fill(scanner, utterance)
    assert {name: fields[name].value for name in expected if name in fields} == expected


def test_spans_in_spaced_text_cover_the_spoken_words(scanner: TranscriptScanner) -> None:
    text = "电话 是 一 三 八 零 零 一 三 八 零 零 零 住在 碑林 区"
    fields = fill(scanner, text)
    span = fields["phone"].span
    assert span is not None
    assert text[span[0] : span[1]] == "一 三 八 零 零 一 三 八 零 零 零"
    span = fields["district"].span
    assert span is not None
    assert text[span[0] : span[1]] == "碑林 区"


def test_nothing_new_changes_nothing(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    session.update("我住在碑林区，家里停水了")
    assert session.feed("") == {}
    assert session.update("我住在碑林区，家里停水了") == {}


def test_shortened_transcript_clears_what_was_taken_back(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    session.update("我住在碑林区，电话一三八零零一三八零零零")
    changes = session.update("我住在碑林区")
    assert changes["phone"] is None
    assert "phone" not in session.fields
    assert session.fields["district"].value == "碑林区"


def test_fields_as_json(scanner: TranscriptScanner) -> None:
    session = AutofillSession(scanner)
    session.update("我住在碑林区，家里停水了")
    session.lock("name", "赵女士")
    document = json.loads(json.dumps(session.as_json(), ensure_ascii=False))
    assert document["district"]["value"] == "碑林区"
    assert document["district"]["span"] == [3, 6]
    assert document["urgency"]["detail"] == {"utility": "water", "cue": "停水"}
    assert document["name"] == {
        "value": "赵女士",
        "confidence": 1.0,
        "span": None,
        "source": "agent",
        "detail": {},
    }
