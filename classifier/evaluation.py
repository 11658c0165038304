"""Evaluate a saved model on labelled data: macro-F1, per-class report, confusion-matrix PNG."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from classifier.dataset import LabelledData
from classifier.model import Head, ModelBundle
from classifier.training import Scores, score
from core.errors import ValidationError

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    target: str
    scores: Scores
    report: str
    png: Path
    label_legend: dict[str, str]
    unknown_labels: list[str]
    metadata: dict[str, Any]


def pick_head(bundle: ModelBundle, label_col: str) -> Head:
    head = bundle.head(label_col)
    return head if head is not None else bundle.main


def evaluate_blocking(
    bundle: ModelBundle, data: LabelledData, label_col: str, png: Path
) -> EvaluationReport:
    head = pick_head(bundle, label_col)
    known = set(head.classes)
    unknown = sorted(set(data.labels) - known)
    if not set(data.labels) & known:
        raise ValidationError(
            f"数据列 {label_col} 的标签与模型 {head.target} 的标签没有交集"
            f"（模型标签：{', '.join(sorted(known))[:200]}）",
            code="classifier.labels_disjoint",
        )
    predicted = head.predict_blocking(data.texts)
    # Report (and macro-average) over the data's classes; the matrix shows every label used.
    truth_labels = sorted(set(data.labels))
    report = classification_report(
        data.labels, predicted, labels=truth_labels, zero_division=0, digits=4
    )
    labels = sorted(set(data.labels) | set(predicted))
    matrix = confusion_matrix(data.labels, predicted, labels=labels)
    legend = plot_confusion_blocking(matrix, labels, png, title=f"{head.target} ({len(data)} rows)")
    return EvaluationReport(
        target=head.target,
        scores=score(data.labels, predicted),
        report=str(report),
        png=png,
        label_legend=legend,
        unknown_labels=unknown,
        metadata=head.loaded.metadata,
    )


def _ascii_codes(labels: list[str]) -> list[str]:
    """Category names → their reference codes (城乡建设 → urban); other non-ASCII → L<i>."""
    from core.reference import load_reference

    reference = load_reference()
    out: list[str] = []
    for i, label in enumerate(labels):
        category = reference.resolve_category(label)
        if label.isascii():
            out.append(label)
        elif category is not None and category.code not in out:
            out.append(category.code)
        else:
            out.append(f"L{i}")
    return out


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in available), None)


def plot_confusion_blocking(
    matrix: np.ndarray[Any, Any], labels: list[str], png: Path, title: str
) -> dict[str, str]:
    """Write the PNG; without a CJK font, labels become codes (category codes like ``urban``,
    else L0, L1…) and the legend maps them back (returned and printed by the CLI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    needs_font = any(not label.isascii() for label in labels)
    legend: dict[str, str] = {}
    shown = labels
    if needs_font and font is None:
        shown = _ascii_codes(labels)
        legend = {code: label for code, label in zip(shown, labels, strict=True) if code != label}
    size = max(6.0, 0.45 * len(labels) + 3)
    with plt.rc_context({"font.sans-serif": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}):
        fig, ax = plt.subplots(figsize=(size, size))
        try:
            ax.imshow(matrix, cmap="Blues")
            ax.set_xticks(range(len(shown)), shown, rotation=90)
            ax.set_yticks(range(len(shown)), shown)
            ax.set_xlabel("predicted")
            ax.set_ylabel("true")
            ax.set_title(title)
            if len(labels) <= 20:
                peak = matrix.max() or 1
                for (i, j), value in np.ndenumerate(matrix):
                    if value:
                        colour = "white" if value > peak / 2 else "black"
                        ax.text(
                            j, i, str(value), ha="center", va="center", color=colour, fontsize=8
                        )
            fig.tight_layout()
            png.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(png, dpi=110)
        finally:
            plt.close(fig)
    return legend
