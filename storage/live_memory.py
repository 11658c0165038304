"""In-process live state (the embedded default): :class:`core.live_memory.InMemoryLiveState`,
which the AMI simulator (telephony may not import storage) and the tests use as well."""

from __future__ import annotations

from core.live_memory import InMemoryLiveState as InMemoryLiveState
