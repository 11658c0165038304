"""Person and address mentions with jieba's part-of-speech tags (sentences written here).

Each table row was checked to come out differently from the finders of the main branch
before this change (no tags): names they missed or made up, places they missed, cut short or
took from an organisation's name.
"""

from __future__ import annotations

import jieba
import pytest

from autofill.address import AddressExtractor
from autofill.address_mentions import AddressMentionFinder
from autofill.person_mentions import find_person_mentions
from autofill.postag import PosTagger
from core.divisions import Gazetteer


@pytest.fixture(scope="module")
def tagger() -> PosTagger:
    return PosTagger()


@pytest.fixture(scope="module")
def addresses() -> AddressMentionFinder:
    return AddressMentionFinder(AddressExtractor(Gazetteer.for_city("西安市")))


NAME_ROWS: list[tuple[str, list[str]]] = [
    # call-like
    ("上周物业的刘德明来看过，说是管道老化", ["刘德明"]),
    ("我们小区的物业经理叫孙立军，电话一直打不通", ["孙立军"]),
    ("我邻居赵建华家的空调外机一直滴水", ["赵建华"]),
    # news-like
    ("这部电影由张一鸣执导，周雨晴、王可心主演", ["张一鸣", "周雨晴", "王可心"]),
    ("据英国媒体报道，曼联主帅滕哈格已经下课", ["滕哈格"]),
    (
        "主教练克洛普派出了莱万多夫斯基、罗伊斯和胡梅尔斯",
        ["克洛普", "莱万多夫斯基", "罗伊斯", "胡梅尔斯"],
    ),
    # no one is named
    ("林业局介绍，今年植树面积扩大了一倍", []),
    ("钱某表示自己并不知情", []),
    ("申办单位表示会尽快答复", []),
]


@pytest.mark.parametrize(("text", "names"), NAME_ROWS)
def test_person_mentions_with_tags(tagger: PosTagger, text: str, names: list[str]) -> None:
    spans = find_person_mentions(text, tagger.tag(text))
    assert [text[a:b] for a, b in spans] == names


ADDRESS_ROWS: list[tuple[str, list[str]]] = [
    # nested levels, labelled to the finest one
    (
        "总部设在广东省深圳市南山区粤海街道科技园北区",
        ["广东省深圳市南山区粤海街道科技园北区"],
    ),
    ("事发地位于四川省阿坝州汶川县映秀镇渔子溪村", ["四川省阿坝州汶川县映秀镇渔子溪村"]),
    ("美军在内华达州内利斯空军基地部署了新型战机", ["内华达州内利斯空军基地"]),
    # a place said as where something happens, or listed with one
    ("代表团一行昨天前往维也纳参加会议", ["维也纳"]),
    ("新华社华盛顿3月5日电，美国国会通过了法案", ["华盛顿"]),
    ("活动在成都、重庆和贵阳三地同时举行", ["成都", "重庆", "贵阳"]),
    # part of an organisation's name, a qualifier, or no place at all
    ("记者从陕西省工艺美术协会了解到，展览下月开幕", []),
    ("据悉，成都市武侯区人民法院已受理此案", []),
    ("据北京媒体报道", []),
    ("因为城市规划的问题一直没解决", []),
]


@pytest.mark.parametrize(("text", "mentions"), ADDRESS_ROWS)
def test_address_mentions_with_tags(
    tagger: PosTagger, addresses: AddressMentionFinder, text: str, mentions: list[str]
) -> None:
    spans = addresses.find(text, tagger.tag(text))
    assert [text[a:b] for a, b in spans] == mentions


def test_address_mentions_keep_a_road_listed_with_an_address(
    tagger: PosTagger, addresses: AddressMentionFinder
) -> None:
    # A guard, not new behaviour: the finder without tags found these two as well.
    text = "我家住在未央区凤城八路与文景路十字东南角的小区"
    spans = addresses.find(text, tagger.tag(text))
    assert [text[a:b] for a, b in spans] == ["未央区凤城八路", "文景路"]


def test_address_mentions_without_tags_merge_elements(addresses: AddressMentionFinder) -> None:
    text = "他说在北京市海淀区中关村大街工作"
    assert [text[a:b] for a, b in addresses.find(text)] == ["北京市海淀区中关村大街"]


def test_tagger_tiles_the_text_and_leaves_jieba_default_alone(tagger: PosTagger) -> None:
    text = "记者王海涛在上海报道，Alpha项目3月启动。"
    before = jieba.dt.initialized
    tokens = tagger.tag(text)
    assert "".join(t.word for t in tokens) == text
    assert all(text[t.start : t.end] == t.word for t in tokens)
    assert [t.start for t in tokens[1:]] == [t.end for t in tokens[:-1]]
    assert ("王海涛", "nr") in {(t.word, t.flag) for t in tokens}
    assert jieba.dt.initialized == before  # the private tokenizer, not jieba's global one
