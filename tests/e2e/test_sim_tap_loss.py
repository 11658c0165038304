"""The ASR worker dies mid-call in the demo: the simulated PBX, like Asterisk, hangs the tap
channels up when their AudioSocket connections break; the bridge's tap coordinator sees those
Hangups before the legs' and records a gap for each leg, while the call itself completes.

Real pieces: PBX simulator over TCP AMI, the bridge and its tap coordinator, the AudioSocket
server with libvosk (the generated tiny model), SQLite stores. The "kill" is the worker's
in-process abort (every socket reset, nothing flushed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from asr.worker import AsrWorker
from hotline.components import (
    RunningSim,
    asr_component,
    simulator_component,
    taps_component,
)
from hotline.serving import BASE_DEMO_COMPONENTS
from tests.e2e.demo_asr_support import (
    collected_payloads,
    demo_asr_settings,
    demo_sim_options,
    started_container,
)
from tests.waiting import wait_until

GUARD_S = 60.0  # hang guard, not a timing assertion
LOST = "tap channel hung up before the leg"


async def test_asr_worker_killed_mid_call_gaps_recorded_call_completes(tmp_path: Path) -> None:
    sim = demo_sim_options(talk_mean_s=40.0)
    async with started_container(demo_asr_settings(tmp_path)) as container:
        async with collected_payloads(container.bus, "asr.segment") as published:
            components = [asr_component, simulator_component(sim), taps_component]
            for _, component in BASE_DEMO_COMPONENTS:
                await component(container)
            for component in components:
                await component(container)
            running = container.extras["simulator"]
            worker = container.extras["asr"]
            assert isinstance(running, RunningSim)
            assert isinstance(worker, AsrWorker)
            server = running.server

            # both legs of the first answered call are streaming: kill the worker
            await wait_until(
                lambda: len(server.tap_streams) == 2 and worker.server.active_streams == 2,
                "both legs of a call tapped and streaming",
            )
            (call_id,) = {
                c.caller.linkedid
                for c in server.pbx.calls.values()
                if c.answered_by is not None and c.caller.uniqueid in server.pbx.channels
            }
            await worker.server.abort()

            await asyncio.wait_for(running.finished.wait(), GUARD_S)
            truth = next(t for t in server.truth if t.linkedid == call_id)
            assert truth.outcome == "answered"

            async def gaps() -> set[str]:
                stored = await container.transcripts.for_call(call_id)
                return {s.speaker for s in stored if s.gap}

            for _ in range(int(GUARD_S * 10)):
                if await gaps() == {"caller", "agent"}:
                    break
                await asyncio.sleep(0.1)
            assert await gaps() == {"caller", "agent"}
            assert server.taps_lost >= 2  # this call's two taps (later calls: refused)
        lost = [p for p in published if p["call_id"] == call_id and p.get("reason") == LOST]
        assert {p["speaker"] for p in lost} == {"caller", "agent"}
        assert all(0 <= p["start_ms"] < p["end_ms"] for p in lost)
        # the call itself was never touched: answered, talked, completed
        names = [e.name for e in await container.call_events.for_call(call_id)]
        assert "CallAnswered" in names
        assert "CallCompleted" in names
        assert truth.talk_s is not None
        assert truth.talk_s > 2
