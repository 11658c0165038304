"""In-memory fakes of the core Protocols the IVR uses (mypy checks them structurally)."""

from __future__ import annotations

import copy
from typing import Any

from core.errors import ExternalServiceError
from core.intake_ports import (
    CallbackRequest,
    IvrDecisionRecord,
    TranscriptionJob,
    WorkOrderDraftRequest,
)
from core.ports import OutgoingSms, VoicemailReceived


class MemoryLiveState:
    def __init__(self, broken: bool = False) -> None:
        self.docs: dict[str, dict[str, dict[str, Any]]] = {}
        self.broken = broken

    async def put(self, namespace: str, key: str, doc: Any) -> None:
        self.docs.setdefault(namespace, {})[key] = dict(doc)

    async def patch(self, namespace: str, key: str, fields: Any) -> None:
        self.docs.setdefault(namespace, {}).setdefault(key, {}).update(fields)

    async def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        if self.broken:
            raise ConnectionError("redis down")
        doc = self.docs.get(namespace, {}).get(key)
        return copy.deepcopy(doc) if doc is not None else None

    async def delete(self, namespace: str, key: str) -> None:
        self.docs.get(namespace, {}).pop(key, None)

    async def all(self, namespace: str) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.docs.get(namespace, {}))

    async def clear(self, namespace: str) -> None:
        self.docs.pop(namespace, None)

    async def close(self) -> None:
        return None


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
