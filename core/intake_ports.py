"""Ports the IVR needs from the work-order side and the outcome log (stdlib only).

The work-order core, the ASR batch worker and the callback worklist belong to other areas;
the IVR only talks to them through these Protocols so ``ivr_flows`` imports none of them.
Adapters (storage, asr) implement them structurally; tests use small fakes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

# A number we can call back / text: digits, optionally a leading +; not "anonymous"/"unknown".
_CALLABLE = re.compile(r"^\+?\d{3,20}$")


def callable_number(number: str) -> bool:
    """True when ``number`` can be called back / sent an SMS."""
    return bool(_CALLABLE.match(number))


@dataclass(frozen=True, slots=True)
class WorkOrderDraftRequest:
    """Ask the work-order core for a draft (工单草稿) from a non-agent channel."""

    channel: str  # "voicemail" (电话语音留言) | "callback" …
    call_id: str
    caller_number: str
    received_at: datetime  # aware
    recording_path: str | None = None
    duration_s: float | None = None
    summary: str = ""  # 诉求内容; empty until the transcription fills it
    attributes: dict[str, str] = field(default_factory=dict)


class WorkOrderDrafts(Protocol):
    async def create_draft(self, request: WorkOrderDraftRequest) -> str:
        """Create the draft; return its id. Idempotent per (channel, call_id)."""
        ...


@dataclass(frozen=True, slots=True)
class TranscriptionJob:
    """Batch ASR of a recording; the result should land on the draft ``draft_id``."""

    call_id: str
    recording_path: str
    draft_id: str
    speaker: str = "voicemail"


class TranscriptionQueue(Protocol):
    async def enqueue(self, job: TranscriptionJob) -> None: ...


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """A call the hotline owes a citizen (回电): agents work through these and originate them."""

    call_id: str
    caller_number: str
    requested_at: datetime  # aware
    reason: str  # "voicemail" | "callback" (chosen in the IVR) | "abandoned"
    draft_id: str | None = None
    due_at: datetime | None = None


class CallbackTasks(Protocol):
    async def add(self, request: CallbackRequest) -> str:
        """Queue the callback; return the task id."""
        ...


class IvrOutcome(StrEnum):
    """How the IVR ended for a call (one per call)."""

    QUEUED = "queued"
    VOICEMAIL = "voicemail"
    ONLINE = "online"
    CALLBACK = "callback"
    HUNG_UP_IN_IVR = "hung_up_in_ivr"


@dataclass(frozen=True, slots=True)
class IvrDecisionRecord:
    """One call's IVR outcome. ``reason`` says why: "direct" (no rule, straight to the
    queue), "menu" (operator menu), or the rule label — "wait" (diverted on estimated wait),
    "ratio" (on waiting callers per agent), "no_agents", "after_hours", "holiday" — or
    "fallback" (live state or flow unusable; sent to the queue)."""

    call_id: str
    caller_number: str
    outcome: IvrOutcome
    reason: str
    decided_at: datetime  # aware
    rule: str | None = None
    offered: bool = False  # a diversion menu was played
    keys: str = ""  # DTMF pressed
    estimated_wait_s: float | None = None
    queue: str = ""

    @property
    def diverted(self) -> bool:
        return self.outcome in (IvrOutcome.VOICEMAIL, IvrOutcome.ONLINE, IvrOutcome.CALLBACK)


class IvrOutcomeLog(Protocol):
    async def record(self, decision: IvrDecisionRecord) -> None: ...
