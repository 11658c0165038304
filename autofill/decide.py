"""Whole-call fields from accumulated cues: appeal type, urgency, enterprise flag, category."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from autofill.cues import UTILITY_OUTAGE
from autofill.model import Cue, FieldValue, LabelScore

PREDICTOR_MIN = 0.6  # a classifier opinion below this does not override cue evidence


def appeal_type(cues: Iterable[Cue], predicted: Sequence[LabelScore] = ()) -> FieldValue | None:
    scores: dict[str, float] = defaultdict(float)
    strongest: dict[str, Cue] = {}
    for cue in cues:
        if cue.kind != "appeal_type":
            continue
        scores[cue.label] += cue.weight
        best = strongest.get(cue.label)
        if best is None or cue.weight > best.weight:
            strongest[cue.label] = cue
    explicit = {label for label, cue in strongest.items() if cue.weight >= 3.0}
    top = predicted[0] if predicted else None
    if top is not None and top.probability >= PREDICTOR_MIN and not explicit:
        return FieldValue(
            "appeal_type", top.label, top.probability, None, detail={"by": "classifier"}
        )
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    label, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if label in explicit:
        confidence = 0.9 if score - runner_up >= 2.0 else 0.75
    else:
        confidence = min(0.8, 0.45 + 0.35 * (score - runner_up) / (score + 1.0))
    cue = strongest[label]
    return FieldValue(
        "appeal_type",
        label,
        round(confidence, 3),
        (cue.start, cue.end),
        detail={"by": "cues", "cue": cue.word},
    )


def urgency(cues: Iterable[Cue]) -> FieldValue:
    emergencies = [c for c in cues if c.kind == "emergency"]
    if emergencies:
        hotlines = Counter(c.label for c in emergencies)
        first = min(emergencies, key=lambda c: c.start)
        return FieldValue(
            "urgency",
            "emergency",
            0.95 if len(emergencies) > 1 else 0.85,
            (first.start, first.end),
            detail={
                "transfer": "/".join(h for h, _ in hotlines.most_common()),
                "cue": first.word,
            },
        )
    outages = [c for c in cues if c.kind == "utility" and c.weight >= 1.0]
    if outages:
        utilities = Counter(c.label for c in outages)
        first = min(outages, key=lambda c: c.start)
        return FieldValue(
            "urgency",
            "utility_24h",
            0.9 if len(outages) > 1 else 0.8,
            (first.start, first.end),
            detail={"utility": utilities.most_common(1)[0][0], "cue": first.word},
        )
    return FieldValue("urgency", "normal", 0.5, None)


def enterprise(cues: Iterable[Cue]) -> FieldValue | None:
    hits = [c for c in cues if c.kind == "enterprise"]
    score = sum(c.weight for c in hits)
    if not hits or score < 0.8:
        return None
    strong = [c for c in hits if c.weight >= 1.0]
    cue = min(strong or hits, key=lambda c: c.start)
    confidence = 0.85 if strong else 0.55
    return FieldValue(
        "enterprise", "true", confidence, (cue.start, cue.end), detail={"cue": cue.word}
    )


def category(predicted: Sequence[LabelScore]) -> FieldValue | None:
    if not predicted:
        return None
    top = predicted[0]
    alternatives = ",".join(f"{p.label}:{p.probability:.2f}" for p in predicted[1:3])
    detail = {"by": "classifier"}
    if alternatives:
        detail["alternatives"] = alternatives
    return FieldValue("category", top.label, top.probability, None, detail=detail)


def topic(cues: Iterable[Cue]) -> str | None:
    topics = [c for c in cues if c.kind in ("topic", "emergency")]
    if not topics:
        return None
    counts: Counter[str] = Counter()
    for cue in topics:
        # An outage or an emergency says more about the case than who is blamed for it.
        counts[cue.word] += 3 if cue.kind == "emergency" or cue.word in UTILITY_OUTAGE else 1
    first_seen: dict[str, int] = {}
    for cue in sorted(topics, key=lambda c: c.start):
        first_seen.setdefault(cue.word, cue.start)
    return min(counts, key=lambda w: (-counts[w], first_seen[w]))
