"""The worker and scheduler roles' components on a real container (SQLite; API in-process):
auto-fill on published ``asr.segment`` events, escalation flags for an overdue order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from asr.scripted import ScriptedRecognizerFactory
from core.ports import BusMessage, VoicemailReceived
from hotline.bootstrap import Container
from hotline.components import autofill_component
from hotline.voicemail_asr import VoicemailTranscriber
from hotline.workers import AUTOFILL_TOPIC, ESCALATED_TOPIC, EscalationScheduler
from tests.conftest import shared_path
from tests.integration.api_client import ORDER, START, Api, running_api
from tests.unit.classifier_data import fit_small_head

GUARD_S = 30.0  # hang guard


@pytest.fixture
async def api(seeded_sqlite_url: str) -> AsyncIterator[Api]:
    async with running_api(seeded_sqlite_url) as api:
        yield api


async def _first(messages: AsyncIterator[BusMessage], topic: str) -> dict[str, Any]:
    async for message in messages:
        if message.topic == topic:
            return dict(message.payload)
    raise AssertionError("bus closed")


def _use_classifier(container: Container, model_dir: Path) -> None:
    """Point the autofill worker at ``model_dir`` (a missing one: cues only, no suggestions)."""
    classifier = container.settings.classifier.model_copy(update={"model_dir": model_dir})
    container.settings = container.settings.model_copy(update={"classifier": classifier})


async def test_autofill_worker_publishes_phone_and_district(api: Api, tmp_path: Path) -> None:
    container = api.container
    _use_classifier(container, tmp_path / "none")
    await autofill_component(container)
    segment = {
        "call_id": "1795241705.0",
        "speaker": "caller",
        "start_ms": 0,
        "end_ms": 4000,
        "final": True,
        "gap": False,
        "confidence": 0.9,
    }
    async with container.bus.subscribe(AUTOFILL_TOPIC) as messages:
        await container.bus.publish(
            "asr.segment", {**segment, "text": "我家在雁塔区小寨路街道，小区停水三天了"}
        )
        await container.bus.publish(
            "asr.segment",
            {**segment, "start_ms": 4000, "text": "我的电话是一三八一二三四五六七八"},
        )
        first = await asyncio.wait_for(_first(messages, AUTOFILL_TOPIC), GUARD_S)
        second = await asyncio.wait_for(_first(messages, AUTOFILL_TOPIC), GUARD_S)
    assert first["call_id"] == "1795241705.0"
    assert first["fields"]["district"]["value"] == "雁塔区"
    assert second["fields"]["phone"]["value"] == "13812345678"
    assert second["fields"]["district"]["value"] == "雁塔区"
    doc = await container.live.get("autofill", "1795241705.0")
    assert doc == second  # the agent desk reads the same document from live state


async def test_autofill_worker_ignores_partials_and_gaps(api: Api) -> None:
    container = api.container
    await autofill_component(container)
    worker = container.extras["autofill"]
    base = {"call_id": "c1", "speaker": "caller", "start_ms": 0, "end_ms": 1, "confidence": 0.9}
    async with container.bus.subscribe(AUTOFILL_TOPIC) as messages:
        await container.bus.publish(
            "asr.segment", {**base, "final": False, "gap": False, "text": "电话一三八"}
        )
        await container.bus.publish("asr.segment", {**base, "final": True, "gap": True, "text": ""})
        await container.bus.publish(
            "asr.segment", {**base, "final": True, "gap": False, "text": "莲湖区"}
        )
        only = await asyncio.wait_for(_first(messages, AUTOFILL_TOPIC), GUARD_S)
    assert "phone" not in only["fields"]
    assert worker.published == 1


async def test_scheduler_flags_an_overdue_order(api: Api) -> None:
    created = (await api.post("agent01", "/work-orders", ORDER)).json()
    await api.act("dispatcher01", created["id"], "dispatch", {"lead_unit": "util.water"})
    scheduler = EscalationScheduler(api.container, interval_s=3600)
    async with api.container.bus.subscribe(ESCALATED_TOPIC) as messages:
        assert await scheduler.scan_once() == 0  # just dispatched: nothing overdue
        api.clock.advance(timedelta(days=10))
        raised = await scheduler.scan_once()
        event = await asyncio.wait_for(_first(messages, ESCALATED_TOPIC), GUARD_S)
    assert raised >= 1
    assert event["order_id"] == created["id"]
    assert event["kind"] in ("overdue_sign", "overdue_reply", "seriously_overdue")
    stored = await api.container.orders.get(created["id"])
    assert stored is not None
    assert event["kind"] in stored.flags  # persisted
    assert await scheduler.scan_once() == 0  # sticky: not raised twice


@pytest.fixture(scope="module")
def small_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real classifier head trained on a slice of the committed seed corpus."""
    model_dir, _ = fit_small_head(tmp_path_factory.mktemp("clf"))
    return model_dir


async def test_autofill_worker_suggests_units_with_the_classifier(
    api: Api, small_classifier: Path
) -> None:
    container = api.container
    _use_classifier(container, small_classifier)
    await autofill_component(container)
    segment = {
        "call_id": "c-water",
        "speaker": "caller",
        "start_ms": 0,
        "end_ms": 4000,
        "final": True,
        "gap": False,
        "confidence": 0.9,
        "text": "雁塔区小寨路街道我们小区停水两天了，自来水公司也没有通知",
    }
    async with container.bus.subscribe(AUTOFILL_TOPIC) as messages:
        await container.bus.publish("asr.segment", segment)
        doc = await asyncio.wait_for(_first(messages, AUTOFILL_TOPIC), GUARD_S)
    suggestions = doc["suggestions"]
    assert suggestions["category"][0]["label"] == "水电气热"
    assert len(suggestions["category"]) == 3
    units = suggestions["units"]
    assert 1 <= len(units) <= 3
    assert all(u["unit_code"] and 0 < u["probability"] <= 1 for u in units)
    assert doc["fields"]["district"]["value"] == "雁塔区"


async def test_voicemail_transcription_fills_the_draft(api: Api) -> None:
    """Batch ASR of a real recording (the scripted recognizer stands in for Vosk: real
    audio, real segmentation, scripted words) lands on the job and in the draft."""
    wav = shared_path("asr-samples", "aishell1_BAC009S0724W0121.wav")
    container = api.container
    draft_id = await container.voicemail_intake.receive(
        VoicemailReceived(
            call_id="1795241705.7",
            caller_number="13812345678",
            recording_path=str(wav),
            received_at=START,
        )
    )
    await container.voicemail_intake.receive(
        VoicemailReceived(
            call_id="1795241705.8",
            caller_number="13812345679",
            recording_path=str(wav.with_name("missing.wav")),
            received_at=START,
        )
    )
    transcriber = VoicemailTranscriber(
        container, ScriptedRecognizerFactory(["我家小区停水三天了"]), 16000
    )
    assert await transcriber.run_once() == 2
    jobs = {j.call_id: j for j in await container.transcription_jobs.all()}
    assert jobs["1795241705.7"].status == "done"
    assert "停水" in jobs["1795241705.7"].text
    assert jobs["1795241705.8"].status == "failed"  # unreadable file: a clear error, kept
    assert jobs["1795241705.8"].error
    order = await container.orders.get(draft_id)
    assert order is not None
    assert "停水" in order.content
    assert await transcriber.run_once() == 0  # nothing pending any more
