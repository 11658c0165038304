"""Voicemail spool re-import (留言补录) wiring: the use case over the Asterisk spool, the
container's voicemail store and intake; the periodic sweep the ``fastagi`` role runs when
``ivr.voicemail_spool`` is set; ``python -m hotline ivr reimport-voicemail`` uses the same."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from core.use_cases.voicemail_reimport import ReimportReport, ReimportVoicemail
from hotline.bootstrap import Container
from ivr_flows.voicemail_spool import AsteriskVoicemailSpool

log = logging.getLogger(__name__)


def build_reimport(
    container: Container, spool: Path, mailboxes: Sequence[str], settle_s: float
) -> ReimportVoicemail:
    return ReimportVoicemail(
        AsteriskVoicemailSpool(spool, mailboxes),
        container.voicemails,
        container.voicemail_intake,
        container.clock,
        settle=timedelta(seconds=settle_s),
    )


@dataclass(slots=True)
class VoicemailSweeper:
    """Re-imports the spool every ``interval_s``; a failed pass is logged and retried."""

    reimport: ReimportVoicemail
    interval_s: float
    passes: int = 0
    imported: int = 0
    _reported: set[str] = field(default_factory=set)  # broken files already logged

    async def run(self) -> None:
        while True:
            try:
                self.report(await self.reimport.execute())
            except Exception:  # spool unmounted, database down …: next pass retries
                log.exception("voicemail spool re-import failed; retrying")
            await asyncio.sleep(self.interval_s)

    def report(self, report: ReimportReport) -> None:
        self.passes += 1
        self.imported += len(report.imported)
        for problem in [*report.broken, *report.failed]:
            if str(problem) not in self._reported:  # once per file and reason, not every pass
                self._reported.add(str(problem))
                log.warning("voicemail spool: %s", problem)
        if report.imported or report.failed:
            log.info("voicemail spool re-import: %s", report.summary())


async def voicemail_sweep_component(container: Container) -> None:
    """The periodic spool re-import; nothing without ``ivr.voicemail_spool`` (the demo has
    no spool)."""
    ivr = container.settings.ivr
    if ivr.voicemail_spool is None:
        return
    sweeper = VoicemailSweeper(
        build_reimport(
            container, ivr.voicemail_spool, ivr.voicemail_mailboxes, ivr.voicemail_settle_s
        ),
        ivr.voicemail_sweep_interval_s,
    )
    container.extras["voicemail_sweep"] = sweeper
    container.spawn(sweeper.run(), name="voicemail-sweep")
    log.info(
        "voicemail spool %s (%s): re-import every %gs",
        ivr.voicemail_spool,
        ", ".join(ivr.voicemail_mailboxes),
        ivr.voicemail_sweep_interval_s,
    )
