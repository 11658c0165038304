"""People named in general text ("记者王海涛报道", "李明华认为", "主教练克洛普派出了罗伊斯").

Used for NER scoring (``bench/autofill.py``), never for the caller's name (see
:mod:`autofill.person`). Candidates are spans shaped like a name: a surname plus one or two
given characters; a run of the characters Chinese uses to transliterate foreign names, or of
tokens jieba tags as names, joined by "·"; a capitalised Latin word. Each candidate scores
the evidence around it and is kept at 2 points or more:

- a title or position before it (副总裁|周立新, 记者|吴亚楠, or any noun jieba tags that ends
  like a role: 车间主任, 领导人): +2, a weak one (是, 由, 据…): +1;
- a verb of saying or doing after it (…表示, …执导, …先生), or a clause verb when it opens a
  clause ("，张三在…"): +2;
- jieba's tag (:mod:`autofill.postag`, when tokens are given): a name it guessed +2, a name in
  its dictionary +1 (two characters) or +2 (three), an ordinary dictionary word −3;
- against it: a span that cuts a token or swallows a dictionary word (−2), a place, firm or
  team context ("…村", "…期货", "做客…", "…主场": −2), a foreign-looking spelling (−1: teams,
  places and brands share it).

A candidate at 1 point is kept when it is listed next to a kept name ("贝克、米勒"). Names
inside 《…》, "某" placeholders (钱某) and "X女士" forms of address are not mentions.
Without tokens the finder works on the cues alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autofill import name_words as nw
from autofill.person import HONORIFICS, SURNAMES, extract_names
from autofill.postag import Token
from autofill.textnorm import inside_titles


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    kind: str  # "han" (surname + given) | "foreign" | "latin"


def _shape(word: str) -> str:
    """ "han" for surname + one or two given characters, else "foreign" ("沙尔克" is
    spelled like a foreign name and judged like one)."""
    for size in (2, 1):
        given = word[size:]
        if (
            word[:size] in SURNAMES
            and 1 <= len(given) <= 2
            and all("\u4e00" <= ch <= "\u9fff" and ch not in nw.FUNCTION_CHARS for ch in given)
            and not all(ch in nw.TRANSLIT for ch in word)
        ):
            return "han"
    return "foreign"


def _han_candidates(text: str, i: int) -> list[_Candidate]:
    """Surname + one or two given characters starting at ``i``."""
    found = []
    for size in (2, 1):
        if text[i : i + size] not in SURNAMES:
            continue
        for given in (2, 1):
            end = i + size + given
            if end > len(text):
                continue
            chunk = text[i + size : end]
            if all("\u4e00" <= ch <= "\u9fff" and ch not in nw.NOT_GIVEN for ch in chunk):
                found.append(_Candidate(i, end, _shape(text[i:end])))
    return found


def _translit_candidate(text: str, i: int) -> _Candidate | None:
    """The longest run of transliteration characters (with · between parts) from ``i``."""
    end = i
    while end < len(text) and (
        text[end] in nw.TRANSLIT
        or (
            text[end] in nw.DOT and end > i and end + 1 < len(text) and text[end + 1] in nw.TRANSLIT
        )
    ):
        end += 1
    return _Candidate(i, end, "foreign") if end - i >= 2 else None


def _is_han(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def _name_part(token: Token) -> bool:
    """A token that can be part of a foreign name: tagged as a name, unknown to jieba, or
    spelled with transliteration characters only."""
    if not _is_han(token.word) or any(ch in nw.FUNCTION_CHARS for ch in token.word):
        return False  # "钱某": nobody's name
    if all(ch in nw.TRANSLIT for ch in token.word) or token.flag in nw.NAME_FLAGS:
        return True
    return not token.known and not any(ch in nw.NOT_GIVEN for ch in token.word)


def _token_runs(text: str, tokens: Sequence[Token]) -> list[_Candidate]:
    """Runs of name-part tokens, joined by "·" ("彼得·霍夫曼", "约翰史密斯", "卡尔·韦伯")."""
    found = []
    k = 0
    while k < len(tokens):
        if not _name_part(tokens[k]):
            k += 1
            continue
        j = k
        while j + 1 < len(tokens):
            nxt = tokens[j + 1]
            if _name_part(nxt):
                j += 1
            elif nxt.word in nw.DOT and j + 2 < len(tokens) and _name_part(tokens[j + 2]):
                j += 2
            else:
                break
        start, end = tokens[k].start, tokens[j].end
        if end - start >= 2:
            found.append(_Candidate(start, end, _shape(text[start:end])))
        k = j + 1
    return found


def _latin_candidates(tokens: Sequence[Token]) -> list[_Candidate]:
    return [
        _Candidate(t.start, t.end, "latin")
        for t in tokens
        if t.flag == "eng" and len(t.word) >= 3 and t.word.isalpha() and t.word.isascii()
    ]


class _Evidence:
    """The signs around a span, from the text and (when given) jieba's tokens."""

    def __init__(self, text: str, tokens: Sequence[Token] | None) -> None:
        self.text = text
        self.tokens = list(tokens or ())
        self.index_at = [0] * len(text)
        for k, token in enumerate(self.tokens):
            for pos in range(token.start, token.end):
                self.index_at[pos] = k
        self.starts = {t.start for t in self.tokens}
        self.ends = {t.end for t in self.tokens}
        # Inside 《…》 is a title of a book or film, not a mention of its author.
        self.titled = inside_titles(text)

    def in_title(self, start: int) -> bool:
        return self.titled[start]

    def title_before(self, start: int) -> str | None:
        word = next((w for w in nw.TITLES_BEFORE if self.text.endswith(w, 0, start)), None)
        if word is not None or not self.tokens or start == 0:
            return word
        # A noun naming a role ("车间主任", "领导人", "边锋", "设计师") found by jieba.
        before = self.tokens[self.index_at[start - 1]]
        if (
            before.end == start
            and len(before.word) >= 2
            and before.flag in ("n", "nr", "b", "nz")
            and before.word[-1] in nw.ROLE_ENDINGS
            and before.word not in nw.NOT_ROLES
        ):
            return before.word
        return None

    def _covering(self, start: int, end: int) -> list[Token]:
        return self.tokens[self.index_at[start] : self.index_at[end - 1] + 1]

    def misfit(self, start: int, end: int, kind: str) -> bool:
        """The span cuts a token in two, or swallows an ordinary dictionary word ("和|心理";
        "杨|振兴" is a name only when the context says so)."""
        if not self.tokens:
            return False
        if start not in self.starts or end not in self.ends:
            return True
        inner = self._covering(start, end)
        if len(inner) == 1:
            return False
        if kind == "han":
            rest = inner[1:]
        else:  # "莱|万多|夫斯基": a word spelled with transliteration characters may be a piece
            rest = [t for t in inner if not all(ch in nw.TRANSLIT for ch in t.word)]
        return any(t.known and len(t.word) > 1 and t.flag in nw.WORD_FLAGS for t in rest)

    def tag_score(self, start: int, end: int, kind: str) -> int:
        """+2 for a name jieba guessed (not in its dictionary), +1 for a dictionary name
        (its dictionary tags many common words nr: 沙滩, 文明), −3 for an ordinary word."""
        if not self.tokens:
            return 0
        inner = self._covering(start, end)
        if len(inner) == 1 and inner[0].known and inner[0].flag in nw.WORD_FLAGS:
            return -3
        named = [t for t in inner if t.flag in nw.NAME_FLAGS]
        if not named:
            return 0
        if len(inner) > 1 and kind == "han":
            # "李子|坝", "和|韦德": pieces glued together need a clause of their own.
            text = self.text
            alone = (start == 0 or not text[start - 1].isalnum()) and (
                end == len(text) or not text[end].isalnum()
            )
            return 2 if alone else 1
        if len(inner) > 1 or not inner[0].known:
            return 2
        # A three-character dictionary "name" is a name (谢霆锋, 王羲之); two characters are
        # as often a word (沙滩, 文明) as a name (姜文, 李安).
        return 2 if end - start >= 3 else 1


