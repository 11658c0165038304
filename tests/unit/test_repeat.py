from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import SHANGHAI
from core.repeat import (
    AppealRecord,
    DifflibMatcher,
    RepeatGroup,
    RepeatKind,
    find_repeats,
    normalise_address,
    normalise_text,
    similar,
    similarity,
)

NOW = datetime(2026, 3, 31, 12, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("陕西省西安市雁塔区小寨东路１号", "雁塔区小寨东路1号"),
        ("西安市 雁塔区，小寨东路1号 ", "雁塔区小寨东路1号"),
        ("雁塔区小寨东路1号", "雁塔区小寨东路1号"),
        ("内蒙古自治区呼和浩特市新城区", "新城区"),
    ],
)
def test_normalise_address(raw: str, normalised: str) -> None:
    assert normalise_address(raw) == normalised


def test_normalise_text_folds_width_case_and_punctuation() -> None:
    assert normalise_text("ＡＢＣ，路灯 不亮！") == "abc路灯不亮"


def rec(
    i: str,
    phone: str,
    text: str,
    *,
    days_ago: float = 1,
    address: str = "雁塔区小寨东路1号",
    category: str = "LIGHT",
) -> AppealRecord:
    return AppealRecord(i, phone, address, category, text, NOW - timedelta(days=days_ago))


MATCHES = [
    (
        "same text",
        rec("a", "1", "小寨东路1号门口路灯不亮"),
        rec("b", "2", "小寨东路1号门口路灯不亮"),
        True,
    ),
    (
        "reworded",
        rec("a", "1", "小寨东路1号门口路灯不亮已经两周"),
        rec("b", "2", "小寨东路一号门口的路灯还是不亮"),
        True,
    ),
    (
        "other category",
        rec("a", "1", "路灯不亮"),
        rec("b", "2", "路灯不亮", category="NOISE"),
        False,
    ),
    (
        "other address",
        rec("a", "1", "路灯不亮"),
        rec("b", "2", "路灯不亮", address="碑林区南大街100号"),
        False,
    ),
    (
        "other issue",
        rec("a", "1", "小区门口路灯不亮"),
        rec("b", "2", "楼上装修噪音扰民严重"),
        False,
    ),
    (
        "no category",
        rec("a", "1", "路灯不亮", category=""),
        rec("b", "2", "路灯不亮", category=""),
        False,
    ),
]


@pytest.mark.parametrize(
    ("a", "b", "same"), [pytest.param(a, b, s, id=n) for n, a, b, s in MATCHES]
)
def test_difflib_matcher(a: AppealRecord, b: AppealRecord, same: bool) -> None:
    matcher = DifflibMatcher()
    assert matcher.same_issue(a, b) is same
    assert matcher.same_issue(b, a) is same


def test_groups_same_caller_and_many_callers() -> None:
    records = [
        rec("o1", "138", "小寨东路1号门口路灯不亮", days_ago=20),
        rec("o2", "138", "小寨东路1号门口路灯还是不亮", days_ago=10),
        rec("o3", "138", "小寨东路1号门口路灯一直不亮", days_ago=2),
        rec("o4", "139", "小寨东路1号门口路灯不亮", days_ago=1),
        rec("o5", "137", "小寨东路1号门口路灯不亮了", days_ago=0.5),
        rec("old", "138", "小寨东路1号门口路灯不亮", days_ago=40),  # outside 30 days
        rec("x", "138", "楼上装修噪音扰民", days_ago=1, category="NOISE"),
    ]
    groups = find_repeats(records, NOW, DifflibMatcher())
    assert groups == [
        RepeatGroup(RepeatKind.SAME_CALLER, ("o1", "o2", "o3"), ("138",)),
        RepeatGroup(RepeatKind.MANY_CALLERS, ("o1", "o2", "o3", "o4", "o5"), ("137", "138", "139")),
    ]


def test_two_appeals_are_not_a_repeat() -> None:
    records = [rec("o1", "138", "路灯不亮"), rec("o2", "138", "路灯不亮")]
    assert find_repeats(records, NOW, DifflibMatcher()) == []


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="路灯不亮小寨东号1门口噪音", max_size=20),
    st.text(alphabet="路灯不亮小寨东号1门口噪音", max_size=20),
    st.sampled_from([0.3, 0.6, 0.8, 1.0]),
)
def test_prefilter_never_changes_the_answer(a: str, b: str, threshold: float) -> None:
    assert similar(a, b, threshold) == similar(a, b, threshold, prefilter=False)
    assert similar(a, b, threshold, prefilter=False) == (similarity(a, b) >= threshold)
