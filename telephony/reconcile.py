"""After an AMI reconnect: resync the translator and reconcile the outage from queue_log.

Not used by the bridge (``telephony/bridge.py`` reconciles through its own queue_log tail); kept
with its tests as a pure, one-call form of the same steps. :func:`after_reconnect` takes the
Linkedids of the channels
``CoreShowChannels`` lists, the queue_log lines written so far, the time the link was lost and
the call events already in the log (at least those of the calls active around the outage).
It returns the events to append: ``CallEnded`` for calls that vanished, then the queue events
queue_log knows and the log does not (``core.call_reconcile.missing_events``). A caller would
publish a ``DataGap`` with ``calls_reconciled`` = the number of distinct Linkedids returned.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from core.call_reconcile import missing_events
from core.calls import CallEvent
from core.events import DomainEvent
from telephony.queue_log import events_from_queue_log
from telephony.translate import Translator

# queue_log has whole seconds: widen the window by one so no line on the boundary is missed
_SLACK = timedelta(seconds=1)


def after_reconnect(
    translator: Translator,
    *,
    alive_linkedids: Collection[str],
    queue_log_lines: Iterable[str],
    lost_at: datetime,
    reconnected_at: datetime,
    existing: Iterable[DomainEvent],
) -> list[DomainEvent]:
    # a departure still undecided when the link dropped is decided by queue_log, even if its
    # ABANDON / EXITWITHTIMEOUT line is older than the moment the link was lost
    undecided = translator.undecided_since()
    since = min(lost_at, undecided) if undecided is not None else lost_at
    ended = translator.resync(alive_linkedids, reconnected_at)
    candidates = events_from_queue_log(queue_log_lines, since - _SLACK, reconnected_at + _SLACK)
    new = missing_events([*existing, *ended], candidates)
    translator.absorb(new, alive_linkedids)
    return [*ended, *new]


def calls_in(events: Iterable[DomainEvent]) -> int:
    """Distinct calls touched by ``events`` (the DataGap's ``calls_reconciled``)."""
    return len({e.linkedid for e in events if isinstance(e, CallEvent)})
