"""UUID → call leg. The tap logic registers a fresh UUID per tapped leg *before* it asks Asterisk
to connect, so the AudioSocket server can tie an incoming stream to (call id, speaker).

Two implementations: in-process (demo, tests) and one over :class:`core.ports.LiveState` for when
the AMI bridge and the ASR worker are separate processes sharing Redis.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol

from core.ports import LiveState

SPEAKERS = ("caller", "agent", "voicemail")


@dataclass(frozen=True, slots=True)
class Leg:
    call_id: str
    speaker: str  # "caller" | "agent"
    channel: str = ""  # the tapped Asterisk channel, for logs

    def __post_init__(self) -> None:
        if self.speaker not in SPEAKERS:
            raise ValueError(f"speaker must be one of {SPEAKERS}, got {self.speaker!r}")


class LegDirectory(Protocol):
    async def register(self, stream_id: str, leg: Leg) -> None: ...

    async def lookup(self, stream_id: str) -> Leg | None: ...

    async def forget(self, stream_id: str) -> None: ...


class InMemoryLegDirectory:
    def __init__(self) -> None:
        self._legs: dict[str, Leg] = {}

    async def register(self, stream_id: str, leg: Leg) -> None:
        self._legs[stream_id.lower()] = leg

    async def lookup(self, stream_id: str) -> Leg | None:
        return self._legs.get(stream_id.lower())

    async def forget(self, stream_id: str) -> None:
        self._legs.pop(stream_id.lower(), None)


class LiveStateLegDirectory:
    NAMESPACE = "asr.legs"

    def __init__(self, state: LiveState) -> None:
        self._state = state

    async def register(self, stream_id: str, leg: Leg) -> None:
        await self._state.put(self.NAMESPACE, stream_id.lower(), asdict(leg))

    async def lookup(self, stream_id: str) -> Leg | None:
        doc = await self._state.get(self.NAMESPACE, stream_id.lower())
        if doc is None:
            return None
        return Leg(str(doc["call_id"]), str(doc["speaker"]), str(doc.get("channel", "")))

    async def forget(self, stream_id: str) -> None:
        await self._state.delete(self.NAMESPACE, stream_id.lower())
