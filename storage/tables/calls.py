"""Generic tables for the other areas: call events, transcripts, SMS outbox, voicemails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.column_types import UtcDateTime
from storage.tables.base import Base


class CallEventRow(Base):
    __tablename__ = "call_events"
    __table_args__ = (Index("ix_call_events_occurred_at", "occurred_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    linkedid: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[dict[str, Any]]


class TranscriptSegmentRow(Base):
    __tablename__ = "transcript_segments"
    # One row per (call, speaker, start): a final segment replaces the partial it finalises.
    __table_args__ = (UniqueConstraint("call_id", "speaker", "start_ms"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    speaker: Mapped[str] = mapped_column(String(16))
    start_ms: Mapped[int] = mapped_column(Integer)
    end_ms: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_normalised: Mapped[str] = mapped_column(Text, default="")
    final: Mapped[bool] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column(Float)
    gap: Mapped[bool] = mapped_column(Boolean, default=False)


class SmsOutboxRow(Base):
    __tablename__ = "sms_outbox"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    to_number: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    call_id: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VoicemailRow(Base):
    __tablename__ = "voicemails"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    caller_number: Mapped[str] = mapped_column(String(32))
    recording_path: Mapped[str] = mapped_column(String(512))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    work_order_id: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[str] = mapped_column(String(16), default="received")
