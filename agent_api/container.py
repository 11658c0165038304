"""What the API needs from the wiring (``hotline.bootstrap.Container`` satisfies it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Protocol

from fastapi import Depends, Request

from agent_api.auth import TokenIssuer
from core.ports import CallEventStore, Clock, EventBus, LiveState, TranscriptStore
from core.use_cases.act_on_work_order import ActOnWorkOrder
from core.use_cases.authenticate import Authenticate
from core.use_cases.create_work_order import CreateWorkOrder
from core.use_cases.edit_work_order import EditWorkOrder
from core.use_cases.ports import DirectoryRepository, WorkOrderRepository
from core.use_cases.transcript_review import QaScoreStore
from core.use_cases.view_calls import ViewCalls
from core.use_cases.view_work_orders import ViewWorkOrders
from core.use_cases.work_callbacks import WorkCallbacks

HealthCheck = Callable[[], Awaitable[None]]


class ApiContainer(Protocol):
    @property
    def tokens(self) -> TokenIssuer: ...

    @property
    def authenticate(self) -> Authenticate: ...

    @property
    def create_work_order(self) -> CreateWorkOrder: ...

    @property
    def act_on_work_order(self) -> ActOnWorkOrder: ...

    @property
    def edit_work_order(self) -> EditWorkOrder: ...

    @property
    def view_work_orders(self) -> ViewWorkOrders: ...

    @property
    def directory(self) -> DirectoryRepository: ...

    @property
    def view_calls(self) -> ViewCalls: ...

    @property
    def work_callbacks(self) -> WorkCallbacks: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def health_checks(self) -> Mapping[str, HealthCheck]: ...

    # -- live views, reports, transcripts (web pages and /ws) ----------------------------------
    @property
    def event_bus(self) -> EventBus: ...

    @property
    def live_state(self) -> LiveState: ...

    @property
    def call_events(self) -> CallEventStore: ...

    @property
    def transcripts(self) -> TranscriptStore: ...

    @property
    def orders(self) -> WorkOrderRepository: ...

    @property
    def qa_scores(self) -> QaScoreStore: ...


async def get_container(request: Request) -> ApiContainer:
    # async: trivial work, so FastAPI runs it on the loop instead of a threadpool hop.
    container: ApiContainer = request.app.state.container
    return container


Services = Annotated[ApiContainer, Depends(get_container)]