def _score(ev: _Evidence, cand: _Candidate) -> int:
    text, start, end = ev.text, cand.start, cand.end
    if text[start:end] in nw.NOT_NAMES or ev.in_title(start):
        return 0
    if any(text.startswith(HONORIFICS, k) for k in range(start + 1, end)):
        return 0
    if start > 0 and text[start - 1].isdigit() and text[start] in nw.MEASURES:
        return 0
    score = 0
    title = ev.title_before(start)
    if title is not None:
        score += 1 if title in nw.WEAK_BEFORE else 2
    at_clause = start == 0 or not text[start - 1].isalnum()
    if text.startswith(nw.VERBS_AFTER, end) or (
        at_clause and text.startswith(nw.CLAUSE_VERBS, end)
    ):
        score += 2
    if cand.kind == "latin":
        score += 1 if nw.CAPITALISED.fullmatch(text[start:end]) else 0
    elif text[start] not in nw.FUNCTION_SURNAMES:
        score += ev.tag_score(start, end, cand.kind)
    if text.startswith(nw.THING_AFTER, end):
        score -= 2
    if ev.misfit(start, end, cand.kind):
        score -= 2
    if text.endswith(nw.TEAM_BEFORE, 0, start) or text.startswith(nw.TEAM_AFTER, end):
        score -= 2
    if cand.kind != "han":
        score -= 1  # foreign names share their spelling with teams, places, brands
    return score


