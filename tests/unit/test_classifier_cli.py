"""CLI smoke on a small temp CSV: train (with extra heads and feedback) → evaluate → predict."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from classifier.feedback import JsonlFeedbackStore, read_feedback_blocking
from classifier.model import ModelBundle
from core.errors import ValidationError
from core.feedback import ClassificationFeedback
from hotline.commands import classifier as commands
from tests.unit.classifier_data import small_rows, write_csv


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    commands.register(app)
    return app


def _feedback_lines(n: int) -> str:
    # Agents keep correcting 热水器/暖气 wording to 水电气热 — the feedback teaches it.
    lines = []
    for i in range(n):
        item = ClassificationFeedback(
            feedback_id=f"fb-{i}",
            kind="corrected" if i % 3 else "returned",
            text=f"第{i}户反映家里地暖循环泵不转，屋里只有十度",
            occurred_at=datetime(2026, 11, 21, 8, i % 60, tzinfo=UTC),
            category="utilities.heating",
            unit="util.heating",
            suggested_category="教育文体",
            returned_unit="dept.education" if i % 3 == 0 else None,
            reason="不属于教育部门职责，建议转供热企业" if i % 3 == 0 else None,
        )
        lines.append(json.dumps(item.to_dict(), ensure_ascii=False))
    return "\n".join(lines) + "\n"


def test_train_evaluate_predict(app: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    data = write_csv(small_rows(), tmp_path / "train.csv")
    feedback = tmp_path / "feedback.jsonl"
    feedback.write_text(_feedback_lines(12), encoding="utf-8")
    out = tmp_path / "model"
    # fmt: off
    result = runner.invoke(app, [
        "train", "--data", str(data), "--text-col", "text", "--label-col", "category",
        "--out", str(out), "--also", "unit", "--include-feedback", "--feedback", str(feedback),
    ])
    # fmt: on
    assert result.exit_code == 0, result.output
    assert "category: 132 rows" in result.output  # 120 seed rows + 12 feedback examples
    assert "before macro-F1" in result.output
    assert "after macro-F1" in result.output
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["feedback"]["n_examples"] == 12
    assert "水电气热" in meta["labels"]  # utilities.heating mapped to the data's convention
    assert (out / "heads" / "unit" / "model.joblib").exists()

    result = runner.invoke(
        app,
        ["evaluate", "--model", str(out), "--data", str(data), "--text-col", "text",
         "--label-col", "category"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("macro-F1: "))
    assert 0.5 < float(line.split()[1]) <= 1.0
    assert "precision" in result.output
    assert "after macro-F1" in result.output  # the report shows the feedback effect
    assert (out / "confusion_category.png").stat().st_size > 1000

    # the same data evaluated against the model itself as "before": the line is printed
    result = runner.invoke(
        app,
        ["evaluate", "--model", str(out), "--data", str(data), "--text-col", "text",
         "--label-col", "category", "--compare", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "before (" in result.output
    assert "→ after (" in result.output

    result = runner.invoke(
        app,
        ["predict", "--model", str(out), "--district", "雁塔区", "--json",
         "公司拖欠工资三个月了", "家里停水了"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first, second = (json.loads(x) for x in result.output.strip().splitlines())
    assert first["category"][0][0] == "劳动和社会保障"
    assert first["units"][0]["code"] == "dept.hrss"
    assert second["category"][0][0] == "水电气热"
    assert second["units"][0]["code"] == "util.water"
    assert second["sla_class"] == "utility"

    # heads trained on the same texts share one feature computation per text
    bundle = ModelBundle.load_blocking(out)
    assert bundle.feature_owner == {"category": "category", "unit": "category"}


def test_bad_input_is_a_clear_error(app: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    data = write_csv(small_rows(3), tmp_path / "train.csv")
    result = runner.invoke(
        app,
        ["train", "--data", str(data), "--text-col", "body", "--label-col", "category",
         "--out", str(tmp_path / "m")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "缺少列 body" in result.output
    result = runner.invoke(app, ["predict", "--model", str(tmp_path / "none"), "你好"])
    assert result.exit_code == 2
    assert "python -m hotline train" in result.output


def test_bad_feedback_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "fb.jsonl"
    path.write_text(
        _feedback_lines(2) + '{"feedback_id": "x", "kind": "liked"}\n', encoding="utf-8"
    )
    with pytest.raises(ValidationError, match="第 3 行"):
        read_feedback_blocking(path)


def test_return_without_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="退单"):
        ClassificationFeedback(
            feedback_id="r1",
            kind="returned",
            text="某小区物业问题",
            occurred_at=datetime(2026, 11, 21, tzinfo=UTC),
            returned_unit="dept.housing",
        )


async def test_jsonl_store_round_trip(tmp_path: Path) -> None:
    store = JsonlFeedbackStore(tmp_path / "var" / "fb.jsonl")
    item = ClassificationFeedback(
        feedback_id="c1",
        kind="confirmed",
        text="暖气不热",
        occurred_at=datetime(2026, 11, 21, 9, tzinfo=UTC),
        category="utilities.heating",
    )
    await store.record(item)
    assert [x async for x in store.all()] == [item]
