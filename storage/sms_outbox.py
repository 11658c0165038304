"""Default :class:`core.ports.SmsGateway`: writes an outbox row and logs it.

A real SMS provider adapter would drain the outbox; until one is configured the outbox is the
record of what would have been sent.
"""

from __future__ import annotations

import logging
import re
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import ExternalServiceError
from core.ports import Clock, OutgoingSms
from storage.tables.calls import SmsOutboxRow

log = logging.getLogger(__name__)
_PHONE = re.compile(r"^\+?\d{5,20}$")
MAX_BODY = 500  # long SMS are split by carriers at 70 chars; 500 is a sane upper bound


class OutboxSmsGateway:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def send(self, message: OutgoingSms) -> str:
        if not _PHONE.match(message.to):
            raise ExternalServiceError(
                f"SMS refused: {message.to!r} is not a phone number",
                code="sms.refused",
                details={"to": message.to},
            )
        if not message.body.strip() or len(message.body) > MAX_BODY:
            raise ExternalServiceError(
                f"SMS refused: body must be 1..{MAX_BODY} characters",
                code="sms.refused",
                details={"length": len(message.body)},
            )
        message_id = str(uuid.uuid4())
        async with self._sessions.begin() as session:
            session.add(
                SmsOutboxRow(
                    id=message_id,
                    to_number=message.to,
                    body=message.body,
                    call_id=message.call_id,
                    status="queued",
                    created_at=self._clock.now(),
                )
            )
        log.info("sms queued id=%s to=%s call=%s", message_id, message.to, message.call_id)
        return message_id

    async def outbox(self, limit: int = 100) -> list[tuple[str, OutgoingSms, str]]:
        """(id, message, status), newest first — for the operator and tests."""
        query = select(SmsOutboxRow).order_by(SmsOutboxRow.created_at.desc()).limit(limit)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            (r.id, OutgoingSms(to=r.to_number, body=r.body, call_id=r.call_id), r.status)
            for r in rows
        ]
