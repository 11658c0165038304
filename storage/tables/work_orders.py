"""Work orders (工单), their units, the transition audit trail, personal-data reads,
idempotency keys and number sequences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.column_types import UtcDateTime
from storage.tables.base import Base


class WorkOrderRow(Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_status_created", "status", "created_at"),
        Index("ix_work_orders_reply_due", "reply_due"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    appeal_type: Mapped[str] = mapped_column(String(8))
    category_code: Mapped[str] = mapped_column(String(32), index=True, default="")
    sla_class: Mapped[str] = mapped_column(String(16))
    enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    appellant_name: Mapped[str] = mapped_column(String(64), default="")
    appellant_phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(256), default="")
    district: Mapped[str] = mapped_column(String(64), default="", index=True)
    town: Mapped[str] = mapped_column(String(64), default="")
    call_id: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    lead_unit: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    assisting_units: Mapped[list[Any]]
    copy_units: Mapped[list[Any]]
    sign_due: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    return_due: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    reply_due: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    close_due: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    # years the deadlines were computed across without official calendar data (weekend-only)
    provisional_years: Mapped[list[Any]]
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_working_days: Mapped[int] = mapped_column(Integer, default=0)
    rehandle_count: Mapped[int] = mapped_column(Integer, default=0)
    handling_round: Mapped[int] = mapped_column(Integer, default=1)
    contacts: Mapped[list[Any]]
    reply: Mapped[dict[str, Any] | None]
    visit: Mapped[dict[str, Any] | None]
    returns: Mapped[list[Any]]
    pending_extension: Mapped[dict[str, Any] | None]
    exclusion: Mapped[str] = mapped_column(String(16), default="none")
    closure: Mapped[str | None] = mapped_column(String(32), default=None)
    answer: Mapped[str] = mapped_column(Text, default="")
    handed_over_to: Mapped[str | None] = mapped_column(String(8), default=None)
    refusal_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    merged_into: Mapped[str | None] = mapped_column(String(32), default=None)
    flags: Mapped[list[Any]]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    version: Mapped[int] = mapped_column(Integer)


class WorkOrderUnitRow(Base):
    """Which units an order concerns (lead 主办 / assisting 协办 / copy 抄送): the index behind
    "a unit sees only its own orders"."""

    __tablename__ = "work_order_units"
    order_id: Mapped[str] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))  # lead | assisting | copy


class WorkOrderTransitionRow(Base):
    """Audit trail: one row per applied command (who, when, action, from → to, payload)."""

    __tablename__ = "work_order_transitions"
    __table_args__ = (UniqueConstraint("order_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32), default=None)
    to_status: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_unit: Mapped[str | None] = mapped_column(String(64), default=None)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[dict[str, Any]]


class PersonalDataReadRow(Base):
    """Every read of an appellant's unmasked personal data (who, when, which order, fields)."""

    __tablename__ = "personal_data_reads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[str | None] = mapped_column(String(64), default=None)
    fields: Mapped[list[Any]]
    purpose: Mapped[str] = mapped_column(String(32))
    read_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IdempotencyKeyRow(Base):
    """A client's Idempotency-Key → the order its first request created."""

    __tablename__ = "idempotency_keys"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SequenceRow(Base):
    """Named counters (work-order numbers per day)."""

    __tablename__ = "sequences"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
