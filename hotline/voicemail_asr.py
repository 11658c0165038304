"""Batch transcription of voicemail (电话语音留言) for the asr-worker: pending jobs →
``asr.batch`` in an executor → the text on the job and in the draft's content (诉求内容)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from asr.batch import transcribe_files_blocking
from asr.recognizer import RecognizerFactory
from core.errors import DomainError
from core.privacy import Viewer
from core.use_cases.edit_work_order import WorkOrderChanges
from core.use_cases.voicemail_intake import INTAKE_ACTOR
from hotline.bootstrap import Container

log = logging.getLogger(__name__)


@dataclass(slots=True)
class VoicemailTranscriber:
    container: Container
    factory: RecognizerFactory
    sample_rate: int
    interval_s: float = 5.0
    done: int = 0
    failed: int = 0

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a failed pass is retried; the jobs stay pending
                log.exception("voicemail transcription pass failed")
            await asyncio.sleep(self.interval_s)

    async def run_once(self) -> int:
        c = self.container
        loop = asyncio.get_running_loop()
        jobs = await c.transcription_jobs.pending()
        for job in jobs:
            results = await loop.run_in_executor(
                None, transcribe_files_blocking, [Path(job.recording_path)], self.factory,
                self.sample_rate,
            )  # fmt: skip
            result = results[0]
            if result.error is not None:
                await c.transcription_jobs.finish(job.call_id, error=result.error)
                self.failed += 1
                continue
            await c.transcription_jobs.finish(job.call_id, text=result.text)
            self.done += 1
            try:
                await c.edit_work_order.execute(
                    Viewer(INTAKE_ACTOR, sees_personal_data=True),
                    job.draft_id,
                    WorkOrderChanges(
                        content=f"语音留言：{result.text}（录音 {job.recording_path}）"
                    ),
                )
            except DomainError as exc:  # e.g. already dispatched: the job keeps the text
                log.info("draft %s not updated with its transcript: %s", job.draft_id, exc)
        return len(jobs)
