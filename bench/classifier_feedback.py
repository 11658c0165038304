"""Feedback-loop bench: does agent feedback move the model towards a city's real appeals?

    python bench/classifier_feedback.py [--feedback-rows 600]

Simulates operators confirming/correcting categories on real messages: tipdm 附件2 rows (read
from ../shared at run time, written only to a temp dir) become ``corrected`` feedback records.
Runs the real CLI: ``train`` on the seed corpus (before), ``train --include-feedback`` (after,
which also prints the before/after on held-out feedback), then ``evaluate --compare`` on other
tipdm rows that are in no feedback (grouped by ``dup_group``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FJ2 = ROOT.parent / "shared" / "data" / "tipdm2020c_fj2_l1" / "fj2_l1_dev.csv"
SEED = ROOT / "classifier" / "corpus" / "seed_appeals.csv"


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hotline", *args], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return done.stdout


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="feedback-loop bench")
    parser.add_argument("--feedback-rows", type=int, default=600)
    parser.add_argument("--eval-rows", type=int, default=1500)
    args = parser.parse_args()
    if not FJ2.exists():
        print(f"missing {FJ2}; nothing to bench")
        return
    frame: Any = pd.read_csv(FJ2)
    groups = frame.dup_group.drop_duplicates().sample(frac=1.0, random_state=7)
    frame = frame.set_index("dup_group").loc[groups].reset_index()
    feedback_rows = frame.iloc[: args.feedback_rows]
    eval_rows = frame.iloc[args.feedback_rows :].head(args.eval_rows)
    assert not set(feedback_rows.dup_group) & set(eval_rows.dup_group)
    with tempfile.TemporaryDirectory(prefix="clf-feedback-") as tmp:
        work = Path(tmp)
        start = datetime(2026, 11, 1, tzinfo=UTC)
        with (work / "feedback.jsonl").open("w", encoding="utf-8") as handle:
            for i, row in enumerate(feedback_rows.itertuples()):
                record = {
                    "feedback_id": f"tipdm-{row.row_id}",
                    "kind": "corrected",
                    "text": row.text_seg,
                    "occurred_at": (start + timedelta(minutes=i)).isoformat(),
                    "category": row.label_l1,
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        eval_rows[["text_seg", "label_l1"]].to_csv(work / "eval.csv", index=False)
        common = ["--data", str(SEED), "--text-col", "text", "--label-col", "category"]
        run("train", *common, "--out", str(work / "before"))
        out = run(
            "train", *common, "--out", str(work / "after"),
            "--include-feedback", "--feedback", str(work / "feedback.jsonl"),
        )  # fmt: skip
        print(f"{len(feedback_rows)} feedback records (real tipdm messages, corrected category)")
        print(out.strip())
        report = run(
            "evaluate", "--model", str(work / "after"), "--data", str(work / "eval.csv"),
            "--text-col", "text_seg", "--label-col", "label_l1", "--compare", str(work / "before"),
        )  # fmt: skip
        for line in report.splitlines():
            if line.startswith(("before (", "macro-F1", "rows:")):
                print(f"evaluate on {len(eval_rows)} other tipdm rows: {line}")


if __name__ == "__main__":
    main()
