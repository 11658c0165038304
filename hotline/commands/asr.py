"""``python -m hotline transcribe FILE…`` and ``python -m hotline models fetch|list``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from hotline.settings import Settings


def _model_path(settings: Settings, model: Path | None) -> Path:
    from asr.vosk_adapter import find_model_dir

    return find_model_dir(model or settings.asr.model_path, settings.asr.models_dir)


def transcribe(
    files: Annotated[list[Path], typer.Argument(help="WAV files (any rate, width, channels).")],
    model: Annotated[Path | None, typer.Option(help="Vosk model directory.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
) -> None:
    """Transcribe recordings / voicemail with the Vosk model (resampled to the model rate)."""
    from asr.batch import FileTranscript, transcribe_files_blocking
    from asr.vosk_adapter import (
        ModelNotFoundError,
        VoskRecognizerFactory,
        load_model_blocking,
        model_sample_rate,
    )

    settings = Settings()
    try:
        path = _model_path(settings, model)
        factory = VoskRecognizerFactory(load_model_blocking(path))
    except ModelNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    bar = tqdm(total=len(files), unit="file", desc="transcribe")

    def done(result: FileTranscript) -> None:
        bar.update(1)
        if result.error is not None:
            tqdm.write(f"error: {result.error}", file=sys.stderr)
        elif as_json:
            record = {
                "file": str(result.path),
                "text": result.text,
                "duration_s": round(result.duration_s, 2),
                "segments": [asdict(s) for s in result.segments],
            }
            tqdm.write(json.dumps(record, ensure_ascii=False))
        else:
            tqdm.write(f"{result.path}\t{result.text}")

    results = transcribe_files_blocking(files, factory, model_sample_rate(path), on_done=done)
    bar.close()
    if any(r.error for r in results):
        raise typer.Exit(1)


models_app = typer.Typer(help="Vosk models under models/.", no_args_is_help=True)


@models_app.command("fetch")
def fetch(
    name: Annotated[str, typer.Option(help="Model name.")] = "vosk-model-small-cn-0.22",
    base_url: Annotated[str | None, typer.Option(help="Mirror to download from.")] = None,
    sha256: Annotated[str | None, typer.Option(help="Expected SHA-256 (unknown models).")] = None,
    size: Annotated[int | None, typer.Option(help="Expected size in bytes.")] = None,
    models_dir: Annotated[Path | None, typer.Option(help="Target directory.")] = None,
) -> None:
    """Download (resumable), verify size + SHA-256, unpack into models/."""
    from asr.models import BASE_URL, FetchError, fetch_model_blocking

    target_dir = models_dir or Settings().asr.models_dir
    bar = tqdm(unit="B", unit_scale=True, desc=name)

    def progress(done: int, total: int | None) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        path = fetch_model_blocking(
            name,
            target_dir,
            base_url=base_url or BASE_URL,
            sha256=sha256,
            size=size,
            progress=progress,
        )
    except FetchError as exc:
        bar.close()
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    bar.close()
    typer.echo(f"model ready: {path}")


@models_app.command("list")
def list_(
    models_dir: Annotated[Path | None, typer.Option(help="Directory to look in.")] = None,
) -> None:
    """Show the models present (and the known ones that are not)."""
    from asr.models import list_models

    settings = Settings()
    target_dir = models_dir or settings.asr.models_dir
    for entry in list_models(target_dir):
        mark = "*" if entry.usable else "-"
        typer.echo(f"{mark} {entry.name}\t{entry.note}" + (f"\t{entry.path}" if entry.path else ""))


def register(app: typer.Typer) -> None:
    app.command("transcribe")(transcribe)
    app.add_typer(models_app, name="models")
