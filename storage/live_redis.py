"""Redis live state: one hash per namespace (``<prefix>live:<namespace>``), JSON values.

``patch`` is an optimistic WATCH/MULTI read-modify-write, so concurrent patches of different
fields of one document from several processes never lose each other's fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from redis.exceptions import WatchError

from core.ports import JSON
from storage.redis_common import client_name, make_client, redis_errors


def _dump(doc: Mapping[str, JSON]) -> str:
    return json.dumps(dict(doc), ensure_ascii=False, separators=(",", ":"))


def _load(raw: bytes | str) -> dict[str, Any]:
    value = json.loads(raw)
    assert isinstance(value, dict)
    return value


class RedisLiveState:
    """Implements :class:`core.ports.LiveState` over Redis hashes."""

    def __init__(self, url: str, *, prefix: str = "hotline:") -> None:
        self._url = url
        self._prefix = prefix
        self._client = make_client(url, name=client_name("live", prefix))

    def _key(self, namespace: str) -> str:
        return f"{self._prefix}live:{namespace}"

    async def put(self, namespace: str, key: str, doc: Mapping[str, JSON]) -> None:
        body = _dump(doc)
        with redis_errors(self._url):
            await self._client.hset(self._key(namespace), key, body)

    async def patch(self, namespace: str, key: str, fields: Mapping[str, JSON]) -> None:
        name = self._key(namespace)
        addition = json.loads(_dump(fields))
        with redis_errors(self._url):
            async with self._client.pipeline(transaction=True) as pipe:
                while True:
                    try:
                        await pipe.watch(name)
                        raw = await pipe.hget(name, key)
                        current = _load(raw) if raw is not None else {}
                        pipe.multi()
                        pipe.hset(name, key, _dump({**current, **addition}))
                        await pipe.execute()
                        return
                    except WatchError:
                        continue  # someone wrote the namespace meanwhile: read again

    async def get(self, namespace: str, key: str) -> dict[str, JSON] | None:
        with redis_errors(self._url):
            raw = await self._client.hget(self._key(namespace), key)
        return None if raw is None else _load(raw)

    async def delete(self, namespace: str, key: str) -> None:
        with redis_errors(self._url):
            await self._client.hdel(self._key(namespace), key)

    async def all(self, namespace: str) -> dict[str, dict[str, JSON]]:
        with redis_errors(self._url):
            raw = await self._client.hgetall(self._key(namespace))
        return {(k.decode() if isinstance(k, bytes) else str(k)): _load(v) for k, v in raw.items()}

    async def clear(self, namespace: str) -> None:
        with redis_errors(self._url):
            await self._client.delete(self._key(namespace))

    async def close(self) -> None:
        await self._client.aclose()

    async def ping(self) -> None:
        with redis_errors(self._url):
            await self._client.ping()
