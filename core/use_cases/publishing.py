"""Publishing work-order events on the bus after they are stored."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from core.errors import ExternalServiceError
from core.events import DomainEvent
from core.ports import EventBus

log = logging.getLogger(__name__)
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def topic_for(event: DomainEvent) -> str:
    """``WorkOrderDispatched`` → ``work_order.dispatched``; ``ExtensionApproved`` →
    ``work_order.extension_approved``."""
    name = event.name.removeprefix("WorkOrder")
    return "work_order." + _CAMEL.sub("_", name).lower()


async def publish_all(bus: EventBus, events: Sequence[DomainEvent]) -> None:
    # The transition is already committed and the audit trail is the durable record, so a
    # bus outage must not fail the request: live subscribers resync from storage.
    for event in events:
        try:
            await bus.publish(topic_for(event), event.to_dict())
        except ExternalServiceError as exc:
            log.warning("event %s not published: %s", event.name, exc.message)
