"""``python -m hotline run ROLE``: one role per process (see :mod:`hotline.roles`)."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.commands.core import DataDir, Port, _run, _settings


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_role_command(
        role: Annotated[
            str, typer.Argument(help="api | ami-bridge | asr-worker | worker | scheduler | fastagi")
        ],
        data_dir: DataDir = None,
        port: Port = None,
        interval: Annotated[
            float, typer.Option(min=0.05, help="scheduler: seconds between escalation scans")
        ] = 60.0,
    ) -> None:
        """Run one role of the system (the same bootstrap as ``demo``)."""
        from hotline.roles import ROLES, run_role

        if role not in ROLES:
            raise typer.BadParameter(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        _run(run_role(_settings(data_dir, port), role, interval_s=interval))
