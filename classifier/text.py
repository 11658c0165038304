"""Text preparation for the pipeline: a jieba segmenter with a private tokenizer, and the
normaliser feeding the character n-grams.

jieba keeps a module-level default tokenizer; we never touch it. Each :class:`JiebaSegmenter`
builds its own ``jieba.Tokenizer`` lazily on first use (not at import, not in ``__init__``) and
drops it when pickled — the tokenizer holds a lock and a 30 MB prefix dictionary, and it is
rebuilt from the same user words after loading, so the artifact stays small and reproducible.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, Self, cast

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

# Tokens that carry no topic: punctuation, digits-only runs, whitespace.
_NOISE = re.compile(r"^[\s\W\d_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")


class _JiebaTokenizer(Protocol):
    """The part of ``jieba.Tokenizer`` we use (jieba ships no type hints)."""

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None: ...

    def lcut(self, sentence: str, cut_all: bool = False, HMM: bool = True) -> list[str]: ...

    def initialize(self, dictionary: str | None = None) -> None: ...


def user_dict_sha256(words: Iterable[str]) -> str:
    """Stable hash of a user dictionary (order-independent), recorded in the metadata."""
    digest = hashlib.sha256()
    for word in sorted(set(words)):
        digest.update(word.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _build_tokenizer(words: Sequence[str]) -> _JiebaTokenizer:
    import jieba  # imported here: building the tokenizer is the expensive, lazy step

    jieba.setLogLevel(logging.WARNING)  # silence "Building prefix dict…" on stderr
    tokenizer = cast(_JiebaTokenizer, jieba.Tokenizer())
    tokenizer.initialize()
    for word in words:
        # A high frequency makes jieba keep place and unit names whole.
        tokenizer.add_word(word, freq=2000)
    return tokenizer


# Distinct texts whose jieba cut a tokenizer holder remembers after a single-text cut: the word
# and lead branches of a pipeline (and every head of a bundle) cut the same text one after the
# other. A batch is remembered whole until the next cut, because a FeatureUnion runs each branch
# over the whole batch before the next branch starts.
CUT_MEMO_SIZE = 8


class _TokenizerHolder:
    """Builds one private ``jieba.Tokenizer`` on first use and hands it out thereafter; also
    remembers recent cuts, so branches sharing it cut a text once."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = tuple(words)
        self.lock = threading.Lock()
        self.tokenizer: _JiebaTokenizer | None = None
        self.memo: OrderedDict[tuple[str, bool], tuple[str, ...]] = OrderedDict()
        self.memo_lock = threading.Lock()

    def cut(self, text: str, hmm: bool) -> tuple[str, ...]:
        return self._cut(text, hmm, CUT_MEMO_SIZE)

    def cut_many(self, texts: Sequence[str], hmm: bool) -> list[tuple[str, ...]]:
        keep = max(CUT_MEMO_SIZE, len(texts))
        return [self._cut(text, hmm, keep) for text in texts]

    def forget(self) -> None:
        with self.memo_lock:
            self.memo.clear()

    def _cut(self, text: str, hmm: bool, keep: int) -> tuple[str, ...]:
        key = (text, hmm)
        with self.memo_lock:
            known = self.memo.get(key)
            if known is not None:
                self.memo.move_to_end(key)
                return known
        tokens = tuple(self.get().lcut(text, HMM=hmm))
        with self.memo_lock:
            self.memo[key] = tokens
            while len(self.memo) > keep:
                self.memo.popitem(last=False)
        return tokens

    def get(self) -> _JiebaTokenizer:
        if self.tokenizer is None:
            with self.lock:
                if self.tokenizer is None:
                    self.tokenizer = _build_tokenizer(self.words)
        return self.tokenizer


