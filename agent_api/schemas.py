"""API schemas: ``XCreate`` (request bodies), ``XRead`` (responses). Action bodies are named
after the transition they create (``DispatchCreate`` …)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from agent_api.api_time import ApiDatetime
from core.sla import SlaClass
from core.work_order_model import (
    AppealType,
    Channel,
    ContactMethod,
    EmergencyService,
    OutOfScopeReason,
    Satisfaction,
    Trust,
)

Text200 = Annotated[str, Field(min_length=1, max_length=200)]
Text2000 = Annotated[str, Field(min_length=1, max_length=2000)]
Note = Annotated[str, Field(max_length=2000)]
UnitId = Annotated[str, Field(min_length=1, max_length=64)]
PHONE_PATTERN = r"^(\+?[0-9][0-9\-]{4,19})?$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- auth ----------------------------------------------------------------------------------
class LoginCreate(Strict):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    username: str
    role: str
    unit_id: str | None


# -- work orders ---------------------------------------------------------------------------
class AppellantCreate(Strict):
    name: Annotated[str, Field(max_length=64)] = ""
    phone: Annotated[str, Field(max_length=20, pattern=PHONE_PATTERN)] = ""
    confidential: bool = False


class WorkOrderCreate(Strict):
    title: Text200
    content: Annotated[str, Field(min_length=1, max_length=5000)]
    appeal_type: AppealType = AppealType.HELP
    channel: Channel = Channel.PHONE
    category_code: Annotated[str, Field(max_length=32)] = ""
    sla_class: SlaClass | None = None
    enterprise: bool = False
    appellant: AppellantCreate = Field(default_factory=AppellantCreate)
    address: Annotated[str, Field(max_length=256)] = ""
    district: Annotated[str, Field(max_length=64)] = ""
    town: Annotated[str, Field(max_length=64)] = ""
    call_id: Annotated[str | None, Field(max_length=64)] = None
    accept: bool = True


class WorkOrderUpdate(Strict):
    """Corrections before dispatch; omitted fields stay as they are."""

    title: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    content: Annotated[str | None, Field(min_length=1, max_length=5000)] = None
    appeal_type: AppealType | None = None
    channel: Channel | None = None
    category_code: Annotated[str | None, Field(min_length=1, max_length=32)] = None
    sla_class: SlaClass | None = None
    enterprise: bool | None = None
    appellant: AppellantCreate | None = None
    address: Annotated[str | None, Field(max_length=256)] = None
    district: Annotated[str | None, Field(max_length=64)] = None
    town: Annotated[str | None, Field(max_length=64)] = None
    expected_version: int | None = None


class AppellantRead(BaseModel):
    name: str
    phone: str
    confidential: bool
    identity: str  # full | masked | hidden


class DeadlinesRead(BaseModel):
    sign_due: ApiDatetime | None
    return_due: ApiDatetime | None
    reply_due: ApiDatetime | None
    close_due: ApiDatetime | None
    # Years without official calendar data these deadlines were computed across (Mon–Fri,
    # no holidays): provisional until recomputed. Empty: final.
    provisional_years: list[int] = Field(default_factory=list)


class CountersRead(BaseModel):
    return_count: int
    urge_count: int
    extension_working_days: int
    rehandle_count: int


class ContactRead(BaseModel):
    at: ApiDatetime
    by_user: str
    unit: str
    method: str
    summary: str
    round: int


class ReplyRead(BaseModel):
    at: ApiDatetime
    by_user: str
    unit: str
    text: str
    round: int


class VisitRead(BaseModel):
    at: ApiDatetime
    by_user: str
    unit_contacted: bool
    solved: bool
    satisfaction: str
    trust: str
    note: str
    round: int


class ReturnRead(BaseModel):
    at: ApiDatetime
    by_user: str
    unit: str
    reason: str
    legal_basis: str
    suggested_unit: str
    late: bool
    disputed: bool


class ExtensionRead(BaseModel):
    at: ApiDatetime
    by_user: str
    working_days: int
    reason: str


class WorkOrderRead(BaseModel):
    id: str
    number: str
    status: str
    channel: str
    appeal_type: str
    category_code: str
    sla_class: str
    enterprise: bool
    title: str
    content: str
    appellant: AppellantRead
    address: str
    district: str
    town: str
    call_id: str | None
    lead_unit: str | None
    assisting_units: list[str]
    copy_units: list[str]
    deadlines: DeadlinesRead
    counters: CountersRead
    handling_round: int
    contacts: list[ContactRead]
    reply: ReplyRead | None
    visit: VisitRead | None
    returns: list[ReturnRead]
    pending_extension: ExtensionRead | None
    exclusion: str
    closure: str | None
    answer: str
    handed_over_to: str | None
    refusal_reason: str | None
    merged_into: str | None
    flags: list[str]
    created_at: ApiDatetime
    accepted_at: ApiDatetime | None
    dispatched_at: ApiDatetime | None
    signed_at: ApiDatetime | None
    replied_at: ApiDatetime | None
    closed_at: ApiDatetime | None
    version: int
    allowed_actions: list[str]


class WorkOrderPageRead(BaseModel):
    items: list[WorkOrderRead]
    total: int
    limit: int
    offset: int


class TransitionRead(BaseModel):
    version: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: str
    actor_role: str
    actor_unit: str | None
    occurred_at: ApiDatetime
    payload: dict[str, object]


class PersonalDataReadRead(BaseModel):
    user_id: str
    role: str
    unit_id: str | None
    fields: list[str]
    purpose: str
    read_at: ApiDatetime


# -- action bodies ---------------------------------------------------------------------------
class Versioned(Strict):
    """``expected_version``: optional optimistic check against the version the client saw."""

    expected_version: int | None = None


class AcceptCreate(Versioned):
    sla_class: SlaClass | None = None
    category_code: Annotated[str | None, Field(max_length=32)] = None


class AnswerCreate(Versioned):
    answer: Text2000


class HandOverCreate(Versioned):
    service: EmergencyService
    note: Note = ""


class RefusalCreate(Versioned):
    reason: OutOfScopeReason
    explanation: Note = ""


class DispatchCreate(Versioned):
    lead_unit: UnitId
    assisting_units: Annotated[list[UnitId], Field(max_length=20)] = []
    copy_units: Annotated[list[UnitId], Field(max_length=20)] = []
    note: Note = ""


class SignCreate(Versioned):
    pass


class ReturnCreate(Versioned):
    reason: Text2000
    legal_basis: Text2000
    suggested_unit: UnitId


class DisputeCreate(Versioned):
    decision: Text2000


class ContactCreate(Versioned):
    method: ContactMethod
    summary: Text2000


class ReplyCreate(Versioned):
    text: Annotated[str, Field(min_length=1, max_length=5000)]
    contact: ContactCreate | None = None  # record the contact first, in the same request


class VisitCreate(Versioned):
    unit_contacted: bool
    solved: bool
    satisfaction: Satisfaction
    trust: Trust
    note: Note = ""


class CloseCreate(Versioned):
    note: Note = ""


class ExtensionCreate(Versioned):
    working_days: Annotated[int, Field(ge=1, le=365)]
    reason: Text2000


class ExtensionDecisionCreate(Versioned):
    working_days: Annotated[int | None, Field(ge=1, le=365)] = None
    note: Note = ""


class UrgeCreate(Versioned):
    note: Note = ""


class MergeCreate(Versioned):
    into_id: Annotated[str, Field(min_length=1, max_length=32)]


class ReHandleCreate(Versioned):
    note: Text2000


class ExclusionCreate(Versioned):
    reason: Text2000
    leader_sign_off: Text200


class DecisionCreate(Versioned):
    note: Note = ""


# -- reference ---------------------------------------------------------------------------------
class UnitRead(BaseModel):
    id: str
    name: str
    kind: str
    district: str
    parent_id: str | None


class CategoryRead(BaseModel):
    code: str
    name: str
    parent_code: str | None
    sla_class: str


class HealthRead(BaseModel):
    status: str
    checks: dict[str, str]
