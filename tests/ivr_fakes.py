"""In-memory fakes of the core Protocols the IVR uses (mypy checks them structurally)."""

from __future__ import annotations

from typing import Any

from core.errors import ExternalServiceError
from core.intake_ports import (
    CallbackRequest,
    IvrDecisionRecord,
    TranscriptionJob,
    WorkOrderDraftRequest,
)
from core.live_memory import InMemoryLiveState
from core.ports import OutgoingSms, VoicemailReceived


class MemoryLiveState(InMemoryLiveState):
    """The in-process live state, which can be made to fail reads like a Redis outage."""

    def __init__(self, broken: bool = False) -> None:
        super().__init__()
        self.broken = broken

    async def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        if self.broken:
            raise ConnectionError("redis down")
        return await super().get(namespace, key)


class MemoryOutcomes:
    def __init__(self) -> None:
        self.records: list[IvrDecisionRecord] = []

    async def record(self, decision: IvrDecisionRecord) -> None:
        self.records.append(decision)


class MemorySms:
    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[OutgoingSms] = []
        self.refuse = refuse

    async def send(self, message: OutgoingSms) -> str:
        if self.refuse:
            raise ExternalServiceError("gateway refused")
        self.sent.append(message)
        return f"sms-{len(self.sent)}"


class MemoryCallbacks:
    def __init__(self) -> None:
        self.tasks: list[CallbackRequest] = []

    async def add(self, request: CallbackRequest) -> str:
        self.tasks.append(request)
        return f"cb-{len(self.tasks)}"


class MemoryDrafts:
    def __init__(self) -> None:
        self.drafts: dict[tuple[str, str], tuple[str, WorkOrderDraftRequest]] = {}

    async def create_draft(self, request: WorkOrderDraftRequest) -> str:
        key = (request.channel, request.call_id)
        if key not in self.drafts:  # idempotent per (channel, call id)
            self.drafts[key] = (f"draft-{len(self.drafts) + 1}", request)
        return self.drafts[key][0]


class MemoryTranscription:
    def __init__(self) -> None:
        self.jobs: list[TranscriptionJob] = []

    async def enqueue(self, job: TranscriptionJob) -> None:
        self.jobs.append(job)


class ListVoicemail:
    def __init__(self) -> None:
        self.received: list[VoicemailReceived] = []

    async def receive(self, voicemail: VoicemailReceived) -> str:
        self.received.append(voicemail)
        return f"draft-{len(self.received)}"
