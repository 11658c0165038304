"""``python -m hotline train | evaluate | predict`` — the classifier's operator commands.

Options are a contract (operators script them): keep ``--data --text-col --label-col --out``
and ``--model``. Everything heavy is imported inside the commands, never at import time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from core.errors import DomainError

GROUP_COLUMNS = ("group", "dup_group")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("predict")(predict)


def _fail(error: Exception) -> typer.Exit:
    message = error.message if isinstance(error, DomainError) else str(error)
    typer.secho(f"错误：{message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


def _detect_group_col(path: Path, explicit: str | None) -> str | None:
    if explicit is not None:
        return explicit or None
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    return next((c for c in GROUP_COLUMNS if c in header), None)


def train(
    data: Annotated[Path, typer.Option("--data", help="Labelled CSV (UTF-8).")],
    text_col: Annotated[str, typer.Option("--text-col", help="Text column; a+b joins two.")],
    label_col: Annotated[str, typer.Option("--label-col", help="Label column (main head).")],
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    also: Annotated[
        list[str] | None,
        typer.Option("--also", help="Extra label columns trained as extra heads (repeatable)."),
    ] = None,
    group_col: Annotated[
        str | None,
        typer.Option(help="Group column for the grouped hold-out (default: group/dup_group)."),
    ] = None,
    include_feedback: Annotated[
        bool, typer.Option("--include-feedback", help="Add agent/unit feedback as examples.")
    ] = False,
    feedback: Annotated[
        Path | None,
        typer.Option(help="Feedback JSONL (default: settings classifier.feedback_path)."),
    ] = None,
    userdict: Annotated[Path | None, typer.Option(help="jieba user dictionary file.")] = None,
) -> None:
    """Train the classifier (a progress bar shows the steps) and save a verified artifact."""
    from tqdm import tqdm

    from classifier.dataset import read_labelled_csv
    from classifier.feedback import feedback_examples, read_feedback_blocking
    from classifier.pipeline import PipelineParams
    from classifier.text import JiebaSegmenter
    from classifier.training import train_head_blocking
    from classifier.userdict import load_user_words
    from core.reference import load_reference

    try:
        groups = _detect_group_col(data, group_col)
        targets = [label_col, *[t for t in (also or []) if t != label_col]]
        params = PipelineParams(user_words=load_user_words(userdict))
        shared = JiebaSegmenter(user_words=params.user_words)  # one dictionary for all heads
        items = None
        feedback_path = feedback
        if include_feedback:
            if feedback_path is None:
                from hotline.settings import Settings

                feedback_path = Settings().classifier.feedback_path
            items = read_feedback_blocking(feedback_path)
        reference = load_reference()
        steps = 5 if include_feedback else 4
        with tqdm(total=steps * len(targets), desc="train", unit="step") as bar:
            for target in targets:
                dataset = read_labelled_csv(data, text_col, target, groups)
                examples = None
                if items is not None:
                    examples = feedback_examples(items, target, set(dataset.labels), reference)

                def step(name: str, target: str = target) -> None:
                    bar.set_postfix_str(f"{target}: {name}")
                    bar.update(1)

                head_dir = out if target == label_col else out / "heads" / target
                meta = train_head_blocking(
                    dataset,
                    head_dir,
                    target=target,
                    text_col=text_col,
                    params=params,
                    feedback=examples,
                    feedback_source=str(feedback_path) if feedback_path else None,
                    progress=step,
                    tokenizer_from=shared,
                )
                bar.write(_summary(meta, groups))
    except (DomainError, OSError) as error:
        raise _fail(error) from error


def _summary(meta: dict[str, Any], groups: str | None) -> str:
    scores = meta.get("scores", {})
    holdout = scores.get("holdout")
    line = f"{meta['target']}: {meta['n_train']} rows, {len(meta['labels'])} labels"
    if holdout:
        split = f"grouped by {groups}" if groups else "stratified"
        line += (
            f", hold-out ({split}) macro-F1 {holdout['macro_f1']:.4f}"
            f" accuracy {holdout['accuracy']:.4f}"
        )
    if meta.get("skipped_rows"):
        line += f", {meta['skipped_rows']} rows skipped (empty text/label)"
    fb = meta.get("feedback")
    if fb:
        line += "\n  " + _feedback_line(fb)
    return line + f", {meta['train_seconds']} s"


def _feedback_line(fb: dict[str, Any]) -> str:
    effect = fb.get("effect", {})
    head = f"feedback: {fb['n_examples']} examples ({fb['n_unusable']} without this label)"
    if "before" in effect:
        b, a = effect["before"], effect["after"]
        return (
            f"{head}; on {effect['n_test']} held-out feedback rows "
            f"before macro-F1 {b['macro_f1']:.4f} acc {b['accuracy']:.4f} → "
            f"after macro-F1 {a['macro_f1']:.4f} acc {a['accuracy']:.4f}"
        )
    return f"{head}; {effect.get('skipped', '')}"


def evaluate(
    model: Annotated[Path, typer.Option("--model", help="Model directory.")],
    data: Annotated[Path, typer.Option("--data", help="Labelled CSV (UTF-8).")],
    text_col: Annotated[str, typer.Option("--text-col")],
    label_col: Annotated[str, typer.Option("--label-col")],
    png: Annotated[
        Path | None, typer.Option(help="Confusion-matrix PNG (default: <model>/confusion.png).")
    ] = None,
    compare: Annotated[
        Path | None,
        typer.Option(help="An earlier model (e.g. before feedback): print before → after."),
    ] = None,
) -> None:
    """Print macro-F1, the per-class report and write a confusion-matrix PNG."""
    from classifier.dataset import read_labelled_csv
    from classifier.evaluation import evaluate_blocking
    from classifier.model import ModelBundle

    try:
        bundle = ModelBundle.load_blocking(model)
        dataset = read_labelled_csv(data, text_col, label_col)
        target_png = png or model / f"confusion_{label_col}.png"
        report = evaluate_blocking(bundle, dataset, label_col, target_png)
        earlier = None
        if compare is not None:
            earlier = evaluate_blocking(
                ModelBundle.load_blocking(compare),
                dataset,
                label_col,
                target_png.with_stem(target_png.stem + "_compare"),
            )
    except (DomainError, OSError) as error:
        raise _fail(error) from error
    typer.echo(f"model: {model} (head {report.target}, trained {report.metadata['trained_at']})")
    typer.echo(f"rows: {report.scores.n}")
    typer.echo(f"macro-F1: {report.scores.macro_f1:.4f}")
    typer.echo(f"accuracy: {report.scores.accuracy:.4f}")
    typer.echo(report.report)
    if report.unknown_labels:
        typer.echo(f"labels not known to the model: {', '.join(report.unknown_labels)}")
    fb = report.metadata.get("feedback")
    if fb:
        typer.echo(_feedback_line(fb))
    if earlier is not None:
        typer.echo(
            f"before ({compare}): macro-F1 {earlier.scores.macro_f1:.4f} accuracy "
            f"{earlier.scores.accuracy:.4f} → after ({model}): macro-F1 "
            f"{report.scores.macro_f1:.4f} accuracy {report.scores.accuracy:.4f}"
        )
    typer.echo(f"confusion matrix: {report.png}")
    for code, label in report.label_legend.items():
        typer.echo(f"  {code} = {label}")


def predict(
    texts: Annotated[list[str], typer.Argument(help="Appeal texts to classify.")],
    model: Annotated[Path, typer.Option("--model", help="Model directory.")],
    district: Annotated[str | None, typer.Option(help="属地：区县（来自自动填单）")] = None,
    street: Annotated[str | None, typer.Option(help="属地：街道/镇")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per text.")] = False,
) -> None:
    """Classify texts and suggest handling units with readable reasons."""
    from classifier.service import HotlineClassifier

    try:
        service = HotlineClassifier.load_blocking(model)
        for text in texts:
            result = service.classify_blocking(text, district=district, street=street)
            if as_json:
                typer.echo(json.dumps(_as_dict(result), ensure_ascii=False))
            else:
                typer.echo(_as_text(result))
    except (DomainError, OSError) as error:
        raise _fail(error) from error


def _as_dict(result: Any) -> dict[str, Any]:
    s = result.suggestion
    return {
        "text": result.text,
        "category": [[x.label, round(x.probability, 4)] for x in result.category.ranked],
        "subcategory": [[x.label, round(x.probability, 4)] for x in result.subcategory],
        "appeal_type": (
            [[x.label, round(x.probability, 4)] for x in result.appeal_type.ranked]
            if result.appeal_type
            else []
        ),
        "top_terms": list(result.category.top_terms),
        "sla_class": s.sla_class,
        "dispatch": s.dispatch,
        "emergency_prompt": s.emergency_prompt,
        "enterprise": s.enterprise,
        "units": [
            {
                "code": u.unit_code,
                "name": u.unit_name,
                "role": u.role,
                "p": u.probability,
                "reason": u.reason,
            }
            for u in s.units
        ],
        "copies": [
            {"code": u.unit_code, "name": u.unit_name, "reason": u.reason} for u in s.copies
        ],
    }


def _as_text(result: Any) -> str:
    s = result.suggestion
    fmt = "、".join
    lines = [f"「{result.text}」"]
    lines.append("  分类：" + fmt(f"{x.label} {x.probability:.0%}" for x in result.category.ranked))
    if result.subcategory:
        lines.append("  细类：" + fmt(f"{x.label} {x.probability:.0%}" for x in result.subcategory))
    if result.appeal_type:
        lines.append(
            "  诉求类型："
            + fmt(f"{x.label} {x.probability:.0%}" for x in result.appeal_type.ranked)
        )
    lines.append(f"  时限：{s.sla_text}" + ("；涉企诉求（直通车）" if s.enterprise else ""))
    if s.emergency_prompt:
        lines.append(f"  ⚠ {s.emergency_prompt}")
    for i, unit in enumerate(s.units, start=1):
        lines.append(
            f"  {i}. {unit.unit_name} [{unit.unit_code}] {unit.probability:.0%} — {unit.reason}"
        )
    for unit in s.copies:
        lines.append(f"  抄送 {unit.unit_name} — {unit.reason}")
    return "\n".join(lines)
