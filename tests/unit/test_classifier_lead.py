"""The lead block (characters of the first tokens) and the shared, memoised jieba cut."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from classifier.dataset import read_labelled_csv
from classifier.fastpath import CalibratedScorer, features_blocking
from classifier.model import ModelBundle
from classifier.pipeline import ESTIMATORS, PipelineParams, build_pipeline, segmenters_of
from classifier.text import CUT_MEMO_SIZE, JiebaSegmenter, LeadText
from classifier.training import fit_blocking, train_head_blocking
from tests.unit.classifier_data import small_rows, write_csv


class CountingTokenizer:
    """Implements our ``_JiebaTokenizer`` Protocol around a real tokenizer, counting cuts."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.cuts: list[str] = []

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        self.inner.add_word(word, freq, tag)  # type: ignore[attr-defined]

    def initialize(self, dictionary: str | None = None) -> None:
        self.inner.initialize(dictionary)  # type: ignore[attr-defined]

    def lcut(self, sentence: str, cut_all: bool = False, HMM: bool = True) -> list[str]:
        self.cuts.append(sentence)
        out: list[str] = self.inner.lcut(sentence, cut_all=cut_all, HMM=HMM)  # type: ignore[attr-defined]
        return out


def test_lead_is_the_characters_of_the_first_tokens() -> None:
    lead = LeadText(lead_tokens=3).fit(["x"])
    assert lead.transform(["关于雁塔区小寨路积水的问题，已经三天了"]) == ["关于雁塔区小寨"]
    # punctuation and digit-only tokens do not take a slot; Latin letters are lower-cased
    assert lead.transform(["【紧急】！！ 2024 A3区 停电"]) == ["紧急a3区"]
    assert lead.transform([""]) == [""]


def test_stopwords_do_not_shift_the_window() -> None:
    """Pre-segmented training text had stopwords removed; raw text at inference still has
    them. With the same stopword list both give the same lead."""
    stop = ("关于", "的", "了")
    lead = LeadText(stopwords=stop, lead_tokens=4).fit(["x"])
    raw = lead.transform(["关于雁塔区小寨路的积水问题了"])
    segmented = lead.transform(["雁塔区 小寨 路 积水 问题"])
    assert raw == segmented == ["雁塔区小寨路积水"]


def test_pipeline_has_a_lead_block_sharing_one_tokenizer() -> None:
    pipeline = build_pipeline(PipelineParams(lead_tokens=5, lead_weight=0.7))
    union = pipeline.named_steps["features"]
    assert [name for name, _ in union.transformer_list] == ["words", "chars", "lead"]
    assert union.transformer_weights["lead"] == 0.7
    words, lead = segmenters_of(pipeline)
    assert isinstance(lead, LeadText)
    assert lead.lead_tokens == 5
    assert words.__dict__["_jieba_holder"] is lead.__dict__["_jieba_holder"]
    without = build_pipeline(PipelineParams(lead_tokens=0))
    assert [name for name, _ in without.named_steps["features"].transformer_list] == [
        "words",
        "chars",
    ]


def test_one_cut_per_text_for_both_branches() -> None:
    rows = small_rows(12)
    texts, labels = [r["text"] for r in rows], [r["category"] for r in rows]
    pipeline = fit_blocking(texts, labels, PipelineParams())
    # as loaded from disk: holders are not pickled, the bundle shares one across blocks
    clone = pickle.loads(pickle.dumps(pipeline))
    words, lead = segmenters_of(clone)
    words.share_tokenizer_with(lead)
    holder = words.__dict__["_jieba_holder"]
    counting = CountingTokenizer(holder.get())
    holder.tokenizer = counting
    probe = "我家小区停水两天了，物业也不通知，老人孩子没水喝"
    before = clone.predict_proba([probe])
    assert counting.cuts == [probe]  # words and lead branches: one jieba cut
    clone.predict_proba([probe])
    assert counting.cuts == [probe]  # remembered
    assert (clone.predict_proba([probe]) == before).all()
    for i in range(CUT_MEMO_SIZE):
        clone.predict_proba([f"{probe}{i}"])
    clone.predict_proba([probe])
    assert counting.cuts.count(probe) == 2  # evicted after CUT_MEMO_SIZE other texts

    # a batch larger than the single-text memo: each text is still cut once for both branches
    batch = [f"{probe}，第{i}次反映" for i in range(CUT_MEMO_SIZE + 4)]
    counting.cuts.clear()
    clone.predict_proba(batch)
    assert counting.cuts == batch


def test_a_loaded_bundle_shares_one_tokenizer_across_heads_and_blocks(tmp_path: Path) -> None:
    data = read_labelled_csv(write_csv(small_rows(12), tmp_path / "d.csv"), "text", "category")
    train_head_blocking(
        data, tmp_path / "m", target="category", text_col="text", params=PipelineParams()
    )
    bundle = ModelBundle.load_blocking(tmp_path / "m")
    holders = {
        id(s.__dict__["_jieba_holder"])
        for head in bundle.heads.values()
        for s in segmenters_of(head.loaded.pipeline)
        if "_jieba_holder" in s.__dict__
    }
    segments = [s for h in bundle.heads.values() for s in segmenters_of(h.loaded.pipeline)]
    assert len(segments) == 2
    assert len(holders) == 1


def test_unknown_estimator_is_refused() -> None:
    with pytest.raises(ValueError, match="ridge, svm"):
        build_pipeline(PipelineParams(estimator="forest"))


def test_svm_estimator_still_builds_and_fits() -> None:
    rows = small_rows(12)
    model = fit_blocking(
        [r["text"] for r in rows],
        [r["category"] for r in rows],
        PipelineParams(estimator="svm", lead_tokens=0),
    )
    assert set(model.classes_) == {r["category"] for r in rows}


def test_segmenter_subclass_pickles_without_its_tokenizer() -> None:
    lead = LeadText(lead_tokens=2).fit(["x"])
    lead.transform(["小区停水"])
    clone = pickle.loads(pickle.dumps(lead))
    assert "_jieba_holder" not in clone.__dict__
    assert clone.transform(["小区停水"]) == lead.transform(["小区停水"])
    assert isinstance(clone, JiebaSegmenter)


def test_fast_scorer_keeps_weights_c_contiguous_for_both_scorers() -> None:
    """scipy's sparse @ dense ravels (copies) a non-C-contiguous dense operand on every call;
    ridge's ``coef_`` is C-ordered, so its transpose was copied per call (12 ms → 1.7 ms per
    classify on the seed model once fixed). Both scorers must give a C-contiguous matrix."""
    rows = small_rows(12)
    texts, labels = [r["text"] for r in rows], [r["category"] for r in rows]
    for estimator in ESTIMATORS:
        model = fit_blocking(texts, labels, PipelineParams(estimator=estimator))
        scorer = CalibratedScorer(model)
        assert scorer.fast
        assert scorer.coef_t.flags["C_CONTIGUOUS"]
        features = features_blocking(model, texts[:3])
        np.testing.assert_allclose(scorer.proba(features), model.predict_proba(texts[:3]))
