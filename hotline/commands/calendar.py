"""``python -m hotline calendar recompute-provisional``: recompute the deadlines that were
computed provisionally (a year without official calendar data) now that the data exists."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.commands.core import DataDir, _run, _settings
from hotline.settings import Settings

calendar_app = typer.Typer(help="Working-day calendar data.", no_args_is_help=True)


async def recompute(settings: Settings, *, dry_run: bool) -> None:
    from hotline.bootstrap import build_container
    from hotline.serving import require_migrated

    container = build_container(settings)
    try:
        await require_migrated(container)
        report = await container.recompute_deadlines.execute(dry_run=dry_run)
    finally:
        await container.stop()
    verb = "would recompute" if dry_run else "recomputed"
    typer.echo(f"{report.examined} open order(s) with provisional deadlines")
    typer.echo(f"{verb}: {len(report.recomputed)} {' '.join(report.recomputed)}".rstrip())
    if report.still_provisional:
        typer.echo(
            f"still provisional (calendar data missing): {len(report.still_provisional)} "
            + " ".join(report.still_provisional)
        )
    if report.skipped:
        typer.echo(
            f"skipped (no dispatch in trail / changed meanwhile): {' '.join(report.skipped)}"
        )


@calendar_app.command("recompute-provisional")
def recompute_provisional(
    data_dir: DataDir = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="report what would change, store nothing")
    ] = False,
) -> None:
    """Recompute provisional deadlines from their recorded clock starts (after adding a year
    to the override file or upgrading chinesecalendar)."""
    _run(recompute(_settings(data_dir, None), dry_run=dry_run))


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
