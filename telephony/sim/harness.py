"""Run the call model through the simulated PBX and the real bridge over TCP, then compare
the bridge's KPIs (recomputed from its stored event log) with the simulator's ground truth.

Used by ``python -m hotline simulate``, the integration tests and the benchmark.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

from core.call_kpi import KpiSettings, kpis_from_events
from core.calls import from_stored
from core.callsim import (
    AgentPause,
    AgentSpec,
    CallSimConfig,
    LiveSnapshot,
    Route,
    flat_curve,
    simulate,
)
from core.ports import Clock
from telephony.ami_client import AmiClient, AmiConfig
from telephony.bridge import Bridge
from telephony.live_sync import LiveSync
from telephony.queue_log_tail import QueueLogTail
from telephony.sim.from_callsim import scenario_from_callsim
from telephony.sim.memory import MemoryCallEventStore, MemoryEventBus, MemoryLiveState
from telephony.sim.pbx import CallTruth
from telephony.sim.server import SimServer
from telephony.translate import Translator

SL_S = 15
SHORT_ABANDON_S = 5
START = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 09:00 Asia/Shanghai


def memory_bridge(
    client: AmiClient,
    clock: Clock,
    store: MemoryCallEventStore | None = None,
    *,
    queue_log: QueueLogTail | None = None,
    resync_interval_s: float = 60.0,
    tail_interval_s: float = 1.0,
) -> Bridge:
    """A bridge writing to in-process ports: a fresh bus and live state, ``store`` (else a new
    one) for the call-event log. The simulator, the AMI bench and the bridge tests use it."""
    return Bridge(
        client,
        Translator(),
        bus=MemoryEventBus(),
        store=MemoryCallEventStore() if store is None else store,
        live=LiveSync(MemoryLiveState()),
        clock=clock,
        queue_log=queue_log,
        resync_interval_s=resync_interval_s,
        tail_interval_s=tail_interval_s,
    )


class SimClock:
    """The simulator's (compressed) time, so the bridge stamps events in simulated seconds."""

    def __init__(self, server: SimServer) -> None:
        self.server = server

    def now(self) -> datetime:
        return self.server.sim_now()


def busy_menu_policy(snapshot: LiveSnapshot, rng: random.Random) -> Route:
    """The lab dialplan's rule: no agent ready and ≥ 3 waiting → offer the busy menu; most
    callers keep waiting, some take voicemail or the online channel."""
    if snapshot.available > 0 or snapshot.waiting < 3:
        return Route.QUEUE
    roll = rng.random()
    if roll < 0.7:
        return Route.KEEP_WAITING
    return Route.VOICEMAIL if roll < 0.85 else Route.ONLINE


def model_config(calls: int, agents: int, seed: int) -> tuple[CallSimConfig, list[str]]:
    names = [f"Agent {8001 + i}" for i in range(agents)]
    talk = 60.0
    rate_per_s = 0.97 * agents / (talk + 3.0)  # ~97 % load: answers, abandons and timeouts
    duration = calls / rate_per_s * 1.15  # a little extra; the run is cut to ``calls`` calls
    pauses = tuple(
        AgentPause(
            names[i % agents], duration * (i + 1) / 5, 120.0, ("lunch", "training", "")[i % 3]
        )
        for i in range(min(3, agents))
    )
    config = CallSimConfig(
        start=START,
        duration_s=duration,
        arrivals_per_hour=flat_curve(rate_per_s * 3600),
        agents=tuple(AgentSpec(n, talk_mean_s=talk, no_answer_prob=0.05) for n in names),
        seed=seed,
        patience_mean_s=70.0,
        key_exit_prob=0.05,
        pauses=pauses,
        policy=busy_menu_policy,
    )
    return config, names


