"""The ONE place that wires concrete adapters from Settings into a Container.

Redis bus/live state when ``settings.redis.url`` is set, in-process otherwise; the database
engine from ``settings.database_url``; repositories; use cases. The container owns every
background task (``spawn``) and cancels them on ``stop``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agent_api.auth import TokenIssuer
from core.business_calendar import BusinessCalendar, UnknownYear
from core.clock import SystemClock
from core.ports import Clock, EventBus, LiveState
from core.use_cases.act_on_work_order import ActOnWorkOrder
from core.use_cases.authenticate import Authenticate
from core.use_cases.create_work_order import CreateWorkOrder
from core.use_cases.edit_work_order import EditWorkOrder
from core.use_cases.recompute_deadlines import RecomputeProvisionalDeadlines
from core.use_cases.view_calls import ViewCalls
from core.use_cases.view_work_orders import ViewWorkOrders
from core.use_cases.voicemail_intake import IntakeVoicemail, VoicemailDrafts
from core.use_cases.work_callbacks import WorkCallbacks
from core.work_order import HandlingContext
from hotline.callback_dialer import AmiCallbackDialer
from hotline.settings import Settings
from storage.audit_repo import SqlPersonalDataAudit
from storage.bus_memory import InMemoryEventBus
from storage.bus_redis import RedisEventBus
from storage.calendar import ChineseWorkingCalendar
from storage.call_event_store import SqlCallEventStore
from storage.call_record_store import SqlCallRecordStore
from storage.db import create_engine, session_factory
from storage.directory_repo import SqlDirectoryRepository
from storage.intake_store import SqlCallbackTasks, SqlTranscriptionJobs
from storage.live_memory import InMemoryLiveState
from storage.live_redis import RedisLiveState
from storage.qa_score_store import SqlQaScoreStore
from storage.sms_outbox import OutboxSmsGateway
from storage.transcript_store import SqlTranscriptStore
from storage.voicemail_store import SqlVoicemailStore
from storage.work_order_repo import SqlWorkOrderRepository

log = logging.getLogger(__name__)
HealthCheck = Callable[[], Awaitable[None]]


@dataclass
class Container:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: InMemoryEventBus | RedisEventBus
    live: InMemoryLiveState | RedisLiveState
    calendar: BusinessCalendar
    directory: SqlDirectoryRepository
    orders: SqlWorkOrderRepository
    audit: SqlPersonalDataAudit
    call_events: SqlCallEventStore
    transcripts: SqlTranscriptStore
    sms: OutboxSmsGateway
    voicemails: SqlVoicemailStore
    tokens: TokenIssuer
    authenticate: Authenticate
    view_work_orders: ViewWorkOrders
    create_work_order: CreateWorkOrder
    act_on_work_order: ActOnWorkOrder
    edit_work_order: EditWorkOrder
    callbacks: SqlCallbackTasks
    transcription_jobs: SqlTranscriptionJobs
    call_records: SqlCallRecordStore
    voicemail_intake: IntakeVoicemail
    view_calls: ViewCalls
    work_callbacks: WorkCallbacks
    recompute_deadlines: RecomputeProvisionalDeadlines
    extras: dict[str, Any] = field(default_factory=dict)  # components started (tests, health)
    _stoppers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    task_failed: asyncio.Event = field(default_factory=asyncio.Event)  # a spawned task died
    failures: list[str] = field(default_factory=list)
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _started: bool = False

    @property
    def event_bus(self) -> EventBus:
        return self.bus

    @property
    def live_state(self) -> LiveState:
        return self.live

    @property
    def qa_scores(self) -> SqlQaScoreStore:
        """QA scores of the transcript review page (stateless adapter over ``sessions``)."""
        return SqlQaScoreStore(self.sessions)

    @property
    def health_checks(self) -> Mapping[str, HealthCheck]:
        return {"database": self._check_database, "bus": self.bus.ping}

    async def _check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Start a background task owned by this container (cancelled by ``stop``)."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s died", task.get_name(), exc_info=task.exception())
            self.failures.append(f"{task.get_name()}: {task.exception()!r}")
            self.task_failed.set()

    def on_stop(self, stopper: Callable[[], Awaitable[None]]) -> None:
        """Run ``stopper`` at ``stop`` (last registered first), before tasks are cancelled."""
        self._stoppers.append(stopper)

    async def start(self) -> None:
        """Fail fast with a clear error when the configured Redis is unreachable."""
        await self.bus.ping()
        self._started = True

    async def stop(self) -> None:
        stoppers, self._stoppers = self._stoppers[::-1], []
        for stopper in stoppers:
            try:
                await stopper()
            except Exception:
                log.exception("stopping a component failed")
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.bus.close()
        await self.live.close()
        await self.engine.dispose()
        self._started = False


def build_container(settings: Settings, *, clock: Clock | None = None) -> Container:
    clock = clock or SystemClock()
    engine = create_engine(
        settings.database_url, echo=settings.database.echo, pool_size=settings.database.pool_size
    )
    sessions = session_factory(engine)
    bus: InMemoryEventBus | RedisEventBus
    live: InMemoryLiveState | RedisLiveState
    if settings.redis.url:
        bus = RedisEventBus(settings.redis.url, prefix=settings.redis.prefix)
        live = RedisLiveState(settings.redis.url, prefix=settings.redis.prefix)
    else:
        bus = InMemoryEventBus()
        live = InMemoryLiveState()
    calendar = BusinessCalendar(
        ChineseWorkingCalendar(
            override_file=settings.calendar.override_file,
            weekend_only_fallback=settings.calendar.weekend_only_fallback,
        ),
        unknown_year=UnknownYear(settings.calendar.unknown_year),
    )
    ctx = HandlingContext(calendar=calendar)
    directory = SqlDirectoryRepository(sessions)
    orders = SqlWorkOrderRepository(sessions, prefix=settings.api.order_number_prefix)
    audit = SqlPersonalDataAudit(sessions)
    view = ViewWorkOrders(orders, directory, audit, clock)
    tokens = TokenIssuer(
        settings.api.secret_key.get_secret_value(),
        timedelta(minutes=settings.api.token_ttl_minutes),
        clock,
    )
    create = CreateWorkOrder(orders, directory, bus, clock, ctx, view)
    voicemails = SqlVoicemailStore(sessions)
    callbacks = SqlCallbackTasks(sessions)
    transcription_jobs = SqlTranscriptionJobs(sessions, clock)
    transcripts = SqlTranscriptStore(sessions)
    call_records = SqlCallRecordStore(sessions)
    extras: dict[str, Any] = {}
    dialer = AmiCallbackDialer(extras, settings.ami.callback_context)
    return Container(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=sessions,
        bus=bus,
        live=live,
        calendar=calendar,
        directory=directory,
        orders=orders,
        audit=audit,
        call_events=SqlCallEventStore(sessions),
        transcripts=transcripts,
        sms=OutboxSmsGateway(sessions, clock),
        voicemails=voicemails,
        tokens=tokens,
        authenticate=Authenticate(directory),
        view_work_orders=view,
        create_work_order=create,
        act_on_work_order=ActOnWorkOrder(orders, directory, bus, clock, ctx, view),
        edit_work_order=EditWorkOrder(orders, directory, bus, clock, view),
        callbacks=callbacks,
        transcription_jobs=transcription_jobs,
        call_records=call_records,
        voicemail_intake=IntakeVoicemail(
            VoicemailDrafts(voicemails, create), transcription_jobs, callbacks
        ),
        view_calls=ViewCalls(call_records, transcripts),
        work_callbacks=WorkCallbacks(callbacks, dialer),
        recompute_deadlines=RecomputeProvisionalDeadlines(orders, clock, ctx),
        extras=extras,
    )
