"""``python -m hotline simulate``: the PBX simulator and the real AMI bridge over TCP on
localhost; prints the bridge's KPIs beside the simulator's ground truth and exits non-zero on
any difference."""

from __future__ import annotations

import logging

import typer


def register(app: typer.Typer) -> None:
    @app.command("simulate")
    def simulate(
        calls: int = typer.Option(1000, "--calls", min=1, help="calls to simulate"),
        agents: int = typer.Option(10, "--agents", min=1, help="agents (queue members)"),
        seed: int = typer.Option(1, "--seed", help="seed of the call model"),
        speed: float = typer.Option(1000.0, "--speed", min=1.0, help="time compression"),
        cuts: int = typer.Option(0, "--cuts", min=0, help="times to cut the AMI connection"),
        verbose: bool = typer.Option(False, "--verbose", help="log the bridge's warnings"),
    ) -> None:
        """Simulate calls through PBX simulator → AMI over TCP → bridge; compare KPIs."""
        from telephony.sim.harness import format_report, run_blocking

        logging.basicConfig(level=logging.WARNING if verbose else logging.ERROR)
        report = run_blocking(calls, agents, seed, speed, cuts)
        typer.echo(format_report(report))
        if not report.ok:
            raise typer.Exit(code=1)
