"""Named components that ``demo`` and the roles start (each ``async (container) -> None``;
long-running work goes to ``container.spawn``, teardown to ``container.on_stop``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hotline.bootstrap import Container
from hotline.telephony_wiring import (
    IntakeSubscriber,
    TelephonyLink,
    ami_config_from_settings,
    feed_taps,
    start_bridge,
)
from hotline.voicemail_sweep import voicemail_sweep_component
from hotline.workers import AutofillWorker, EscalationScheduler, build_autofill_worker
from ivr_flows.flow import Flow
from ivr_flows.loader import default_flow_path, load_flow
from ivr_flows.simulation import FlowPolicy
from telephony.sim.server import SimServer

if TYPE_CHECKING:
    from ivr_flows.fastagi import IvrPorts

log = logging.getLogger(__name__)
NO_MODEL = "no Vosk model: live transcription off (python -m hotline models fetch)"


def flow_from_settings(container: Container) -> Flow:
    return load_flow(container.settings.ivr.flow_file or default_flow_path())


# -- IVR intake, FastAGI ------------------------------------------------------------------------
async def intake_component(container: Container) -> None:
    """Voicemail → work-order draft + transcription job + callback task; online → SMS.
    Fed by the AMI bridge's accepted events (start it before the bridge)."""
    subscriber = IntakeSubscriber(
        container, container.voicemail_intake, flow_from_settings(container)
    )
    container.extras["intake"] = subscriber
    container.spawn(subscriber.run(), name="ivr-intake")


def ivr_ports(container: Container) -> IvrPorts:
    """The ports the IVR flow runs on, wired to the container's stores and calendar."""
    from ivr_flows.fastagi import IvrPorts
    from ivr_flows.outcomes import CallEventOutcomeLog

    return IvrPorts(
        live_state=container.live,
        outcomes=CallEventOutcomeLog(container.call_events),
        sms=container.sms,
        callbacks=container.callbacks,
        voicemail=container.voicemail_intake,
        clock=container.clock,
        is_working_day=container.calendar.is_working_day,
    )


async def fastagi_component(container: Container) -> None:
    """The FastAGI server a real Asterisk's dialplan calls (``AGI(agi://host:4573/hotline)``)."""
    from ivr_flows.fastagi import FastAgiServer, IvrService

    ivr = container.settings.ivr
    service = IvrService(
        flow_from_settings(container), ivr_ports(container), default_aht_s=ivr.default_aht_s
    )
    server = FastAgiServer(service, ivr.agi_host, ivr.agi_port)
    host, port = await server.start()
    container.extras["fastagi"] = server
    container.on_stop(server.close)
    log.info("FastAGI listening on %s:%d", host, port)


# -- ASR ----------------------------------------------------------------------------------------
async def asr_component(container: Container) -> None:
    """AudioSocket server + recognizer pool (model loaded once, off the loop), and the
    voicemail batch transcriber (pending jobs stay pending without a model)."""
    from asr.audiosocket import ServerConfig
    from asr.legs import LiveStateLegDirectory
    from asr.recognizer import UnavailableRecognizerFactory
    from asr.session import SegmentSink, SessionConfig
    from asr.worker import AsrWorker, load_factory_blocking

    s = container.settings.asr
    loop = asyncio.get_running_loop()
    factory = await loop.run_in_executor(None, load_factory_blocking, s.model_path, s.models_dir)
    has_model = not isinstance(factory, UnavailableRecognizerFactory)
    if not has_model:
        log.warning(NO_MODEL)
    sink = SegmentSink(container.bus, container.transcripts)
    legs = LiveStateLegDirectory(container.live)
    worker = AsrWorker(
        legs,
        sink,
        factory,
        ServerConfig(host=s.audiosocket_host, port=s.audiosocket_port, queue_ms=s.queue_ms),
        SessionConfig(partial_interval_ms=s.partial_interval_ms),
        threads=s.workers,
    )
    await worker.start()
    container.on_stop(worker.close)
    container.extras["asr"] = worker
    container.extras["asr_legs"] = legs
    container.extras["asr_sink"] = sink
    if has_model:
        from asr.vosk_adapter import find_model_dir, model_sample_rate
        from hotline.voicemail_asr import VoicemailTranscriber

        rate = model_sample_rate(find_model_dir(s.model_path, s.models_dir))
        transcriber = VoicemailTranscriber(container, factory, rate)
        container.extras["voicemail_asr"] = transcriber
        container.spawn(transcriber.run(), name="voicemail-asr")


