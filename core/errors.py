"""Domain errors with stable dotted codes.

Errors carry no HTTP knowledge: ``agent_api`` maps codes to status codes in one table.
User-facing Chinese text lives in :mod:`core.messages`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base of every domain error; ``code`` is stable and dotted (``work_order.not_found``)."""

    code: str = "domain.error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    code = "conflict"


class InvalidTransitionError(ConflictError):
    code = "work_order.invalid_transition"


class PermissionDeniedError(DomainError):
    code = "auth.forbidden"


class AuthenticationError(DomainError):
    code = "auth.unauthenticated"


class ValidationError(DomainError):
    code = "validation.invalid"


class CalendarError(DomainError):
    """A date outside the business calendar's data, or a malformed override file."""

    code = "calendar.error"


class ExternalServiceError(DomainError):
    """A dependency (Asterisk, Redis, ASR worker, SMS gateway) refused or is unreachable."""

    code = "external.unavailable"
