"""``python -m hotline extract`` as operators run it: a real process, a real CSV, JSON lines."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

from tests.cli_support import run_hotline
from tests.conftest import ROOT

ROWS = [
    "喂你好，我姓张，住在雁塔区小寨路街道幸福路二十六号阳光小区三号楼二单元五零二，"
    "从昨天晚上开始停水，电话一三八零零一三八零零零",
    "",
    "我们公司的营业执照办了一个月还没下来，我要投诉，地址是长安区韦曲街道",
    "快来人，楼里着火了！",
    '带"引号"和,逗号的文本：灞桥区北张村路灯不亮',
]


def run(*args: str, model_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    # Without a model dir the rows are scanned by cues alone (a trained default model in
    # models/ must not change what these tables expect).
    env = {**os.environ, "HOTLINE_CLASSIFIER__MODEL_DIR": str(model_dir or ROOT / "no-such-model")}
    return run_hotline("extract", *args, env=env)


def write_csv(path: Path, rows: list[str], encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "诉求内容"])
        for i, text in enumerate(rows):
            writer.writerow([i, text])


def test_one_json_object_per_row(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    write_csv(data, ROWS)
    result = run("--data", str(data), "--text-col", "诉求内容")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(ROWS)
    first, empty, enterprise, fire, quoted = (json.loads(line) for line in lines)
    assert first == {
        "phone": "13800138000",
        "name": "张",
        "province": "陕西省",
        "city": "西安市",
        "district": "雁塔区",
        "town": "小寨路街道",
        "road": "幸福路",
        "road_no": "26号",
        "poi": "阳光小区",
        "house_no": "3号楼2单元502",
        "appeal_type": "求助",
        "urgency": "utility_24h",
    }
    assert "小寨路街道" in lines[0]  # ensure_ascii=False: Chinese as it is, not \\u escapes
    assert empty == {}
    assert enterprise["appeal_type"] == "投诉"
    assert enterprise["town"] == "韦曲街道"
    assert fire["urgency"] == "emergency"
    assert quoted["community"] == "北张村"
    allowed = {
        "phone", "name", "province", "city", "district", "town", "community", "road",
        "road_no", "poi", "house_no", "appeal_type", "category", "urgency",
    }  # fmt: skip
    assert all(set(json.loads(line)) <= allowed for line in lines)


def test_unknown_column_is_refused_with_the_columns_listed(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    write_csv(data, ROWS[:1])
    result = run("--data", str(data), "--text-col", "text")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "诉求内容" in result.stderr


def test_missing_file_is_refused(tmp_path: Path) -> None:
    result = run("--data", str(tmp_path / "none.csv"), "--text-col", "text")
    assert result.returncode == 2
    assert "none.csv" in result.stderr


def test_excel_gbk_csv_is_read(tmp_path: Path) -> None:
    data = tmp_path / "orders_gbk.csv"
    write_csv(data, ["我住在碑林区文艺路街道，家里停电了"], encoding="gbk")
    result = run("--data", str(data), "--text-col", "诉求内容")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "province": "陕西省",
        "city": "西安市",
        "district": "碑林区",
        "town": "文艺路街道",
        "appeal_type": "求助",
        "urgency": "utility_24h",
    }


def test_undecodable_row_stops_with_its_number(tmp_path: Path) -> None:
    data = tmp_path / "broken.csv"
    good = "id,诉求内容\n1,家里停水了\n".encode()
    data.write_bytes(good + b"x" * 70_000 + b",\xff\xfe\xfa\n")
    result = run("--data", str(data), "--text-col", "诉求内容")
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1  # the good row was written
    assert "data row 2" in result.stderr


def test_category_comes_from_the_trained_classifier(tmp_path: Path) -> None:
    from tests.unit.classifier_data import small_rows
    from tests.unit.classifier_data import write_csv as write_training_csv

    model = tmp_path / "model"
    train = run_hotline(
        "train", "--data", str(write_training_csv(small_rows(), tmp_path / "train.csv")),
        "--text-col", "text", "--label-col", "category", "--out", str(model),
        timeout=300,
    )  # fmt: skip
    assert train.returncode == 0, train.stderr
    data = tmp_path / "orders.csv"
    write_csv(data, ["我们小区从昨天晚上开始停水了，到现在还没来水，家里老人孩子没法做饭"])
    result = run("--data", str(data), "--text-col", "诉求内容", "--model", str(model))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["category"] == "水电气热"


def test_an_explicit_model_that_is_missing_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    write_csv(data, ["路灯不亮"])
    result = run("--data", str(data), "--text-col", "诉求内容", "--model", str(tmp_path / "none"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "metadata.json" in result.stderr
    assert "Traceback" not in result.stderr
