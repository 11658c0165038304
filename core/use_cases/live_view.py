"""Read the live state the AMI bridge writes (``core.live`` namespaces) for desks and wallboards.

Thin on purpose: the documents are already shaped by :class:`core.live.LiveReducer`; this use
case only orders them and adds the wallboard's headline figures (waiting callers, longest wait
now, agents by state) computed from the same documents, so the page never re-derives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.ports import LiveState

AGENT_STATES = ("available", "ringing", "on_call", "wrapup", "paused", "unavailable", "logged_out")


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    queues: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    gap: dict[str, Any] | None

    def summary(self) -> dict[str, Any]:
        """Figures over all queues: waiting callers, longest wait, agents per state."""
        by_state = dict.fromkeys(AGENT_STATES, 0)
        for agent in self.agents:
            state = str(agent.get("state", "logged_out"))
            by_state[state] = by_state.get(state, 0) + 1
        return {
            "waiting_count": sum(int(q.get("waiting_count", 0)) for q in self.queues),
            "longest_wait_s": max(
                (int(q.get("longest_wait_s", 0)) for q in self.queues), default=0
            ),
            "agents_by_state": by_state,
            "calls_in_progress": len(self.calls),
        }


class ReadLive:
    def __init__(self, live: LiveState) -> None:
        self._live = live

    async def queues(self) -> list[dict[str, Any]]:
        docs = await self._live.all("queues")
        return [docs[k] for k in sorted(docs)]

    async def agents(self) -> list[dict[str, Any]]:
        docs = await self._live.all("agents")
        return [docs[k] for k in sorted(docs)]

    async def calls(self) -> list[dict[str, Any]]:
        docs = await self._live.all("calls")
        return sorted(
            docs.values(), key=lambda d: (str(d.get("since") or ""), str(d.get("linkedid")))
        )

    async def gap(self) -> dict[str, Any] | None:
        return await self._live.get("system", "gap")

    async def snapshot(self) -> LiveSnapshot:
        return LiveSnapshot(
            await self.queues(), await self.agents(), await self.calls(), await self.gap()
        )