@dataclass(frozen=True, slots=True)
class Figures:
    offered: int
    answered: int
    abandoned: int
    sl15: Fraction | None
    asa: Fraction | None

    def rows(self) -> dict[str, str]:
        def fmt(x: Fraction | None, pct: bool = False) -> str:
            if x is None:
                return "—"
            return f"{float(x) * 100:.2f}% ({x})" if pct else f"{float(x):.3f} s ({x})"

        return {
            "offered": str(self.offered),
            "answered": str(self.answered),
            "abandoned": str(self.abandoned),
            "SL-15": fmt(self.sl15, pct=True),
            "ASA": fmt(self.asa),
        }


def truth_figures(truth: list[CallTruth]) -> Figures:
    """Ground truth, counted from what the simulator did (independent of the bridge)."""
    queued = [t for t in truth if t.queued]
    answered = [t for t in queued if t.outcome == "answered"]
    abandoned = [t for t in queued if t.outcome == "abandoned"]
    short = [t for t in abandoned if (t.wait_s or 0) < SHORT_ABANDON_S]
    exits = [t for t in queued if t.outcome == "exitkey"]
    within = sum(1 for t in answered if (t.wait_s or 0) <= SL_S)
    denominator = len(queued) - len(short) - len(exits)
    waits = [t.wait_s or 0 for t in answered]
    return Figures(
        offered=len(queued),
        answered=len(answered),
        abandoned=len(abandoned),
        sl15=Fraction(within, denominator) if denominator else None,
        asa=Fraction(sum(waits), len(waits)) if waits else None,
    )


@dataclass(slots=True)
class SimReport:
    calls: int
    agents: int
    truth: Figures
    bridge: Figures
    missing: list[str] = field(default_factory=list)  # queued in truth, not in the bridge
    doubled: list[str] = field(default_factory=list)  # more than one CallQueued / outcome
    wrong_outcome: list[str] = field(default_factory=list)
    gaps: int = 0
    calls_reconciled: int = 0
    cuts: int = 0
    ami_messages: int = 0
    frames_played: int = 0
    duplicates_suppressed: int = 0
    problems: list[str] = field(default_factory=list)
    resyncs: int = 0
    resync_failures: int = 0

    @property
    def ok(self) -> bool:
        return self.truth == self.bridge and not (
            self.missing or self.doubled or self.wrong_outcome
        )


_TRUTH_TO_RECORD = {
    "answered": "answered",
    "abandoned": ("abandoned", "short_abandon"),
    "timeout": "timeout",
    "exitkey": "exit_key",
}


async def run_simulation(
    calls: int,
    agents: int,
    *,
    seed: int = 1,
    speed: float = 1000.0,
    cuts: int = 0,
    workdir: Path | None = None,
    queue_maxsize: int = 10_000,
) -> SimReport:
    config, names = model_config(calls, agents, seed)
    result = simulate(config)
    scenario = scenario_from_callsim(result, names)
    scenario.calls[:] = scenario.calls[:calls]
    with tempfile.TemporaryDirectory() as tmp:
        base = workdir or Path(tmp)
        server = SimServer(
            scenario, base_epoch=START.timestamp(), queue_log=base / "queue_log", speed=speed
        )
        await server.start()
        clock = SimClock(server)
        client = AmiClient(
            AmiConfig(
                port=server.port,
                secret=server.secret,
                auth="md5",
                backoff_initial_s=0.05,
                backoff_max_s=0.5,
                ping_interval_s=1.0,
                login_timeout_s=2.0,
                queue_maxsize=queue_maxsize,
            ),
            clock,
        )
        store = MemoryCallEventStore()
        bridge = memory_bridge(
            client,
            clock,
            store,
            queue_log=QueueLogTail(base / "queue_log"),
            tail_interval_s=0.2,
            resync_interval_s=1.0,
        )
        try:
            bridge.start()
            await client.wait_connected(10)
            if cuts:
                span = scenario.duration
                marks = [span * (i + 1) / (cuts + 1) for i in range(cuts)]

                def maybe_cut(t: float) -> None:
                    # cut only a live session: a cut while the bridge is still reconnecting
                    # would merge into the previous gap
                    if marks and t >= marks[0] and server.has_live_session:
                        marks.pop(0)
                        server.cut()

                server.before_step = maybe_cut
            server.play()
            await server.finished.wait()
            await client.wait_connected(10)
            await bridge.drain()
            await bridge.reconcile_now()
            await bridge.drain()
        finally:
            await bridge.stop()
            await server.stop()
    return _report(calls, agents, server, bridge, store)


