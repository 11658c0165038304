"""Part-of-speech tags from jieba, through a private tokenizer (the one module importing jieba).

jieba keeps a module-level default tokenizer; we never touch it. A :class:`PosTagger` builds
its own ``jieba.Tokenizer`` and ``jieba.posseg.POSTokenizer`` on first use (≈1–2 s: the 30 MB
prefix dictionary), never at import or in ``__init__``. Tagging costs ≈0.5 ms per 40-character
sentence, so it serves the mention finders and batch extraction, not the live seat-assist path.

Tags are jieba's (ICTCLAS-like): ``nr`` person, ``nrt``/``nrfg`` transliterated or full names,
``ns`` place, ``nt`` organisation, ``eng`` Latin word, ``x`` punctuation, ``m`` numeral…
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast


@dataclass(frozen=True, slots=True)
class Token:
    """``text[start:end] == word``; ``known`` = the word is in jieba's dictionary (not
    guessed by its HMM), which tells a common word from a newly seen name."""

    start: int
    end: int
    word: str
    flag: str
    known: bool


class _Pair(Protocol):
    word: str
    flag: str


class _PosTokenizer(Protocol):
    def cut(self, sentence: str, HMM: bool = True) -> Iterable[_Pair]: ...


class PosTagger:
    """Thread-safe once built; build one per process and share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._posseg: _PosTokenizer | None = None
        self._freq: Mapping[str, int] = {}

    def _build(self) -> _PosTokenizer:
        if self._posseg is None:
            with self._lock:
                if self._posseg is None:
                    import jieba  # imported here: loading the dictionary is the expensive step
                    import jieba.posseg

                    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" on stderr
                    tokenizer: Any = jieba.Tokenizer()
                    tokenizer.initialize()
                    self._freq = cast(Mapping[str, int], tokenizer.FREQ)
                    self._posseg = cast(_PosTokenizer, jieba.posseg.POSTokenizer(tokenizer))
        return self._posseg

    def tag(self, text: str) -> list[Token]:
        """Tokens of ``text`` in order, covering it without gaps."""
        posseg = self._build()
        tokens: list[Token] = []
        pos = 0
        for pair in posseg.cut(text):
            word = str(pair.word)
            end = pos + len(word)
            known = self._freq.get(word, 0) > 0
            tokens.append(Token(pos, end, word, str(pair.flag), known))
            pos = end
        return tokens
