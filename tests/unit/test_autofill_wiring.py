"""The classifier reaches the auto-fill through HeadsPredictor (a CategoryPredictor)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autofill.model import CategoryPredictor, LabelScore
from autofill.session import AutofillSession
from hotline.autofill_wiring import HeadsPredictor, scanner_from_settings
from hotline.settings import Settings
from tests.conftest import ROOT


@dataclass(frozen=True)
class Scored:
    label: str
    probability: float


@dataclass(frozen=True)
class Ranked:
    ranked: tuple[Scored, ...]


class KeywordHead:
    """A head with the classifier's ``rank_blocking`` shape, deciding by one keyword."""

    def __init__(self, keyword: str, yes: str, no: str) -> None:
        self.keyword, self.yes, self.no = keyword, yes, no

    def rank_blocking(self, text: str, k: int = 3, explain: int = 0) -> Ranked:
        first, second = (self.yes, self.no) if self.keyword in text else (self.no, self.yes)
        return Ranked((Scored(first, 0.9), Scored(second, 0.1))[:k])


def test_heads_feed_category_and_appeal_type() -> None:
    predictor: CategoryPredictor = HeadsPredictor(
        KeywordHead("路灯", "城乡建设", "其他"), KeywordHead("坏", "求助", "咨询")
    )
    assert predictor.predict_category("路灯坏了") == [
        LabelScore("城乡建设", 0.9),
        LabelScore("其他", 0.1),
    ]
    session = AutofillSession(scanner_from_settings(Settings()), predictor=predictor)
    session.update("小区门口路灯坏了")
    assert session.fields["category"].value == "城乡建设"


def test_without_an_appeal_type_head_there_is_no_opinion() -> None:
    predictor = HeadsPredictor(KeywordHead("路灯", "城乡建设", "其他"))
    assert predictor.predict_appeal_type("路灯坏了") == ()


def test_settings_choose_the_gazetteer(tmp_path: Path) -> None:
    shipped = ROOT / "core" / "reference" / "divisions_xian.csv"
    small = tmp_path / "g.csv"
    lines = shipped.read_text(encoding="utf-8").splitlines()
    # Without 小寨路街道 (and its communities) "小寨" can only be 蓝田县小寨镇.
    kept = [line for line in lines if not line.startswith("610113001")]
    small.write_text("\n".join(kept) + "\n", "utf-8")
    settings = Settings(autofill={"gazetteer_path": small, "area_code": "010"})
    session = AutofillSession(scanner_from_settings(settings))
    session.update("我在小寨，电话八八六六五五四四")
    assert session.fields["town"].value == "小寨镇"
    assert session.fields["phone"].value == "01088665544"