def _report(
    calls: int, agents: int, server: SimServer, bridge: Bridge, store: MemoryCallEventStore
) -> SimReport:
    events = [from_stored(e) for e in store.events]
    kpis = kpis_from_events(
        events, KpiSettings(short_abandon_s=SHORT_ABANDON_S, service_level_s=SL_S)
    )
    bridge_figures = Figures(
        offered=kpis.offered,
        answered=kpis.answered,
        abandoned=kpis.abandoned,
        sl15=kpis.service_level.exact,
        asa=kpis.asa.mean,
    )
    truth = server.truth
    report = SimReport(calls, agents, truth_figures(truth), bridge_figures)
    queued_count = Counter(e.linkedid for e in store.events if e.name == "CallQueued")
    outcome_count = Counter(
        e.linkedid
        for e in store.events
        if e.name in ("CallAnswered", "CallAbandoned", "CallExitedQueue")
    )
    from core.call_records import build_call_records

    records = build_call_records(events, short_abandon_s=SHORT_ABANDON_S)
    for t in truth:
        if not t.queued:
            continue
        if queued_count[t.linkedid] == 0:
            report.missing.append(t.linkedid)
        elif queued_count[t.linkedid] > 1 or outcome_count[t.linkedid] > 1:
            report.doubled.append(t.linkedid)
        rec = records.get(t.linkedid)
        expected = _TRUTH_TO_RECORD[t.outcome]
        got = rec.outcome.value if rec is not None else "missing"
        if got not in (expected if isinstance(expected, tuple) else (expected,)):
            report.wrong_outcome.append(f"{t.linkedid}: truth {t.outcome}, bridge {got}")
    stats = bridge.stats
    report.gaps = len(stats.gaps)
    report.calls_reconciled = stats.calls_reconciled
    report.cuts = server.cuts
    report.ami_messages = stats.ami_messages
    report.frames_played = server.frames_played
    report.duplicates_suppressed = stats.duplicates_suppressed
    report.problems = [*bridge.client.stats.problems[-5:], *stats.problems[-5:]]
    report.resyncs, report.resync_failures = stats.resyncs, stats.resync_failures
    return report


def format_report(report: SimReport) -> str:
    lines = [f"simulated {report.calls} calls, {report.agents} agents"]
    lines.append(f"{'KPI':<10} {'bridge':>28} {'ground truth':>28}  same")
    b, t = report.bridge.rows(), report.truth.rows()
    for key in b:
        lines.append(f"{key:<10} {b[key]:>28} {t[key]:>28}  {'yes' if b[key] == t[key] else 'NO'}")
    lines.append(
        f"AMI frames played {report.frames_played}, bridge read {report.ami_messages}; "
        f"cuts {report.cuts}, gap markers {report.gaps}, calls reconciled from queue_log "
        f"{report.calls_reconciled}, duplicates suppressed {report.duplicates_suppressed}, "
        f"resyncs {report.resyncs} (failed {report.resync_failures})"
    )
    lines.append(
        f"missing {len(report.missing)}, counted twice {len(report.doubled)}, "
        f"wrong outcome {len(report.wrong_outcome)}"
    )
    for item in report.wrong_outcome[:5]:
        lines.append(f"  {item}")
    lines.append("RESULT: " + ("bridge KPIs equal ground truth" if report.ok else "DIFFERENCE"))
    return "\n".join(lines)


def run_blocking(calls: int, agents: int, seed: int, speed: float, cuts: int) -> SimReport:
    return asyncio.run(run_simulation(calls, agents, seed=seed, speed=speed, cuts=cuts))