async def taps_component(container: Container) -> None:
    """The tap coordinator fed by the bridge's raw AMI messages (start after the bridge and
    the ASR worker)."""
    from asr.legs import LegDirectory, LiveStateLegDirectory
    from asr.session import SegmentSink
    from asr.tap import TapConfig, TapCoordinator

    link = container.extras.get("telephony")
    if not isinstance(link, TelephonyLink):
        log.warning("ASR taps off: they need the AMI bridge")
        return
    # legs go through live state, so an asr-worker in another process finds them (Redis)
    legs: LegDirectory = container.extras.get("asr_legs") or LiveStateLegDirectory(container.live)
    sink: SegmentSink = container.extras.get("asr_sink") or SegmentSink(
        container.bus, container.transcripts
    )
    s = container.settings.asr
    port = s.audiosocket_port
    worker = container.extras.get("asr")
    if port == 0 and worker is not None:  # an ephemeral port (tests): the one it got
        from asr.worker import AsrWorker

        port = worker.server.port if isinstance(worker, AsrWorker) else port
    taps = TapCoordinator(
        legs,
        sink,
        link.clock,
        TapConfig(
            audiosocket_host=s.audiosocket_host,
            audiosocket_port=port,
            context=s.tap_context,
            spy_options=s.tap_spy_options,
        ),
    )
    container.extras["taps"] = taps
    container.spawn(feed_taps(link, taps), name="asr-taps")


# -- worker, scheduler --------------------------------------------------------------------------
async def autofill_component(container: Container) -> None:
    loop = asyncio.get_running_loop()
    worker: AutofillWorker = await loop.run_in_executor(None, build_autofill_worker, container)
    container.extras["autofill"] = worker
    container.spawn(worker.run(), name="autofill-worker")
    await asyncio.wait_for(worker.ready.wait(), 10)


def scheduler_component(interval_s: float) -> Callable[[Container], Awaitable[None]]:
    async def start(container: Container) -> None:
        scheduler = EscalationScheduler(container, interval_s=interval_s)
        container.extras["scheduler"] = scheduler
        container.spawn(scheduler.run(), name="escalation-scheduler")

    return start


# -- real Asterisk ------------------------------------------------------------------------------
async def ami_bridge_component(container: Container) -> None:
    """The bridge against settings.ami (a real Asterisk). The client retries with backoff
    and logs every failed attempt (refused, no Login answer, bad secret)."""
    config = ami_config_from_settings(container)
    link = start_bridge(container, config, queue_log=container.settings.ami.queue_log_path)
    log.info("AMI bridge connecting to %s:%d", config.host, config.port)
    del link


# -- the PBX simulator --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SimOptions:
    calls_per_hour: float = 120.0
    agents: int = 6
    speed: float = 1.0  # 1 = real time
    hours: float = 24.0
    max_calls: int | None = None
    seed: int = 7
    talk_mean_s: float = 150.0
    patience_mean_s: float = 90.0
    audio_dir: Path | None = None  # WAVs the simulated taps stream (None: tap Originates fail)


@dataclass(slots=True)
class RunningSim:
    server: SimServer
    scenario_calls: int
    policy: FlowPolicy

    @property
    def finished(self) -> asyncio.Event:
        return self.server.finished


