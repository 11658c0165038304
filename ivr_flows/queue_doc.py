"""Read the live queue document in either shape the telephony side may write.

1. **Flat** (the IVR contract, namespace ``queue``)::

       {"waiting": 3, "available": 0, "logged_in": 4, "aht_recent_s": 183.0, "paused": 1}

2. **Bridge snapshot** (``telephony.live_sync`` resync, namespace ``queues``): ``waiting`` is
   the list of queue entries, ``members`` the list of members with ``status`` (device state:
   "1" not in use), ``in_call`` and ``paused``. Ready = not paused, not in a call, status "1".

``aht_recent_s`` missing in either shape → ``default_aht_s`` (if given) so the estimated wait
still works; otherwise the document is refused (ValueError) and the caller is simply queued.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ivr_flows.policy import QueueState

NAMESPACES = ("queue", "queues")  # tried in this order


def parse_queue_doc(doc: Mapping[str, Any], *, default_aht_s: float | None = None) -> QueueState:
    flat = dict(doc)
    if isinstance(doc.get("waiting"), list) or "members" in doc:
        members = doc.get("members") or []
        if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
            raise ValueError("queue document field 'members' is not a list of members")
        waiting = doc.get("waiting") or []
        if not isinstance(waiting, list):
            raise ValueError("queue document field 'waiting' is not a list")
        flat["waiting"] = len(waiting)
        flat["logged_in"] = len(members)
        flat["paused"] = sum(1 for m in members if m.get("paused") is True)
        flat["available"] = sum(
            1
            for m in members
            if m.get("paused") is not True and m.get("in_call") is not True
            and str(m.get("status")) == "1"
        )  # fmt: skip
    if flat.get("aht_recent_s") is None and default_aht_s is not None:
        flat["aht_recent_s"] = default_aht_s
    return QueueState.from_doc(flat)
