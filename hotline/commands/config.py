"""``python -m hotline config-table [--write docs/operations.md]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("config-table")
    def config_table_command(
        write: Annotated[
            Path | None, typer.Option(help="update the table between the markers in this file")
        ] = None,
    ) -> None:
        """Print every HOTLINE_ environment variable with its default and meaning (Markdown)."""
        from hotline.config_table import BEGIN, config_table, embed

        if write is None:
            typer.echo(config_table(), nl=False)
            return
        doc = write.read_text(encoding="utf-8")
        if BEGIN not in doc:
            raise typer.BadParameter(f"{write} has no {BEGIN} marker")
        write.write_text(embed(doc), encoding="utf-8")
        typer.echo(f"updated {write}")
