"""Table tests of the single extractors (on ITN-normalised text, as the scanner runs them)."""

from __future__ import annotations

from datetime import date

import pytest

from autofill.address import AddressExtractor
from autofill.cues import find_cues
from autofill.person import extract_names
from autofill.person_mentions import find_person_mentions
from autofill.phone import extract_id_numbers, extract_phones, id_checksum_ok
from autofill.textnorm import compact_spaces
from autofill.timeexpr import extract_times
from core.divisions import Gazetteer
from core.itn import normalize


@pytest.fixture(scope="module")
def address() -> AddressExtractor:
    return AddressExtractor(Gazetteer.for_city("西安市"))


def _norm(text: str) -> str:
    return normalize(text).text


PHONE_ROWS: list[tuple[str, list[str]]] = [
    ("电话13800138000", ["13800138000"]),
    ("138 0013 8000", ["13800138000"]),
    ("138-0013-8000", ["13800138000"]),
    ("幺三八，零零幺三，八零零零", ["13800138000"]),
    ("一三八零零一三八零零零一三八零零一三八零零零", ["13800138000", "13800138000"]),
    ("029-88665544转123", ["02988665544"]),
    ("零幺零六二五五八八九九九", ["01062558899"]),
    ("八八六六五五四四", ["02988665544"]),
    ("住26，电话13912345678", ["13912345678"]),
    ("拨打110", []),
    ("12345热线", []),
    ("身份证610113199003071234", []),
    ("编号123456", []),
]


@pytest.mark.parametrize(("text", "phones"), PHONE_ROWS)
def test_phones(text: str, phones: list[str]) -> None:
    assert [c.value for c in extract_phones(_norm(text))] == phones


def test_phone_after_a_correction_cue_is_marked() -> None:
    (first, second) = extract_phones(
        _norm("一三八零零一三八零零零，不对，是一三九零零一三八零零零")
    )
    assert "correction" not in first.detail
    assert second.detail["correction"] == "true"


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("11010519491231002X", True),
        ("110105194912310021", False),
        ("61011319900307123", False),
        ("abc", False),
    ],
)
def test_id_checksum(number: str, ok: bool) -> None:
    assert id_checksum_ok(number) is ok


def test_id_number_spoken_with_x() -> None:
    (found,) = extract_id_numbers(_norm("身份证号幺幺零幺零五幺九四九幺二三幺零零二叉"))
    assert found.value == "11010519491231002X"
    assert found.detail["checksum"] == "ok"
    assert found.confidence > 0.9


def test_id_number_with_bad_checksum_is_kept_doubtful() -> None:
    (found,) = extract_id_numbers("110105194912310021")
    assert found.detail["checksum"] == "failed"
    assert found.confidence < 0.5


NAME_ROWS: list[tuple[str, list[str]]] = [
    ("我姓张，弓长张", ["张"]),
    ("我叫李建国住在幸福小区", ["李建国"]),
    ("我的名字叫王小明", ["王小明"]),
    ("张先生您好", ["张先生"]),
    ("我是刘女士", ["刘女士"]),
    ("我是王阿姨啊", ["王阿姨"]),
    ("免贵姓欧阳", ["欧阳"]),
    ("我姓耳东陈", ["陈"]),
    ("我和先生一起去的", []),
    ("我是业主", []),
    ("这位小姐", []),
]


@pytest.mark.parametrize(("text", "names"), NAME_ROWS)
def test_caller_names(text: str, names: list[str]) -> None:
    assert [c.value for c in extract_names(text)] == names


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("记者王海涛报道", ["王海涛"]),
        ("韩志远认为，银行应当谨慎", ["韩志远"]),
        ("我叫李建国", ["李建国"]),
        ("今天天气不错", []),
        ("会议开始后，张建军在会上发言", ["张建军"]),
        ("邵立群：这场比赛很关键", ["邵立群"]),
        ("王女士向记者反映", []),  # surname + honorific names nobody in particular
        ("应该说这是好事", []),
    ],
)
def test_person_mentions(text: str, mentions: list[str]) -> None:
    assert [text[a:b] for a, b in find_person_mentions(text)] == mentions


