"""Every recorded Asterisk session replayed byte for byte over TCP into the real client and
bridge gives exactly the domain events the translator gives for the file offline."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.clock import ManualClock
from telephony.ami_client import AmiClient, AmiConfig
from telephony.ami_codec import AmiMessage, iter_messages
from telephony.sim.harness import memory_bridge
from telephony.sim.memory import MemoryCallEventStore
from telephony.translate import Translator
from tests.conftest import AMI_TRACES, shared_path
from tests.integration.telephony.tcp_fakes import FakeAmi, accept_login, ignore_actions

CLOCK = ManualClock(datetime(2026, 11, 21, 6, 15, tzinfo=UTC))
TRACES = sorted(p.name.removesuffix(".rx.raw") for p in AMI_TRACES.glob("*.rx.raw"))


def _body(name: str) -> bytes:
    raw = shared_path("ami-traces", f"{name}.rx.raw").read_bytes()
    _, _, rest = raw.partition(b"\r\n")  # banner
    _, _, rest = rest.partition(b"\r\n\r\n")  # recorded Login response (not our ActionID)
    return rest


def _offline(body: bytes) -> list[tuple[str, str]]:
    translator = Translator()
    out: list[tuple[str, str]] = []
    for message in iter_messages(body, expect_banner=False):
        if isinstance(message, AmiMessage):
            for event in translator.feed(message, CLOCK.now()):
                out.append(
                    (event.name, getattr(event, "linkedid", getattr(event, "interface", "")))
                )
    return out


@pytest.mark.parametrize("trace", TRACES)
async def test_replayed_trace_through_tcp_equals_offline_translation(trace: str) -> None:
    body = _body(trace)
    sent = asyncio.Event()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_login(reader, writer)
        for i in range(0, len(body), 1400):  # TCP-sized pieces: messages split anywhere
            writer.write(body[i : i + 1400])
            await writer.drain()
        sent.set()
        await ignore_actions(reader)

    store = MemoryCallEventStore()
    async with FakeAmi(script) as server:
        client = AmiClient(
            AmiConfig(port=server.port, secret="s", action_timeout_s=0.5, ping_interval_s=60), CLOCK
        )
        bridge = memory_bridge(client, CLOCK, store)
        bridge.start()
        try:
            async with asyncio.timeout(20):
                await sent.wait()
            await bridge.drain(idle_s=0.3)
        finally:
            await bridge.stop()
    live = [(e.name, e.linkedid.removeprefix("agent:")) for e in store.events]
    expected = _offline(body)
    assert live == expected
    assert client.stats.issues == {}
    assert server.connections == 1
    if Path(trace).name.startswith(("01", "02", "03", "06")):
        assert any(name == "CallQueued" for name, _ in live)
