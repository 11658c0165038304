"""Voicemail spool re-import against real SQLite and PostgreSQL: message files written in
app_voicemail's format in a tmp spool, live imports through the real FastAGI server over TCP,
the periodic sweep of the fastagi role, and the CLI as operators run it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import typer
from sqlalchemy import text
from typer.testing import CliRunner

from core.clock import ManualClock
from core.use_cases.voicemail_reimport import ReimportReport
from hotline.bootstrap import Container, build_container
from hotline.commands.ivr import register
from hotline.components import ivr_ports
from hotline.settings import Settings
from hotline.voicemail_sweep import VoicemailSweeper, build_reimport, voicemail_sweep_component
from ivr_flows.fastagi import FastAgiServer, IvrService
from ivr_flows.loader import default_flow_path, load_flow
from tests.integration.api_client import START, Api
from tests.integration.test_fastagi import Asterisk, env
from tests.spool_support import LINKEDID, MAILBOX, write_message
from tests.waiting import wait_until

ORIGTIME = int(START.timestamp()) - 20  # VoiceMail() began 20 s before voicemail-done ran
LIVE_SPOOL = "/opt/asterisk/var/spool/asterisk/voicemail/hotline/12345/INBOX"  # fixtures/agi


async def voicemail_orders(container: Container) -> dict[str, str]:
    """call id → content of every voicemail work order."""
    async with container.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT call_id, content FROM work_orders WHERE channel = 'voicemail'")
        )
        return {str(call_id): str(content) for call_id, content in rows}


async def sweep(container: Container, spool: Path) -> ReimportReport:
    return await build_reimport(container, spool, [MAILBOX], settle_s=0).execute()


async def test_every_spool_message_becomes_one_draft(api: Api, tmp_path: Path) -> None:
    c = api.container
    write_message(tmp_path, 0, origtime=ORIGTIME)
    legacy = write_message(  # left before the dialplan set VM_CATEGORY; wav49 audio
        tmp_path, 1, audio=("WAV",), origtime=ORIGTIME + 1, category="",
        msg_id="1795241900-00000001", callerid='"王五" <13912345678>',
    )  # fmt: skip
    no_audio = write_message(
        tmp_path, 2, audio=(), origtime=ORIGTIME + 2, category="call:1795241999.20",
        msg_id="1795242000-00000002",
    )  # fmt: skip
    broken = write_message(tmp_path, 3, text=";\n[message]\norigtime=\ncallerid=139\n")
    write_message(
        tmp_path, 0, folder="Old", audio=("gsm",), origtime=ORIGTIME - 900,
        category="call:1795240000.3", msg_id="1795240000-00000003", callerid="Unknown",
    )  # fmt: skip
    api.clock.advance(timedelta(hours=1))

    first = await sweep(c, tmp_path)
    assert len(first.imported) == 4
    assert [(p.path, p.reason) for p in first.broken] == [
        (str(broken), "no origtime (when the message was left)")
    ]
    orders = await voicemail_orders(c)
    assert set(orders) == {LINKEDID, "vm:1795241900-00000001", "1795241999.20", "1795240000.3"}
    assert "录音文件缺失" in orders["1795241999.20"]
    assert str(no_audio.with_suffix("")) in orders["1795241999.20"]
    assert str(legacy.with_suffix(".WAV")) in orders["vm:1795241900-00000001"]
    jobs = {j.call_id for j in await c.transcription_jobs.all()}
    assert jobs == {LINKEDID, "vm:1795241900-00000001", "1795240000.3"}  # no audio, no job
    callbacks = {t.call_id for t in await c.callbacks.open_tasks()}
    assert callbacks == {LINKEDID, "vm:1795241900-00000001", "1795241999.20"}  # Unknown: none
    stored = await c.voicemails.get("vm:1795241900-00000001")
    assert stored is not None
    assert stored[0].caller_number == "13912345678"
    assert stored[0].received_at.timestamp() == ORIGTIME + 1  # when it was left, not now
    assert stored[1] is not None

    second = await sweep(c, tmp_path)
    assert (second.imported, len(second.present), len(second.broken)) == ([], 4, 1)
    assert await voicemail_orders(c) == orders
    assert len(await c.transcription_jobs.all()) == 3


async def live_voicemail_done(container: Container, **override: str) -> None:
    """Asterisk runs ``voicemail-done`` on the real FastAGI server wired to ``container``."""
    server = FastAgiServer(IvrService(load_flow(default_flow_path()), ivr_ports(container)), port=0)
    _, port = await server.start()
    try:
        await asyncio.wait_for(Asterisk().call(port, env("voicemail-done.env", **override)), 10)
    finally:
        await server.close()


async def test_a_message_imported_live_is_not_imported_again(api: Api, tmp_path: Path) -> None:
    c = api.container
    await live_voicemail_done(c)  # msg0000 of call 1795241780.7, with VM_CATEGORY
    await live_voicemail_done(  # msg0001 of another call, left before VM_CATEGORY was set
        c, agi_arg_1=f"{LIVE_SPOOL}/msg0001", agi_arg_3="1795241790.9", agi_uniqueid="1795241790.9"
    )
    live = await voicemail_orders(c)
    assert set(live) == {LINKEDID, "1795241790.9"}
    # the same two messages, as the spool holds them (seen here under another mount point);
    # the first was since listened to and moved to Old: only its linkedid recognises it
    write_message(tmp_path, 0, folder="Old", origtime=ORIGTIME)
    write_message(tmp_path, 1, origtime=ORIGTIME + 2, category="", msg_id="1795241844-00000001")
    api.clock.advance(timedelta(minutes=10))

    report = await sweep(c, tmp_path)
    assert (report.imported, len(report.present), report.failed) == ([], 2, [])
    assert await voicemail_orders(c) == live
    assert {t.call_id for t in await c.callbacks.open_tasks()} == {LINKEDID, "1795241790.9"}


async def test_the_fastagi_role_sweeps_the_spool(seeded_url: str, tmp_path: Path) -> None:
    write_message(tmp_path, 0, origtime=ORIGTIME)
    settings = Settings(
        database={"url": seeded_url},
        ivr={
            "voicemail_spool": str(tmp_path),
            "voicemail_sweep_interval_s": 0.05,
            "voicemail_settle_s": 0,
        },
    )
    container = build_container(settings, clock=ManualClock(START + timedelta(hours=1)))
    try:
        await voicemail_sweep_component(container)
        sweeper = container.extras["voicemail_sweep"]
        assert isinstance(sweeper, VoicemailSweeper)
        await wait_until(lambda: sweeper.passes >= 2, "two sweeps")
        assert sweeper.imported == 1  # the second pass found it present
        assert set(await voicemail_orders(container)) == {LINKEDID}
    finally:
        await container.stop()
    # without a spool setting (the demo) the component starts nothing
    idle = build_container(Settings(database={"url": seeded_url}))
    try:
        await voicemail_sweep_component(idle)
        assert "voicemail_sweep" not in idle.extras
    finally:
        await idle.stop()


def test_the_cli_prints_counts_and_names_broken_files(seeded_url: str, tmp_path: Path) -> None:
    write_message(tmp_path, 0, origtime=ORIGTIME)
    broken = write_message(tmp_path, 1, text="garbage\n")
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command keeps "ivr" a sub-command group
        pass

    runner = CliRunner()
    environment = {"HOTLINE_DATABASE__URL": seeded_url}
    args = ["ivr", "reimport-voicemail", "--spool", str(tmp_path), "--settle", "0"]

    first = runner.invoke(app, args, env=environment)
    assert first.exit_code == 1, first.output  # a broken file needs a person
    assert "imported 1, already present 0, broken 1, failed 0" in first.stdout
    assert f"broken {broken}: line 1: expected key=value" in first.stderr
    second = runner.invoke(app, args, env=environment)
    assert "imported 0, already present 1, broken 1" in second.stdout

    broken.unlink()
    third = runner.invoke(app, args, env=environment)
    assert third.exit_code == 0, third.output
    assert "imported 0, already present 1, broken 0, failed 0" in third.stdout
    missing = runner.invoke(
        app, ["ivr", "reimport-voicemail", "--spool", str(tmp_path / "x")], env=environment
    )
    assert missing.exit_code == 1
    assert "is not a directory" in missing.stderr
