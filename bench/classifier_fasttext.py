"""The fastText anchor's model family on *our* folds: is 0.93 fastText's, or the split's?

    pip install '.[anchors]'        # fasttext-wheel (optional; not needed by the product)
    python bench/classifier_fasttext.py [--protocols grouped random] [--folds 5]

The dataset README quotes fastText at macro-F1 0.93 on a random split (no settings published).
This trains Facebook's fastText (supervised, softmax) on the same ``text_seg`` tokens and the same
folds as ``bench/classifier.py`` — grouped 5-fold over ``dup_group`` (the honest protocol) and the
random stratified 5-fold (the anchors' leak-prone one) — over a small grid (epochs, learning rate,
word n-grams, character n-grams inside words) and prints every setting, best first. The grid is
scored on the test folds themselves, which flatters fastText: the figure is an upper bound of what
these settings reach, not a nested estimate. Single-threaded and seeded, so runs repeat.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold  # noqa: E402

FJ2 = ROOT.parent / "shared" / "data" / "tipdm2020c_fj2_l1" / "fj2_l1_dev.csv"
# (epoch, lr, wordNgrams, minn, maxn): fastText's documented knobs for text classification
GRID = [
    (25, 0.5, 1, 0, 0),
    (50, 0.1, 1, 0, 0),
    (50, 0.5, 1, 0, 0),
    (50, 0.5, 2, 0, 0),
    (50, 1.0, 2, 0, 0),
    (50, 0.1, 1, 1, 3),
    (50, 0.5, 2, 1, 3),
]


def folds(protocol: str, x: Any, y: Any, groups: Any) -> list[tuple[Any, Any]]:
    if protocol == "grouped":
        split = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
        return list(split.split(x, y, groups))
    return list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(x, y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--protocols", nargs="+", default=["grouped", "random"])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    try:
        import fasttext  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print("fastText is not installed: pip install '.[anchors]' (fasttext-wheel)")
        raise SystemExit(2) from None
    frame: Any = pd.read_csv(FJ2)
    x = frame.text_seg.fillna("").astype(str).str.replace("\n", " ").to_numpy()
    labels, y = np.unique(frame.label_l1.to_numpy(), return_inverse=True)
    groups = frame.dup_group.to_numpy()
    work = Path(tempfile.mkdtemp(prefix="bench-fasttext-"))
    for protocol in args.protocols:
        scores: dict[tuple[int, float, int, int, int], list[float]] = {g: [] for g in GRID}
        for k, (tr, te) in enumerate(folds(protocol, x, y, groups)[: args.folds]):
            started = time.perf_counter()
            train = work / "train.txt"
            train.write_text("".join(f"__label__{y[i]} {x[i]}\n" for i in tr), encoding="utf-8")
            for setting in GRID:
                epoch, lr, ngrams, minn, maxn = setting
                model = fasttext.train_supervised(
                    str(train),
                    epoch=epoch,
                    lr=lr,
                    wordNgrams=ngrams,
                    minn=minn,
                    maxn=maxn,
                    dim=100,
                    minCount=1,
                    thread=1,
                    seed=0,
                    verbose=0,
                )
                # model.f.predict: fastText's own predict() breaks on NumPy 2 (copy=False)
                pred = [int(model.f.predict(x[i] + "\n", 1, 0.0, "strict")[0][1][9:]) for i in te]
                scores[setting].append(float(f1_score(y[te], pred, average="macro")))
            print(f"[{protocol}] fold {k}: {time.perf_counter() - started:.0f}s", flush=True)
        print(f"\n## fastText, {protocol} 5-fold, macro-F1 (best first; {len(labels)} labels)")
        for setting, values in sorted(scores.items(), key=lambda kv: -np.mean(kv[1])):
            epoch, lr, ngrams, minn, maxn = setting
            print(
                f"  epoch={epoch} lr={lr} wordNgrams={ngrams} minn={minn} maxn={maxn}: "
                f"{np.mean(values):.4f} ± {np.std(values):.4f}  "
                f"per fold {', '.join(f'{v:.4f}' for v in values)}"
            )


if __name__ == "__main__":
    main()
