"""Whole address mentions in general text, for NER scoring and batch extraction.

The auto-fill wants address *elements* (district, road, house number); NER wants the mention
as written, labelled to the finest level: "杭州市西湖区文三路90号东部软件园5层" is one
mention. How a mention is found, with jieba's tokens (:mod:`autofill.postag`):

1. seeds — the elements :class:`AddressExtractor` finds (cpca, gazetteer, patterns; their
   left edge moved past any word that cannot be part of a name: "但是|新城"), and the words
   jieba tags as places (``ns``: 纽约, 维也纳);
2. phrases — touching seeds join; a seed grows over the nouns after it up to the last one that
   ends like a place ("内华达州|内利斯|基地", "欧洲|南部"); and the noun phrase after
   在/位于/前往… is a place when it ends like one or is a single name ("在|喀山|会见",
   "在|市体育中心综合馆|举行");
3. decision — a phrase is kept when it is said as a location (after 在/位于/来自…, before
   报道/举行/附近…, in a dateline), or when two sources agree that it is a place (jieba's
   place tag and a division, road, village… of the extractor: "上海市", "北京", "芝加哥密歇根大道"),
   or when it is listed next to a kept one ("洛阳、开封、郑州"). A place jieba alone tags,
   said without any such sign, is left out: in news it is as often a team, a nationality or
   part of a name as a location.

A place that starts an organisation's name ("北京银行", "浙江信托") or qualifies another noun
("日本媒体", "维罗纳主场"), and anything inside 《…》, is not an address. Without tokens the
extractor's elements are merged where they touch (:meth:`AddressExtractor.mentions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from autofill import place_words as pw
from autofill.address import ORG_SUFFIXES, AddressExtractor
from autofill.postag import Token
from autofill.textnorm import inside_titles

# Tags of words that can be part of a place name (nouns, names, numbers, Latin words).
_NOMINAL: Final = frozenset(
    ("n", "ns", "nr", "nrt", "nrfg", "nz", "nt", "j", "s", "f", "m", "eng", "b", "ng", "an", "x")
)
# Tags (first letter) of words that end whatever came before a name: verbs, prepositions,
# conjunctions, pronouns, adverbs, particles ("但是|新城", "或者打车去|老街").
_BREAKING: Final = frozenset("vpcrduyeo")
_NAMED: Final = frozenset(("ns", "nr", "nrt", "nrfg", "nz"))
_JIEBA_PLACE: Final = "place"


@dataclass(frozen=True, slots=True)
class _Phrase:
    start: int
    end: int
    levels: frozenset[str]  # of the seeds inside: province … house_no, or "place" (jieba)
    located: bool  # said as where something is or happens


class AddressMentionFinder:
    """``find(text, tokens)``: spans ``(start, end)`` of whole address mentions."""

    def __init__(self, extractor: AddressExtractor) -> None:
        self.extractor = extractor

    def find(self, text: str, tokens: Sequence[Token] | None = None) -> list[tuple[int, int]]:
        if not tokens:
            return self.extractor.mentions(text)
        titled = inside_titles(text)
        ends_at = {t.end: k for k, t in enumerate(tokens)}
        found: list[tuple[int, int]] = []
        listed: list[tuple[int, int]] = []
        for phrase in self._phrases(text, tokens):
            span = (phrase.start, phrase.end)
            if titled[phrase.start] or not _place_name(text, tokens, ends_at, span):
                continue
            agreed = _JIEBA_PLACE in phrase.levels and len(phrase.levels) >= 2
            if phrase.located or agreed:
                found.append(span)
            elif phrase.levels:
                listed.append(span)
        grown = True
        while grown:  # a place listed next to a location is one too
            grown = False
            for span in list(listed):
                if any(_neighbours(text, span, other) for other in found):
                    found.append(span)
                    listed.remove(span)
                    grown = True
        return sorted(found)

    def _seeds(self, text: str, tokens: Sequence[Token]) -> list[tuple[int, int, str]]:
        """(start, end, level): the extractor's elements and jieba's places."""
        seeds = []
        for c in self.extractor.extract(text):
            if "derived_from" in c.detail:
                continue
            start = _trim(c.start, c.end, tokens)
            if start is not None:
                seeds.append((start, c.end, c.name))
        seeds.extend((t.start, t.end, _JIEBA_PLACE) for t in tokens if t.flag == "ns")
        return seeds

    def _phrases(self, text: str, tokens: Sequence[Token]) -> list[_Phrase]:
        next_token = {t.end: k + 1 for k, t in enumerate(tokens)}
        spans: list[tuple[int, int, set[str], bool]] = []  # start, end, levels, located
        for start, end, level in sorted(self._seeds(text, tokens), key=lambda s: (s[0], -s[1])):
            if end in next_token:
                end = _grow(tokens, next_token[end], end)
            if spans and start <= spans[-1][1]:
                first, last, levels, _ = spans[-1]
                levels.add(level)
                spans[-1] = (first, max(last, end), levels, False)
            else:
                spans.append((start, end, {level}, False))
        for k, token in enumerate(tokens[:-1]):
            if token.word in pw.BEFORE:
                end_ = _noun_phrase(tokens, k + 1)
                start = tokens[k + 1].start
                if end_ is not None and not any(a < end_ and start < b for a, b, *_ in spans):
                    spans.append((start, end_, set(), True))
        phrases = []
        for start, end, levels, located in spans:
            located = (
                located
                or text.endswith(pw.BEFORE, 0, start)
                or text.startswith(pw.AFTER, end)
                or pw.DATELINE.match(text, end) is not None
            )
            phrases.append(_Phrase(start, end, frozenset(levels), located))
        return sorted(phrases, key=lambda p: p.start)


def _place_name(
    text: str, tokens: Sequence[Token], ends_at: dict[int, int], span: tuple[int, int]
) -> bool:
    """Not a part of an organisation's name, a qualifier, a common noun or a person's name."""
    start, end = span
    surface = text[start:end]
    if len(surface) < 2 or surface in pw.NOT_PLACES or surface.endswith(pw.GENERIC):
        return False
    if surface.endswith(pw.ORG_ENDINGS) or _starts_organisation(text, tokens, ends_at, end):
        return False
    if text.startswith(pw.QUALIFIED, end):
        return False
    return not (start > 0 and text[start - 1] in "·•")  # "约翰·|纽约": a person's name


def _starts_organisation(
    text: str, tokens: Sequence[Token], ends_at: dict[int, int], end: int
) -> bool:
    """The place starts an organisation's name: "北京银行", "浙江信托", "山西焦煤集团"."""
    if text.startswith(ORG_SUFFIXES, end):
        return True
    k = ends_at.get(end)
    if k is None:
        return False
    for token in tokens[k + 1 : k + 5]:
        if token.flag not in _NOMINAL | {"l", "vn"} or token.flag in ("x", "m", "f"):
            return False
        if token.word.endswith(pw.ORG_HEADS):
            return True
        noun = not token.known or token.flag in ("n", "nt", "nz", "nr", "j")
        if token.word[-1] in pw.ORG_HEAD_CHARS and noun and token.word not in pw.NOT_ORGS:
            return True
    return False


