"""Recent average handle time (AHT) per queue, for the live queue document and the IVR's
estimated wait.

AHT follows docs/kpi.md: mean(talk + wrap-up) of completed answered calls, where talk is
``AgentComplete`` ``TalkTime`` (answer to hang-up, so holds during the call are included) and
wrap-up is the queue's ``wrapuptime`` (Asterisk's automatic after-call work; no AMI event
marks its end). ``AgentComplete`` ``HoldTime`` is the caller's wait *in the queue* before the
answer, not a hold during the call, so it is not part of AHT.

The window is bounded two ways: the last ``calls`` completions per queue (by completion time),
and of those only completions at most ``max_age_s`` old (0 = no age limit). An empty window
gives ``None``: the reader falls back to its configured default.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class AhtWindow:
    calls: int = 20  # as core.callsim's aht_window, which the diversion rules were tuned on
    max_age_s: float = 7200.0

    def __post_init__(self) -> None:
        if self.calls < 1:
            raise ValueError("AHT window must hold at least one call")
        if self.max_age_s < 0:
            raise ValueError("AHT window age must be >= 0 (0: no age limit)")


@dataclass(frozen=True, slots=True)
class RecentAht:
    mean_s: float | None  # None: no completed call in the window
    calls: int


class RecentHandleTimes:
    """Handle times of the last completed calls per queue, oldest first."""

    def __init__(self, window: AhtWindow | None = None) -> None:
        self.window = window or AhtWindow()
        self._by_queue: dict[str, list[tuple[datetime, float]]] = {}

    def add(self, queue: str, ended_at: datetime, handle_s: float) -> None:
        entries = self._by_queue.setdefault(queue, [])
        # completions reconciled late from queue_log may be older than ones already seen
        bisect.insort(entries, (ended_at, handle_s), key=lambda e: e[0])
        del entries[: -self.window.calls]

    def recent(self, queue: str, now: datetime | None) -> RecentAht:
        """Mean over the window at ``now``; completions too old are dropped for good."""
        entries = self._by_queue.get(queue, [])
        if self.window.max_age_s and now is not None and entries:
            cutoff = now - timedelta(seconds=self.window.max_age_s)
            del entries[: bisect.bisect_left(entries, cutoff, key=lambda e: e[0])]
        if not entries:
            return RecentAht(None, 0)
        return RecentAht(sum(h for _, h in entries) / len(entries), len(entries))
