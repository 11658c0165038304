"""In-process live state: the embedded default (``storage.live_memory`` re-exports it), the AMI
simulator's live state and the tests'. Pure and standard-library only, hence in core so that
storage, telephony and tests share one implementation. Documents are deep-copied through JSON
so a caller can never mutate the stored copy, and non-JSON values fail here as they would in
Redis."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from core.ports import JSON


def _roundtrip(doc: Mapping[str, JSON]) -> dict[str, Any]:
    value = json.loads(json.dumps(dict(doc), ensure_ascii=False))
    assert isinstance(value, dict)
    return value


class InMemoryLiveState:
    """Implements :class:`core.ports.LiveState` with dicts."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, dict[str, Any]]] = {}

    async def put(self, namespace: str, key: str, doc: Mapping[str, JSON]) -> None:
        self._data.setdefault(namespace, {})[key] = _roundtrip(doc)

    async def patch(self, namespace: str, key: str, fields: Mapping[str, JSON]) -> None:
        # A patch of a missing document creates it (upsert): writers need not race to create.
        current = self._data.setdefault(namespace, {}).get(key, {})
        self._data[namespace][key] = {**current, **_roundtrip(fields)}

    async def get(self, namespace: str, key: str) -> dict[str, JSON] | None:
        doc = self._data.get(namespace, {}).get(key)
        return None if doc is None else _roundtrip(doc)

    async def delete(self, namespace: str, key: str) -> None:
        self._data.get(namespace, {}).pop(key, None)

    async def all(self, namespace: str) -> dict[str, dict[str, JSON]]:
        return {k: _roundtrip(v) for k, v in self._data.get(namespace, {}).items()}

    async def clear(self, namespace: str) -> None:
        self._data.pop(namespace, None)

    async def close(self) -> None:
        self._data.clear()
