"""``python -m hotline calls export-queue-log --since … --until …``: queue_log-compatible lines
(QueueMetrics / Asternic input) from our own stored call timeline."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from core.clock import SHANGHAI
from hotline.commands.core import DataDir, _run, _settings
from hotline.settings import Settings

calls_app = typer.Typer(help="Call records and the stored call timeline.", no_args_is_help=True)
log = logging.getLogger(__name__)


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date/time: {text!r}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


async def export_lines(settings: Settings, since: datetime, until: datetime) -> list[str]:
    from core.calls import from_stored
    from hotline.bootstrap import build_container
    from hotline.serving import require_migrated
    from telephony.queue_log_export import export_queue_log

    container = build_container(settings)
    try:
        await require_migrated(container)
        stored = await container.call_events.between(since, until)
    finally:
        await container.stop()
    events = []
    skipped = 0
    for item in stored:
        try:
            events.append(from_stored(item))
        except ValueError:  # gap markers, IVR outcome records: not queue_log material
            skipped += 1
    if skipped:
        log.info("%d stored events have no queue_log form", skipped)
    return export_queue_log(events)


@calls_app.command("export-queue-log")
def export(
    since: Annotated[str, typer.Option(help="start, ISO (Asia/Shanghai when no zone)")],
    until: Annotated[str, typer.Option(help="end (exclusive), ISO")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default stdout)")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Write queue_log lines for the calls stored between SINCE and UNTIL."""
    start, end = _when(since), _when(until)
    if end <= start:
        raise typer.BadParameter("--until must be after --since")
    settings = _settings(data_dir, None)
    lines: list[str] = []

    async def go() -> None:
        lines.extend(await export_lines(settings, start, end))

    _run(go())
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    typer.echo(f"{len(lines)} queue_log lines", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(calls_app, name="calls")
