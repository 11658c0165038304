"""The asr-worker role, for ``hotline/`` to wire: load the model once, run the AudioSocket server.

Fail-open at start: no model (or a model libvosk refuses) does not stop the worker; streams are
still accepted — Asterisk's tap never notices — and each is recorded as a gap with the reason.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from asr.audiosocket import AudioSocketServer, ServerConfig
from asr.legs import LegDirectory
from asr.recognizer import RecognizerFactory, UnavailableRecognizerFactory
from asr.session import SegmentSink, SessionConfig
from asr.vosk_adapter import (
    ModelNotFoundError,
    VoskRecognizerFactory,
    find_model_dir,
    load_model_blocking,
)

log = logging.getLogger(__name__)


def load_factory_blocking(model_path: Path | None, models_dir: Path) -> RecognizerFactory:
    """The Vosk factory (model loaded now, once), or a stand-in that records gaps."""
    try:
        return VoskRecognizerFactory(load_model_blocking(find_model_dir(model_path, models_dir)))
    except ModelNotFoundError as exc:
        log.warning("ASR runs without a model, transcripts will show gaps: %s", exc)
        return UnavailableRecognizerFactory(str(exc))


class AsrWorker:
    """Owns the decoding threads and the server; ``close`` cancels everything it started."""

    def __init__(
        self,
        legs: LegDirectory,
        sink: SegmentSink,
        factory: RecognizerFactory,
        config: ServerConfig,
        session_config: SessionConfig | None = None,
        *,
        threads: int = 2,
    ) -> None:
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="asr-decode")
        self.server = AudioSocketServer(
            legs, factory, sink, config, session_config, executor=self.executor
        )

    async def start(self) -> None:
        await self.server.start()

    async def close(self) -> None:
        await self.server.close()
        # a stalled libvosk call cannot be interrupted; don't wait for it on shutdown
        self.executor.shutdown(wait=False, cancel_futures=True)
