"""``python -m hotline ivr …``: validate flow files, simulate a flow under load, re-import the
voicemail spool."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from core.callsim import (
    AgentSpec,
    CallSimConfig,
    curve_for_daily_volume,
    flat_curve,
    simulate,
)
from core.clock import SHANGHAI
from core.use_cases.voicemail_reimport import ReimportReport
from hotline.commands.core import DataDir, _run, _settings
from hotline.settings import Settings
from ivr_flows.flow import Flow
from ivr_flows.loader import FlowFileError, load_flow
from ivr_flows.simulation import FlowPolicy, report

START = "2026-11-23T09:00"  # a Monday; deterministic default for reproducible figures
ivr = typer.Typer(
    help="IVR flows: validate, simulate; voicemail spool re-import.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(ivr, name="ivr")


def _load_or_exit(file: Path) -> Flow:
    """The flow in ``file``; else every problem as FILE:LINE:COL: FIELD: MESSAGE and exit 1."""
    try:
        flow = load_flow(file)
    except FlowFileError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from exc
    return flow


@ivr.command("validate")
def validate(file: Annotated[Path, typer.Argument(help="Flow file (YAML).")]) -> None:
    """Check a flow file; print every problem as FILE:LINE:COL: FIELD: MESSAGE."""
    flow = _load_or_exit(file)
    typer.echo(
        f"OK {file}: flow {flow.flow!r}, mode {flow.mode}, {len(flow.menus)} menus, "
        f"{len(flow.diversion)} diversion rules, entry "
        f"{'menu ' + repr(flow.menu) if flow.menu else 'straight to queue ' + repr(flow.queue)}"
    )


@ivr.command("simulate")
def simulate_flow(
    file: Annotated[Path, typer.Argument(help="Flow file (YAML).")],
    arrivals: Annotated[float, typer.Option(help="Calls/hour (calls/day with --daily).")] = 450,
    agents: Annotated[int, typer.Option(help="Agents logged in.")] = 20,
    hours: Annotated[float, typer.Option(help="Hours of arrivals.")] = 3.0,
    daily: Annotated[bool, typer.Option(help="Arrivals per day on the 12345 curve.")] = False,
    talk: Annotated[float, typer.Option(help="Mean talk time, seconds.")] = 180.0,
    patience: Annotated[float, typer.Option(help="Mean patience in queue, seconds.")] = 180.0,
    no_answer: Annotated[float, typer.Option(help="Share of rings an agent misses.")] = 0.03,
    key_exit: Annotated[float, typer.Option(help="Share of queued callers pressing a key.")] = 0.05,
    start: Annotated[str, typer.Option(help="Start, ISO; Asia/Shanghai if no zone.")] = START,
    seed: Annotated[int, typer.Option()] = 42,
    diversion: Annotated[bool, typer.Option(help="Apply the flow's diversion rules.")] = True,
) -> None:
    """Drive the call model through the flow and print answer rate, SL-15, abandons, diversion."""
    flow = _load_or_exit(file)
    if agents < 0 or arrivals < 0 or hours <= 0:
        raise typer.BadParameter("agents/arrivals must be ≥ 0 and hours > 0")
    when = datetime.fromisoformat(start)
    if when.tzinfo is None:
        when = when.replace(tzinfo=SHANGHAI)
    if not diversion:
        flow = flow.model_copy(update={"diversion": []})
    policy = FlowPolicy(flow)
    config = CallSimConfig(
        start=when,
        duration_s=hours * 3600,
        arrivals_per_hour=curve_for_daily_volume(arrivals) if daily else flat_curve(arrivals),
        agents=tuple(
            AgentSpec(f"Agent {8001 + i}", talk_mean_s=talk, no_answer_prob=no_answer)
            for i in range(agents)
        ),
        patience_mean_s=patience,
        key_exit_prob=key_exit,
        policy=policy,
        seed=seed,
    )
    typer.echo(f"flow {flow.flow!r}, diversion {'on' if diversion else 'off'}, seed {seed}")
    for line in report(simulate(config), policy.predictions).lines():
        typer.echo(line)


async def reimport_spool(
    settings: Settings, spool: Path, mailboxes: list[str], settle_s: float
) -> ReimportReport:
    from hotline.bootstrap import build_container
    from hotline.serving import require_migrated
    from hotline.voicemail_sweep import build_reimport

    container = build_container(settings)
    try:
        await require_migrated(container)
        return await build_reimport(container, spool, mailboxes, settle_s).execute()
    finally:
        await container.stop()


@ivr.command("reimport-voicemail")
def reimport_voicemail(
    spool: Annotated[
        Path | None,
        typer.Option(help="Asterisk spool dir (holds voicemail/). Default: ivr.voicemail_spool."),
    ] = None,
    mailbox: Annotated[
        list[str] | None,
        typer.Option(help="box@context, repeatable. Default: ivr.voicemail_mailboxes."),
    ] = None,
    settle: Annotated[
        float | None,
        typer.Option(help="Skip messages that ended less than this many s ago (live paths)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Turn every voicemail in the spool that has no work-order draft yet into one (once)."""
    settings = _settings(data_dir, None)
    where = spool or settings.ivr.voicemail_spool
    if where is None:
        raise typer.BadParameter("give --spool or set HOTLINE_IVR__VOICEMAIL_SPOOL")
    boxes = mailbox or settings.ivr.voicemail_mailboxes
    wait = settings.ivr.voicemail_settle_s if settle is None else settle
    reports: list[ReimportReport] = []

    async def go() -> None:
        reports.append(await reimport_spool(settings, where, boxes, wait))

    _run(go())
    if not reports:  # _run reported the error
        raise typer.Exit(1)
    report = reports[0]
    for message, draft_id in report.imported:
        typer.echo(f"imported {message.path} → draft {draft_id}")
    for problem in report.broken:
        typer.echo(f"broken {problem}", err=True)
    for problem in report.failed:
        typer.echo(f"failed {problem}", err=True)
    typer.echo(f"{where} ({', '.join(boxes)}): {report.summary()}")
    if report.broken or report.failed:
        raise typer.Exit(1)  # a message needs a person: it is not a draft yet
