"""Same-issue detection: pair rules as a table, the LSH index, clusters, the core Protocol."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from autofill.address import AddressExtractor
from autofill.same_issue import SameIssueIndex, normalise
from core.clock import SHANGHAI
from core.divisions import Gazetteer
from core.repeat import AppealRecord, RepeatKind, SameIssueMatcher, find_repeats

NOW = datetime(2026, 11, 20, 12, tzinfo=SHANGHAI)
LONG_A = (
    "雁塔区小寨路街道幸福路阳光小区从上周开始每天晚上十点以后楼下的烧烤店油烟特别大，"
    "窗户都不敢开，老人孩子被呛得咳嗽，找过物业也找过店主都没有用，希望有关部门尽快处理。"
)
LONG_A_REPOST = (
    "雁塔区小寨路街道幸福路阳光小区，从上周开始每天晚上10点以后楼下烧烤店的油烟特别大，"
    "窗户都不敢开，老人孩子都被呛得咳嗽，找过物业和店主都没用，希望有关部门尽快处理！"
)
LONG_B = (
    "碑林区文艺路街道南门外的人行道上有一个井盖丢了好几天了，晚上路灯又不亮，"
    "已经有老人在那里摔倒了，请相关部门赶紧补上井盖，修好路灯，避免再有人受伤。"
)


@pytest.fixture(scope="module")
def address() -> AddressExtractor:
    return AddressExtractor(Gazetteer.for_city("西安市"))


def rec(
    order_id: str,
    text: str,
    *,
    days_ago: float = 1,
    phone: str = "13800138000",
    address: str = "",
    category: str = "ENV",
) -> AppealRecord:
    return AppealRecord(order_id, phone, address, category, text, NOW - timedelta(days=days_ago))


PAIRS: list[tuple[str, AppealRecord, AppealRecord, bool]] = [
    ("repost of a long appeal", rec("a", LONG_A), rec("b", LONG_A_REPOST), True),
    ("different issue", rec("a", LONG_A), rec("b", LONG_B), False),
    (
        "spoken digits vs written",
        rec("a", "幸福路二十六号门口路灯不亮"),
        rec("b", "幸福路26号门口路灯不亮"),
        True,
    ),
    (
        "short, reworded",
        rec("a", "幸福路26号门口路灯不亮了"),
        rec("b", "幸福路26号门口的路灯不亮"),
        True,
    ),
    (
        "short, other place",
        rec("a", "幸福路26号门口路灯不亮"),
        rec("b", "建设路8号门口路灯不亮"),
        False,
    ),
    (
        "outside the time window",
        rec("a", LONG_A, days_ago=1),
        rec("b", LONG_A_REPOST, days_ago=45),
        False,
    ),
    (
        "same text, different districts",
        rec(
            "a",
            "小区门口垃圾堆了一个星期没人清理，臭气熏天，苍蝇到处飞，居民出门都要绕着走",
            address="雁塔区",
        ),
        rec(
            "b",
            "小区门口垃圾堆了一个星期没人清理，臭气熏天，苍蝇到处飞，居民出门都要绕着走",
            address="碑林区",
        ),
        False,
    ),
    (
        "same text, different streets of one district",
        rec("a", LONG_B, address="碑林区文艺路街道"),
        rec("b", LONG_B, address="碑林区太乙路街道"),
        False,
    ),
    (
        "one without a place",
        rec("a", LONG_B, address="碑林区文艺路街道"),
        rec("b", LONG_B),
        True,
    ),
]


@pytest.mark.parametrize(("case", "a", "b", "same"), PAIRS, ids=[p[0] for p in PAIRS])
def test_same_issue_pairs(
    address: AddressExtractor, case: str, a: AppealRecord, b: AppealRecord, same: bool
) -> None:
    index = SameIssueIndex(address=address)
    assert index.same_issue(a, b) is same
    assert index.same_issue(b, a) is same


def test_normalise_folds_digits_punctuation_and_fillers() -> None:
    assert normalise("喂，你好，幸福路二十六号 路灯不亮！") == "幸福路26号路灯不亮"


def test_index_finds_earlier_appeals(address: AddressExtractor) -> None:
    index = SameIssueIndex(address=address)
    assert index.add(rec("1", LONG_A, days_ago=5)) == []
    assert index.add(rec("2", LONG_B, days_ago=4)) == []
    matches = index.add(rec("3", LONG_A_REPOST, days_ago=1))
    assert [m.order_id for m in matches] == ["1"]
    assert 0.5 <= matches[0].score <= 1.0
    assert len(index) == 3


def test_clusters_for_supervisors(address: AddressExtractor) -> None:
    index = SameIssueIndex(address=address)
    index.add_all(
        [
            rec("1", LONG_A, days_ago=5, phone="13800000001"),
            rec("2", LONG_A_REPOST, days_ago=3, phone="13800000002"),
            rec("3", LONG_A, days_ago=1, phone="13800000003"),
            rec("4", LONG_B, days_ago=2),
        ]
    )
    (cluster,) = index.clusters()
    assert cluster.order_ids == ("1", "2", "3")
    assert cluster.phones == ("13800000001", "13800000002", "13800000003")
    assert (cluster.district, cluster.town) == ("雁塔区", "小寨路街道")
    assert cluster.first_at == NOW - timedelta(days=5)
    assert cluster.sample.startswith("雁塔区小寨路街道")
    assert len(index.clusters(min_size=1)) == 2


def test_removing_an_appeal_splits_its_cluster(address: AddressExtractor) -> None:
    index = SameIssueIndex(address=address)
    short = "幸福路26号门口路灯不亮"
    index.add_all([rec("1", short), rec("2", short + "了"), rec("3", LONG_B)])
    assert [c.order_ids for c in index.clusters()] == [("1", "2")]
    index.remove("2")
    assert index.clusters() == []


def test_implements_the_core_protocol_for_repeat_rules(address: AddressExtractor) -> None:
    matcher: SameIssueMatcher = SameIssueIndex(address=address)
    records = [
        rec("1", LONG_A, days_ago=20, phone="13800000001"),
        rec("2", LONG_A_REPOST, days_ago=10, phone="13800000002"),
        rec("3", LONG_A, days_ago=2, phone="13800000003"),
        rec("4", LONG_B, days_ago=2, phone="13800000004"),
    ]
    groups = find_repeats(records, NOW, matcher)
    assert [(g.kind, g.order_ids) for g in groups] == [(RepeatKind.MANY_CALLERS, ("1", "2", "3"))]