def _neighbours(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    first, second = (a, b) if a[0] < b[0] else (b, a)
    return text[first[1] : second[0]] in pw.LIST_SEPARATORS


def _place_like(token: Token) -> bool:
    """Ends like a place ("广场", "北路", "内利斯堡"); a common word ending in such a
    character is not one ("报道", "渠道")."""
    word = token.word
    if word.endswith(pw.PLACE_WORDS):
        return True
    if token.known and len(word) > 1 and token.flag not in _NAMED | {"nt", "j"}:
        return False
    return word[-1] in pw.PLACE_ENDINGS


def _grow(tokens: Sequence[Token], k: int, end: int) -> int:
    """Extend a place over the nouns from token ``k`` on, to the last one ending like a place
    (numbers stop it: house numbers are the extractor's elements)."""
    best = end
    while k < len(tokens) and tokens[k].flag in _NOMINAL and tokens[k].flag not in ("x", "m"):
        if _place_like(tokens[k]):
            best = tokens[k].end
        k += 1
    return best


def _noun_phrase(tokens: Sequence[Token], k: int) -> int | None:
    """End of the place phrase starting at token ``k`` after a locative word, if any: nouns
    ending like a place with a name among them ("安联|球场"), or a single name ("索契")."""
    j = k
    while j < len(tokens) and tokens[j].flag in _NOMINAL and tokens[j].flag not in ("x", "m", "f"):
        j += 1
    if j == k:
        return None
    after = tokens[j].word if j < len(tokens) else ""
    if after in pw.ABSTRACT_AFTER or after in pw.PERSON_AFTER:
        return None
    if tokens[j - 1].word in pw.ABSTRACT_AFTER:
        return None
    phrase = tokens[k:j]
    named = any(t.flag in _NAMED or not t.known for t in phrase)
    last = phrase[-1]
    if _place_like(last) and len(last.word) >= 2 and (named or len(phrase) > 1):
        return last.end
    return phrase[0].end if len(phrase) == 1 and named else None


def _breaks_name(token: Token) -> bool:
    """A word that cannot be inside a place name. jieba's guesser glues function words to
    the front of names ("的金桥广场"); a single-character verb may be part of one ("圣|爱|大厦")."""
    if not token.known:
        return token.word[0] in pw.FUNCTION_CHARS
    return token.flag[0] in _BREAKING and (len(token.word) > 1 or token.flag != "v")


def _trim(start: int, end: int, tokens: Sequence[Token]) -> int | None:
    """Start of the name inside ``[start, end)``: on a token boundary, after the last word
    that cannot be part of a name ("但是|新城", "或者打车去|老街"); None if nothing is left."""
    begin = start
    for token in tokens:
        if token.end <= start or token.start >= end:
            continue
        if token.start < start:
            begin = token.end  # the element cut a word in two: its name starts after that word
        elif _breaks_name(token):
            begin = token.end
    return begin if begin < end else None
