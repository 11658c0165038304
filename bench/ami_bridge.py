"""AMI bridge benchmark. Prints figures; asserts nothing.

1. Throughput: the recorded 20-call trace (``06-concurrent-20-calls.rx.raw``, repeated) is
   replayed over TCP into the real client + bridge (parse → translate → dedupe → event log →
   bus → live state); baseline = panoramisk's own parser on the same bytes in this process.
2. Latency: the PBX simulator plays 500 concurrent calls; for each answered call, the time
   from the simulator writing the AgentConnect batch to the bridge having applied
   ``CallAnswered`` to live state (p50 / p99).

Run: ``python -m bench.ami_bridge [--repeat 20]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from core.calls import CallAnswered
from core.callsim import AgentSpec, CallSimConfig, flat_curve, simulate
from core.clock import ManualClock
from core.events import DomainEvent
from telephony.ami_client import AmiClient, AmiConfig, panoramisk_parse_baseline_blocking
from telephony.queue_log_tail import QueueLogTail
from telephony.sim.from_callsim import scenario_from_callsim
from telephony.sim.harness import SimClock, memory_bridge
from telephony.sim.memory import MemoryCallEventStore
from telephony.sim.server import SimServer

ROOT = Path(__file__).resolve().parents[1]
TRACE = ROOT.parent / "shared" / "ami-traces" / "06-concurrent-20-calls.rx.raw"


def _body() -> bytes:
    raw = TRACE.read_bytes()
    _, _, rest = raw.partition(b"\r\n")
    _, _, rest = rest.partition(b"\r\n\r\n")
    return rest


async def throughput(repeat: int) -> tuple[int, float]:
    data = _body() * repeat
    clock = ManualClock(datetime(2026, 11, 21, 6, 15, tzinfo=UTC))
    sent = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        block = await reader.readuntil(b"\r\n\r\n")
        aid = next(ln[10:] for ln in block.decode().split("\r\n") if ln.startswith("ActionID: "))
        writer.write(
            f"Response: Success\r\nActionID: {aid}\r\n"
            "Message: Authentication accepted\r\n\r\n".encode()
        )
        writer.write(data)
        await writer.drain()
        sent.set()
        while await reader.read(65536):
            pass

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = AmiClient(
        AmiConfig(port=port, secret="s", ping_interval_s=600, action_timeout_s=0.2), clock
    )
    store = MemoryCallEventStore()
    bridge = memory_bridge(client, clock, store)
    start = time.perf_counter()
    bridge.start()
    await sent.wait()
    await bridge.drain(idle_s=0.1, within_s=600)
    elapsed = time.perf_counter() - start - 0.1  # minus the idle wait that proves the end
    await bridge.stop()
    server.close()
    await server.wait_closed()
    await asyncio.sleep(0.1)  # let the replay handler see the close
    return bridge.stats.ami_messages, elapsed


def baseline(repeat: int) -> tuple[int, float]:
    data = _body() * repeat
    start = time.perf_counter()
    count = panoramisk_parse_baseline_blocking(data, chunk=65536)
    return count, time.perf_counter() - start


async def latency(calls: int, speed: float) -> list[float]:
    names = [f"Agent {8001 + i}" for i in range(calls)]
    config = CallSimConfig(
        start=datetime(2026, 11, 21, 1, 0, tzinfo=UTC),
        duration_s=calls / 10,
        arrivals_per_hour=flat_curve(36_000),
        seed=5,
        agents=tuple(AgentSpec(n, talk_mean_s=3600, talk_cv=0.1) for n in names),
        patience_mean_s=None,
        ivr_hangup_prob=0.0,
    )
    scenario = scenario_from_callsim(simulate(config), names)
    answer_at = {c.call_no: c.leave_at for c in scenario.calls if c.outcome == "answered"}
    with tempfile.TemporaryDirectory() as tmp:
        server = SimServer(
            scenario,
            base_epoch=config.start.timestamp(),
            queue_log=Path(tmp) / "queue_log",
            speed=speed,
        )
        await server.start()
        clock = SimClock(server)
        client = AmiClient(
            AmiConfig(port=server.port, secret=server.secret, ping_interval_s=600), clock
        )
        flushed: dict[float, float] = {}
        server.after_flush = lambda t: flushed.__setitem__(t, time.perf_counter())
        bridge = memory_bridge(client, clock, queue_log=QueueLogTail(Path(tmp) / "queue_log"))
        by_linkedid: dict[str, int] = {}
        applied: dict[int, float] = {}

        async def on_event(event: DomainEvent) -> None:
            if isinstance(event, CallAnswered):
                applied[by_linkedid.get(event.linkedid, -1)] = time.perf_counter()

        bridge.on_event = on_event
        bridge.start()
        await client.wait_connected(10)
        server.play()
        async with asyncio.timeout(600):
            while len(applied) < len(answer_at):
                by_linkedid.update({t.linkedid: t.call_no for t in server.truth})
                await asyncio.sleep(0.05)
        peak = max(len([c for c in server.pbx.calls.values() if c.answered_by]), 0)
        await bridge.stop()
        await server.stop()
    print(f"  concurrent answered calls at the end: {peak}")
    return [applied[n] - flushed[t] for n, t in answer_at.items() if n in applied and t in flushed]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--speed", type=float, default=20.0)
    args = parser.parse_args(argv)
    if not TRACE.exists():
        sys.exit(f"missing {TRACE}")
    n_raw, t_raw = baseline(args.repeat)
    n_bridge, t_bridge = asyncio.run(throughput(args.repeat))
    raw_rate, bridge_rate = n_raw / t_raw, n_bridge / t_bridge
    print(f"throughput on 06-concurrent-20-calls.rx.raw x{args.repeat}:")
    print(
        f"  panoramisk parse only : {n_raw:>7} events in {t_raw:6.2f} s = "
        f"{raw_rate:>9,.0f} events/s"
    )
    print(
        f"  bridge over TCP       : {n_bridge:>7} msgs   in {t_bridge:6.2f} s = "
        f"{bridge_rate:>9,.0f} events/s"
    )
    print(f"  ratio bridge / panoramisk parse: {bridge_rate / raw_rate:.2f}")
    lat = asyncio.run(latency(args.calls, args.speed))
    lat_ms = sorted(x * 1000 for x in lat)
    p99 = lat_ms[max(0, int(len(lat_ms) * 0.99) - 1)]
    print(f"event → live state (AgentConnect written → CallAnswered applied), {len(lat_ms)} calls:")
    print(f"  p50 {statistics.median(lat_ms):.2f} ms   p99 {p99:.2f} ms   max {lat_ms[-1]:.2f} ms")


if __name__ == "__main__":
    main()
