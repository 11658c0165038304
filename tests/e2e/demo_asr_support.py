"""The live-ASR demo rig the e2e tests share: settings with the generated tiny Vosk model
(tests/fixtures/tiny_vosk_model.py) and ephemeral AudioSocket/AGI ports, the simulator's
short seeded scenario that streams ../shared/asr-samples, a started container, and a
collector of what is published on a bus topic."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from core.ports import EventBus
from hotline.bootstrap import Container, build_container
from hotline.components import SimOptions
from hotline.settings import Settings
from tests.conftest import ASR_SAMPLES
from tests.fixtures.tiny_vosk_model import write_tiny_model


def demo_asr_settings(tmp_path: Path) -> Settings:
    """Settings under ``tmp_path``: the tiny Vosk model, port 0 for AudioSocket and AGI, no
    classifier model."""
    model = write_tiny_model(tmp_path / "models" / "vosk-model-tiny")
    return Settings(
        data_dir=tmp_path,
        log_level="WARNING",
        asr={"audiosocket_port": 0, "model_path": model, "models_dir": tmp_path / "models"},
        ivr={"agi_port": 0},
        classifier={"model_dir": tmp_path / "no-classifier"},
    )


def demo_sim_options(*, talk_mean_s: float) -> SimOptions:
    """Three seeded calls at 10x speed for two agents, the taps streaming the ASR samples."""
    return SimOptions(
        calls_per_hour=600,
        agents=2,
        speed=10,
        hours=0.1,
        max_calls=3,
        seed=3,
        talk_mean_s=talk_mean_s,
        audio_dir=ASR_SAMPLES,
    )


@asynccontextmanager
async def started_container(settings: Settings) -> AsyncIterator[Container]:
    """The container built from ``settings``, started, and stopped on exit."""
    container = build_container(settings)
    await container.start()
    try:
        yield container
    finally:
        await container.stop()


@asynccontextmanager
async def collected_payloads(bus: EventBus, topic: str) -> AsyncIterator[list[dict[str, Any]]]:
    """The payloads published on ``topic`` while the block runs (subscribed before it starts;
    the list keeps what arrived once the block is left)."""
    published: list[dict[str, Any]] = []
    async with bus.subscribe(topic) as messages:

        async def collect() -> None:
            async for message in messages:
                published.append(dict(message.payload))

        collector = asyncio.create_task(collect())
        try:
            yield published
        finally:
            collector.cancel()
