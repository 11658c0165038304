"""Build the auto-fill from plain configuration values (the wiring in ``hotline`` calls this)."""

from __future__ import annotations

from pathlib import Path

from autofill.model import CategoryPredictor
from autofill.scan import TranscriptScanner
from autofill.session import AutofillSession
from core.divisions import Gazetteer, default_gazetteer_path
from core.ports import Clock


def build_scanner(
    *, city: str, gazetteer_path: Path | None = None, area_code: str = "029"
) -> TranscriptScanner:
    """Loads the gazetteer (≈0.1 s; cpca adds ≈0.3 s on first use): one scanner per process."""
    path = gazetteer_path or default_gazetteer_path(city)
    return TranscriptScanner(Gazetteer.load(path), area_code=area_code)


def new_session(
    scanner: TranscriptScanner,
    *,
    predictor: CategoryPredictor | None = None,
    clock: Clock | None = None,
    overlap: int = 48,
    category_every: int = 40,
) -> AutofillSession:
    return AutofillSession(
        scanner,
        predictor=predictor,
        clock=clock,
        overlap=overlap,
        category_every=category_every,
    )
