"""Telephony domain errors: Asterisk's refusals and link failures with stable dotted codes.

Asterisk answers a refused action with ``Response: Error`` and a free-text ``Message``; the
table below turns the texts seen on a real Asterisk 22 (``../shared/ami-traces`` 00, 05, 07)
into codes the API layer can map without parsing English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import ConflictError, DomainError, ExternalServiceError, NotFoundError


class AmiUnavailableError(ExternalServiceError):
    """No logged-in AMI session (never connected, or the link just dropped)."""

    code = "telephony.not_connected"


class AmiTimeoutError(ExternalServiceError):
    """Asterisk did not answer an action (or Login) in time."""

    code = "telephony.action_timeout"


class AmiAuthenticationError(ExternalServiceError):
    code = "telephony.authentication_failed"


class AmiActionRefusedError(ExternalServiceError):
    """``Response: Error`` with a message we have no more specific code for."""

    code = "telephony.action_refused"


class InterfaceNotFoundError(NotFoundError):
    code = "telephony.interface_not_found"


class InterfaceNotInQueueError(NotFoundError):
    code = "telephony.interface_not_in_queue"


class InterfaceAlreadyInQueueError(ConflictError):
    code = "telephony.interface_already_in_queue"


class ChannelNotFoundError(NotFoundError):
    code = "telephony.channel_not_found"


class OriginateFailedError(ExternalServiceError):
    code = "telephony.originate_failed"


# (message prefix as Asterisk words it, lower-cased) → error class
_REFUSALS: tuple[tuple[str, type[DomainError]], ...] = (
    ("interface not found", InterfaceNotFoundError),
    ("unable to remove interface: not there", InterfaceNotInQueueError),
    ("unable to remove interface from queue: no such queue", InterfaceNotInQueueError),
    ("unable to add interface: already there", InterfaceAlreadyInQueueError),
    ("unable to add interface to queue: no such queue", InterfaceNotFoundError),
    ("no such channel", ChannelNotFoundError),
    ("channel not specified", ChannelNotFoundError),
    ("originate failed", OriginateFailedError),
    ("authentication failed", AmiAuthenticationError),
)


def refusal_error(
    action: str, message: str, details: Mapping[str, Any] | None = None
) -> DomainError:
    """The domain error for Asterisk refusing ``action`` with ``message``."""
    lowered = message.strip().lower()
    info = {"action": action, "asterisk_message": message, **dict(details or {})}
    for prefix, cls in _REFUSALS:
        if lowered.startswith(prefix):
            return cls(f"Asterisk refused {action}: {message}", details=info)
    return AmiActionRefusedError(f"Asterisk refused {action}: {message}", details=info)
