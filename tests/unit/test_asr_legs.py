from __future__ import annotations

import pytest

from asr.legs import InMemoryLegDirectory, Leg, LegDirectory, LiveStateLegDirectory
from core.live_memory import InMemoryLiveState
from core.ports import LiveState


def directories() -> list[LegDirectory]:
    state: LiveState = InMemoryLiveState()
    return [InMemoryLegDirectory(), LiveStateLegDirectory(state)]


@pytest.mark.parametrize("directory", directories(), ids=["memory", "live-state"])
async def test_register_lookup_forget_case_insensitive(directory: LegDirectory) -> None:
    leg = Leg("1795242481.65", "agent", "PJSIP/agent8003-0000003b")
    await directory.register("0B1E9A3C-5D2F-4C6B-9E8A-12345A0C0003", leg)
    assert await directory.lookup("0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003") == leg
    await directory.forget("0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003")
    assert await directory.lookup("0b1e9a3c-5d2f-4c6b-9e8a-12345a0c0003") is None


def test_speaker_must_be_known() -> None:
    with pytest.raises(ValueError, match="speaker must be one of"):
        Leg("c", "supervisor")