class JiebaSegmenter(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Raw text → space-joined jieba tokens (noise and stopwords removed).

    Stateless apart from the user dictionary; already segmented input (tokens separated by
    spaces, like the tipdm ``text_seg`` column) passes through unchanged in practice, since
    jieba never joins across whitespace.
    """

    def __init__(
        self,
        user_words: tuple[str, ...] = (),
        stopwords: tuple[str, ...] = (),
        hmm: bool = True,
    ) -> None:
        self.user_words = user_words
        self.stopwords = stopwords
        self.hmm = hmm

    # -- lazy private tokenizer -----------------------------------------------------------------
    def _holder(self) -> _TokenizerHolder:
        holder: _TokenizerHolder | None = self.__dict__.get("_jieba_holder")
        if holder is None:
            # dict.setdefault is atomic: two threads racing still end up with one holder.
            holder = self.__dict__.setdefault("_jieba_holder", _TokenizerHolder(self.user_words))
        return holder

    def forget_cuts(self) -> None:
        """Drop the remembered cuts of this segmenter's tokenizer holder."""
        holder: _TokenizerHolder | None = self.__dict__.get("_jieba_holder")
        if holder is not None:
            holder.forget()

    def share_tokenizer_with(self, other: JiebaSegmenter) -> None:
        """Let ``other`` use this segmenter's tokenizer (same words only) — one 30 MB
        dictionary per training run or loaded model, instead of one per pipeline or head."""
        if tuple(other.user_words) == tuple(self.user_words):
            other.__dict__["_jieba_holder"] = self._holder()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_jieba_holder", None)
        state.pop("_stop_cache", None)
        return state

    # -- scikit-learn API ---------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: object = None) -> Self:
        self.user_dict_sha256_ = user_dict_sha256(self.user_words)
        self.n_features_in_ = 1
        return self

    def tokens(self, text: str) -> list[str]:
        return self._kept(self._holder().cut(text, self.hmm))

    def _cuts(self, texts: Sequence[str]) -> list[list[str]]:
        """Kept tokens of each text, the batch cut once (see ``CUT_MEMO_SIZE``)."""
        cuts = self._holder().cut_many([str(text) for text in texts], self.hmm)
        return [self._kept(cut) for cut in cuts]

    def _kept(self, cut: Sequence[str]) -> list[str]:
        stop = self._stopset()
        return [
            token
            for token in cut
            if token.strip() and not _NOISE.match(token) and token not in stop
        ]

    def _stopset(self) -> frozenset[str]:
        stop: frozenset[str] | None = self.__dict__.get("_stop_cache")
        if stop is None:
            stop = frozenset(self.stopwords)
            self.__dict__["_stop_cache"] = stop
        return stop

    def transform(self, texts: Sequence[str]) -> list[str]:
        return [" ".join(tokens) for tokens in self._cuts(texts)]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray[Any, Any]:
        return np.asarray(["text"], dtype=object)


class LeadText(JiebaSegmenter):
    """Raw text → the characters of its first ``lead_tokens`` tokens (noise and stopwords
    removed), for character n-grams of the *lead*: a message's title, a summary's first clause.

    Why: on the tipdm messages (title first, then the detail) the lead names the topic; a
    separate, lower-weighted block for it lifted grouped-CV macro-F1 by ~0.6 points
    (``bench/classifier.py``). Tokens rather than characters so that stopwords removed from
    pre-segmented training text do not shift the window on raw text at inference."""

    def __init__(
        self,
        user_words: tuple[str, ...] = (),
        stopwords: tuple[str, ...] = (),
        hmm: bool = True,
        lead_tokens: int = 8,
    ) -> None:
        super().__init__(user_words=user_words, stopwords=stopwords, hmm=hmm)
        self.lead_tokens = lead_tokens

    def transform(self, texts: Sequence[str]) -> list[str]:
        return ["".join(tokens[: self.lead_tokens]).lower() for tokens in self._cuts(texts)]


class CharNormaliser(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Text for character n-grams: whitespace removed (so pre-segmented and raw text give
    the same characters) and Latin letters lower-cased."""

    def fit(self, texts: Sequence[str], y: object = None) -> Self:
        self.n_features_in_ = 1
        return self

    def transform(self, texts: Sequence[str]) -> list[str]:
        return [_SPACES.sub("", str(text)).lower() for text in texts]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray[Any, Any]:
        return np.asarray(["text"], dtype=object)
