"""Read the live queue document into the policy's :class:`QueueState`.

1. **The bridge's document** (namespace ``queues``, written by :class:`core.live.LiveReducer`
   through the telephony bridge): ``waiting`` is the list of waiting callers and ``members``
   the logged-in members, each with its ``state`` (available, ringing, on_call, wrapup,
   paused, unavailable). Available = members whose state is "available". ``aht_recent_s``
   is the reducer's recent AHT (talk + wrap-up of the last completed calls, see
   :mod:`core.handle_time`); ``None`` until a call completed in its window.
2. **Flat** (namespace ``queue``; for producers other than our bridge)::

       {"waiting": 3, "available": 0, "logged_in": 4, "aht_recent_s": 183.0, "paused": 1}

``aht_recent_s`` missing or ``None`` (no history yet, e.g. right after the bridge started)
→ ``default_aht_s`` (if given) so the estimated wait still works; otherwise the document is
refused (ValueError) and the caller is simply queued.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ivr_flows.policy import QueueState

NAMESPACES = ("queues", "queue")  # tried in this order: our bridge first


def parse_queue_doc(doc: Mapping[str, Any], *, default_aht_s: float | None = None) -> QueueState:
    flat = dict(doc)
    if isinstance(doc.get("waiting"), list) or "members" in doc:
        members = doc.get("members") or []
        if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
            raise ValueError("queue document field 'members' is not a list of members")
        waiting = doc.get("waiting") or []
        if not isinstance(waiting, list):
            raise ValueError("queue document field 'waiting' is not a list")
        states = [m.get("state") for m in members]
        flat["waiting"] = len(waiting)
        flat["logged_in"] = len(members)
        flat["paused"] = states.count("paused")
        flat["available"] = states.count("available")
    if flat.get("aht_recent_s") is None and default_aht_s is not None:
        flat["aht_recent_s"] = default_aht_s
    return QueueState.from_doc(flat)