def simulator_component(options: SimOptions) -> Callable[[Container], Awaitable[None]]:
    """The PBX simulator (AMI over TCP) driven by the seeded call model with the IVR flow's
    diversion policy, and the real bridge connected to it (SimClock: simulated time)."""

    async def start(container: Container) -> None:
        from core.callsim import AgentSpec, CallSimConfig, flat_curve, simulate
        from telephony.ami_client import AmiConfig
        from telephony.sim.from_callsim import scenario_from_callsim
        from telephony.sim.harness import SimClock

        policy = FlowPolicy(flow_from_settings(container), container.calendar.is_working_day)
        names = [f"Agent {8001 + i}" for i in range(options.agents)]
        start_at = datetime.fromtimestamp(int(time.time()), UTC)
        config = CallSimConfig(
            start=start_at,
            duration_s=options.hours * 3600,
            arrivals_per_hour=flat_curve(options.calls_per_hour),
            agents=tuple(AgentSpec(n, talk_mean_s=options.talk_mean_s) for n in names),
            seed=options.seed,
            patience_mean_s=options.patience_mean_s,
            key_exit_prob=0.05,
            policy=policy,
        )
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, simulate, config)
        scenario = scenario_from_callsim(result, names)
        if options.max_calls is not None:
            scenario.calls[:] = scenario.calls[: options.max_calls]
        qlog = container.settings.data_dir / "sim" / "queue_log"
        qlog.parent.mkdir(parents=True, exist_ok=True)
        tap_audio = None
        if options.audio_dir is not None:
            from telephony.sim.audio import TapAudio

            tap_audio = await loop.run_in_executor(
                None, TapAudio.from_dir_blocking, options.audio_dir
            )
        server = SimServer(
            scenario,
            base_epoch=start_at.timestamp(),
            queue_log=qlog,
            speed=options.speed,
            tap_audio=tap_audio,
            tap_context=container.settings.asr.tap_context,
        )
        await server.start()
        container.on_stop(server.stop)
        link = start_bridge(
            container,
            AmiConfig(
                port=server.port,
                secret=server.secret,
                auth="md5",
                backoff_initial_s=0.05,
                backoff_max_s=1.0,
                ping_interval_s=5.0,
            ),
            clock=SimClock(server),
            queue_log=qlog,
            tail_interval_s=0.5,
        )
        await link.client.wait_connected(10)
        server.play()
        container.extras["simulator"] = RunningSim(server, len(scenario.calls), policy)
        log.info(
            "PBX simulator: %d calls over %.1f h at %g calls/h, %d agents, speed ×%g (AMI port %d)",
            len(scenario.calls), options.hours, options.calls_per_hour, options.agents,
            options.speed, server.port,
        )  # fmt: skip

    return start


def status_component(interval_s: float) -> Callable[[Container], Awaitable[None]]:
    """Print one line of figures every ``interval_s`` (what the demo is doing)."""

    async def start(container: Container) -> None:
        container.spawn(_print_status(container, interval_s), name="demo-status")

    return start


async def _print_status(container: Container, interval_s: float) -> None:
    from core.use_cases.view_calls import CallQuery

    while True:
        await asyncio.sleep(interval_s)
        try:
            _, calls = await container.call_records.search(CallQuery(limit=1))
            voicemail = container.extras.get("intake")
            autofill = container.extras.get("autofill")
            scheduler = container.extras.get("scheduler")
            queues = await container.live.all("queues")
            waiting = sum(int(q.get("waiting_count") or 0) for q in queues.values())
            print(
                f"[demo] calls recorded {calls}, waiting now {waiting}, voicemail drafts "
                f"{getattr(voicemail, 'drafts', 0)}, SMS sent {getattr(voicemail, 'sms_sent', 0)}, "
                f"autofill updates {getattr(autofill, 'published', 0)}, escalations raised "
                f"{getattr(scheduler, 'raised', 0)}",
                flush=True,
            )
        except Exception:
            log.exception("demo status failed")


def demo_components(
    sim: SimOptions | None,
    *,
    escalation_interval_s: float = 60.0,
    status_interval_s: float = 30.0,
    real_ami: bool = False,
) -> list[tuple[str, Callable[[Container], Awaitable[None]]]]:
    """What ``demo`` appends to the base DEMO_COMPONENTS (migrate, seed), in start order."""
    out: list[tuple[str, Callable[[Container], Awaitable[None]]]] = [
        ("ivr intake (voicemail drafts, SMS)", intake_component),
        ("asr worker", asr_component),
        ("autofill + classifier worker", autofill_component),
        ("escalation scheduler", scheduler_component(escalation_interval_s)),
        ("fastagi", fastagi_component),
        ("voicemail spool re-import (ivr.voicemail_spool)", voicemail_sweep_component),
    ]
    if sim is not None:
        out.append(("pbx simulator + ami bridge", simulator_component(sim)))
        out.append(("asr taps", taps_component))
    elif real_ami:
        out.append(("ami bridge (settings.ami)", ami_bridge_component))
        out.append(("asr taps", taps_component))
    out.append(("status line", status_component(status_interval_s)))
    return out
