"""Call records (one per citizen call), callback tasks (回电) and voicemail transcription jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.column_types import UtcDateTime
from storage.tables.base import Base


class CallRecordRow(Base):
    __tablename__ = "call_records"
    __table_args__ = (Index("ix_call_records_offered_at", "offered_at"),)
    linkedid: Mapped[str] = mapped_column(String(64), primary_key=True)
    caller_number: Mapped[str] = mapped_column(String(32), index=True, default="")
    queue: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(32), index=True)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    wait_s: Mapped[int | None] = mapped_column(Integer, default=None)
    talk_s: Mapped[int | None] = mapped_column(Integer, default=None)
    agent_name: Mapped[str] = mapped_column(String(64), default="")
    record: Mapped[dict[str, Any]]  # CallRecord.to_dict(): legs, timeline, diversions …


class CallbackTaskRow(Base):
    __tablename__ = "callback_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    caller_number: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(16))
    draft_id: Mapped[str | None] = mapped_column(String(32), default=None)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_result: Mapped[str] = mapped_column(Text, default="")


class TranscriptionJobRow(Base):
    __tablename__ = "transcription_jobs"
    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recording_path: Mapped[str] = mapped_column(String(512))
    draft_id: Mapped[str] = mapped_column(String(32))
    speaker: Mapped[str] = mapped_column(String(16), default="voicemail")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