def _select(scored: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Best score first, then longest; keep spans that do not overlap a better one."""
    scored = sorted(scored, key=lambda s: (-s[0], -(s[2] - s[1]), s[1]))
    kept: list[tuple[int, int]] = []
    for _, start, end in scored:
        if all(end <= a or b <= start for a, b in kept):
            kept.append((start, end))
    return kept


def _listed_with(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """``a`` and ``b`` are neighbours in a list of names ("贝克、米勒", "罗宾逊和邓恩")."""
    first, second = (a, b) if a[0] < b[0] else (b, a)
    between = text[first[1] : second[0]]
    return between in nw.LIST_SEPARATORS


def find_person_mentions(text: str, tokens: Sequence[Token] | None = None) -> list[tuple[int, int]]:
    """Spans of people's names in ``text``; ``tokens`` = ``PosTagger().tag(text)`` if at hand."""
    ev = _Evidence(text, tokens)
    scored: list[tuple[int, int, int]] = []
    for candidate in extract_names(text):
        # "王女士" names nobody in particular: only a full name counts as a mention.
        if "honorific" not in candidate.detail and len(candidate.value) >= 2:
            scored.append((3, candidate.start, candidate.end))
    cands: list[_Candidate] = []
    for i in range(len(text)):
        cands.extend(_han_candidates(text, i))
        translit = _translit_candidate(text, i)
        if translit is not None:
            cands.append(translit)
    if tokens:
        cands.extend([*_token_runs(text, tokens), *_latin_candidates(tokens)])
    weak: list[tuple[int, int, int]] = []
    for cand in cands:
        score = _score(ev, cand)
        if score >= 2:
            scored.append((score, cand.start, cand.end))
        elif score == 1:
            weak.append((score, cand.start, cand.end))
    kept = _select(scored)
    # A name listed next to a name is a name too, on weaker evidence of its own.
    grown = True
    while grown and weak:
        grown = False
        for item in list(weak):
            span = (item[1], item[2])
            if any(not (span[1] <= a or b <= span[0]) for a, b in kept):
                weak.remove(item)
            elif any(_listed_with(text, span, other) for other in kept):
                kept.append(span)
                weak.remove(item)
                grown = True
    return sorted(kept)