ADDRESS_ROWS: list[tuple[str, dict[str, str]]] = [
    (
        "浙江省杭州市余杭区闲林街道五常大道翡翠城",
        {
            "province": "浙江省",
            "city": "杭州市",
            "district": "余杭区",
            "town": "闲林街道",
            "road": "五常大道",
            "poi": "翡翠城",
        },
    ),
    ("龙山镇海丰北路602号", {"town": "龙山镇", "road": "海丰北路", "road_no": "602号"}),
    ("台州市椒江区中山西路3号", {"city": "台州市", "district": "椒江区", "road": "中山西路"}),
    ("台州市椒江景和名苑12栋7单元1816室", {"district": "椒江区", "house_no": "12栋7单元1816室"}),
    ("石家庄长安区", {"province": "河北省", "district": "长安区"}),
    ("我在长安区", {"city": "西安市", "district": "长安区"}),
    ("雁塔区电子城街道", {"district": "雁塔区", "town": "电子城街道"}),
    ("小寨路26号", {"road": "小寨路", "road_no": "26号", "town": "小寨路街道"}),
    ("浙江省江山市中山路1258号", {"road": "中山路", "road_no": "1258号"}),
    ("幸福小区3号楼2单元502", {"poi": "幸福小区", "house_no": "3号楼2单元502"}),
]


@pytest.mark.parametrize(("text", "expected"), ADDRESS_ROWS)
def test_address_elements(address: AddressExtractor, text: str, expected: dict[str, str]) -> None:
    best: dict[str, tuple[float, str]] = {}
    for c in address.extract(_norm(text)):
        if c.name not in best or c.confidence > best[c.name][0]:
            best[c.name] = (c.confidence, c.value)
    assert {k: best[k][1] for k in expected if k in best} == expected


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("五常大道", "district"),  # not 五常市
        ("蓝城区乔西村", "district"),  # 城区 without a parent is not 山西阳泉城区
        ("一路上都挺好", "road"),
        ("我们村里停电了", "community"),
        ("城乡建设很重要", "town"),
        ("凤凰路123号湖州", "town"),  # a Xi'an street name in another city's address
    ],
)
def test_address_non_elements(address: AddressExtractor, text: str, absent: str) -> None:
    assert absent not in {c.name for c in address.extract(_norm(text))}


def test_address_mentions_merge_adjacent_elements(address: AddressExtractor) -> None:
    text = "他说在北京市海淀区中关村大街工作，后来去了上海"
    spans = [text[a:b] for a, b in address.mentions(text)]
    assert spans[0] == "北京市海淀区中关村大街"


TIME_ROWS: list[tuple[str, list[tuple[str, str | None]]]] = [
    ("昨天晚上十点开始停水", [("昨天晚上10点开始", "2026-11-20T22:00")]),
    ("从上周开始一直有噪音", [("从上周开始", None)]),
    ("已经三天了还没修", [("3天了", None)]),
    ("二〇二六年十月一日那天", [("2026-10-01", "2026-10-01")]),
    ("上周三下午两点", [("上周三下午2点", "2026-11-11T14:00")]),
    ("今天早上八点半", [("今天早上8:30", "2026-11-21T08:30")]),
    ("住在5号楼", []),
]


@pytest.mark.parametrize(("text", "expected"), TIME_ROWS)
def test_time_expressions(text: str, expected: list[tuple[str, str | None]]) -> None:
    found = extract_times(_norm(text), ref_date=date(2026, 11, 21))
    assert [(c.value, c.detail.get("resolved")) for c in found] == expected


CUE_ROWS: list[tuple[str, str, set[str]]] = [
    ("楼里着火了", "emergency", {"119"}),
    ("煤气泄漏了", "emergency", {"119"}),
    ("有人打架，拿刀", "emergency", {"110"}),
    ("老人晕倒了", "emergency", {"120"}),
    ("路口发生车祸", "emergency", {"122"}),
    ("没有着火", "emergency", set()),
    ("不是打架", "emergency", set()),
    ("停水停电", "utility", {"water", "power"}),
    ("暖气不热", "utility", {"heating"}),
    ("我们公司营业执照", "enterprise", {"涉企"}),
    ("物业公司", "enterprise", set()),
]


@pytest.mark.parametrize(("text", "kind", "labels"), CUE_ROWS)
def test_cues(text: str, kind: str, labels: set[str]) -> None:
    assert {c.label for c in find_cues(text) if c.kind == kind} == labels


@pytest.mark.parametrize(
    ("raw", "compact"),
    [
        ("雁塔 区 小寨 路", "雁塔区小寨路"),
        ("电话 138 0013 8000", "电话138 0013 8000"),
        ("Wi Fi 没 信号", "Wi Fi没信号"),
        ("  前后  空格 ", "前后空格"),
        ("", ""),
    ],
)
def test_compact_spaces(raw: str, compact: str) -> None:
    text, positions = compact_spaces(raw)
    assert text == compact
    assert [raw[p] for p in positions] == list(text)
