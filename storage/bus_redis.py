"""Redis pub/sub event bus (used when ``settings.redis.url`` is set).

Each publish takes a sequence number from one Redis counter (atomically, in a script), so ``seq``
is monotonic for every process sharing the prefix. Every subscription owns one pub/sub
connection and one reader task; when that connection dies the task reconnects with back-off and
the subscriber receives a ``bus.resync`` marker (messages published meanwhile are lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from core.ports import JSON, BusMessage
from storage.bus_common import Mailbox, topic_matches, validate_patterns
from storage.redis_common import (
    REDIS_DOWN,
    client_name,
    make_client,
    redis_errors,
    unavailable,
)

log = logging.getLogger(__name__)
PubSub = Any  # redis.asyncio.client.PubSub (see redis_common.make_client on typing)

_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], seq .. '|' .. ARGV[2])
return seq
"""
_GLOB_SPECIAL = "\\*?[]"


def _escape_glob(text: str) -> str:
    return "".join("\\" + c if c in _GLOB_SPECIAL else c for c in text)


class _ReconnectWatcher:
    """redis-py silently reconnects and re-subscribes a pub/sub connection; messages published
    in between are lost. This connect callback turns that into a resync marker."""

    def __init__(self, box: Mailbox) -> None:
        self._box = box

    def watch(self, pubsub: PubSub) -> None:
        if pubsub.connection is not None:
            # redis-py keeps a weak reference: the pump keeps this watcher alive.
            pubsub.connection.register_connect_callback(self.on_connect)

    async def on_connect(self, connection: object) -> None:
        log.warning("bus: Redis pub/sub reconnected; subscriber must resync")
        self._box.mark_gap("reconnect")


class RedisEventBus:
    """Implements :class:`core.ports.EventBus` over Redis pub/sub."""

    def __init__(self, url: str, *, prefix: str = "hotline:") -> None:
        self._url = url
        self._prefix = prefix
        # The client name carries the prefix so an operator can tell deployments apart.
        self._client = make_client(url, name=client_name("bus", prefix))
        self._publish_script = self._client.register_script(_PUBLISH)
        self._readers: dict[asyncio.Task[None], Mailbox] = {}
        self._closed = False

    def _channel(self, topic: str) -> str:
        return f"{self._prefix}bus:{topic}"

    def _channel_pattern(self, pattern: str) -> str:
        base = _escape_glob(f"{self._prefix}bus:")
        if pattern == "*":
            return base + "*"
        if pattern.endswith(".*"):
            return base + _escape_glob(pattern[:-1]) + "*"
        return base + _escape_glob(pattern)

    async def publish(self, topic: str, payload: Mapping[str, JSON]) -> None:
        if self._closed:
            raise RuntimeError("event bus is closed")
        body = json.dumps(dict(payload), ensure_ascii=False, separators=(",", ":"))
        with redis_errors(self._url):
            await self._publish_script(
                keys=[f"{self._prefix}bus-seq"], args=[self._channel(topic), body]
            )

    async def _open(self, channels: list[str]) -> PubSub:
        """Subscribe and wait for the server's confirmations, so nothing published after
        ``subscribe`` returns can be missed."""
        pubsub = self._client.pubsub()
        try:
            await pubsub.psubscribe(*channels)
            confirmed = 0
            while confirmed < len(channels):
                msg = await pubsub.get_message(timeout=5.0)
                if msg is None:
                    raise TimeoutError("no psubscribe confirmation within 5 s")
                if msg["type"] == "psubscribe":
                    confirmed += 1
        except BaseException:
            with contextlib.suppress(*REDIS_DOWN):
                await pubsub.aclose()
            raise
        return pubsub

    def _decode(self, raw: dict[str, Any]) -> BusMessage | None:
        channel = raw["channel"].decode() if isinstance(raw["channel"], bytes) else raw["channel"]
        data = raw["data"].decode() if isinstance(raw["data"], bytes) else str(raw["data"])
        seq_text, _, body = data.partition("|")
        topic = channel[len(f"{self._prefix}bus:") :]
        try:
            payload = json.loads(body)
            seq = int(seq_text)
        except ValueError:
            log.warning("bus: undecodable message on %s dropped", channel)
            return None
        return BusMessage(topic=topic, payload=payload, seq=seq)

    async def _pump(self, pubsub: PubSub, channels: list[str], box: Mailbox) -> None:
        backoff = 0.1
        current: PubSub | None = pubsub
        watcher = _ReconnectWatcher(box)
        watcher.watch(pubsub)
        while True:
            try:
                if current is None:
                    current = await self._open(channels)
                    watcher.watch(current)
                    log.warning("bus: Redis subscription restored; subscriber must resync")
                    box.mark_gap("reconnect")
                    backoff = 0.1
                raw = await current.get_message(ignore_subscribe_messages=True, timeout=None)
                if raw is None or raw.get("type") != "pmessage":
                    continue
                message = self._decode(raw)
                if message is not None and box.wants(message.topic):
                    box.offer(message)
            except REDIS_DOWN as exc:
                log.warning("bus: Redis connection lost (%s); retrying in %.1fs", exc, backoff)
                if current is not None:
                    with contextlib.suppress(*REDIS_DOWN):
                        await current.aclose()
                current = None
                box.mark_gap("disconnected")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            except asyncio.CancelledError:
                if current is not None:
                    with contextlib.suppress(*REDIS_DOWN):
                        await current.aclose()
                raise

    @asynccontextmanager
    async def subscribe(
        self, *patterns: str, maxsize: int = 1000
    ) -> AsyncIterator[AsyncIterator[BusMessage]]:
        validate_patterns(patterns)
        if self._closed:
            raise RuntimeError("event bus is closed")
        channels = [self._channel_pattern(p) for p in patterns]
        try:
            pubsub = await self._open(channels)
        except REDIS_DOWN as exc:
            raise unavailable(self._url, exc) from exc
        box = Mailbox(patterns, maxsize)
        task = asyncio.create_task(self._pump(pubsub, channels, box), name="redis-bus-reader")
        self._readers[task] = box
        try:
            yield box.messages()
        finally:
            box.close()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._readers.pop(task, None)

    async def close(self) -> None:
        self._closed = True
        for task, box in tuple(self._readers.items()):
            box.close()
            task.cancel()
        for task in tuple(self._readers):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._readers.clear()
        await self._client.aclose()

    async def ping(self) -> None:
        with redis_errors(self._url):
            await self._client.ping()


__all__ = ["RedisEventBus", "topic_matches"]
