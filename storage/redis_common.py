"""Shared Redis plumbing: client construction and one mapping of connection failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import ExternalServiceError

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)


def safe_url(url: str) -> str:
    """The URL without its password, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def client_name(role: str, prefix: str) -> str:
    """``CLIENT SETNAME`` value: no spaces allowed, so anything odd becomes ``_``."""
    cleaned = "".join(c if c.isalnum() or c in ":-_." else "_" for c in prefix)
    return f"hotline-{role}-{cleaned}"


def make_client(url: str, *, name: str) -> Any:
    """A redis.asyncio client. Typed ``Any`` on purpose: the installed ``types-redis`` stubs
    describe redis 4 and lack ``aclose``/async pub-sub details of redis 8."""
    # Few, short retries: a dead Redis must surface quickly as an ExternalServiceError.
    return aioredis.Redis.from_url(
        url,
        client_name=name,
        socket_connect_timeout=2.0,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
    )


def unavailable(url: str, exc: BaseException) -> ExternalServiceError:
    shown = safe_url(url)
    return ExternalServiceError(
        f"Redis at {shown} is unreachable ({type(exc).__name__}: {exc}); "
        "check HOTLINE_REDIS__URL or unset it to run in-process",
        code="external.redis_unavailable",
        details={"url": shown},
    )


@contextmanager
def redis_errors(url: str) -> Iterator[None]:
    try:
        yield
    except REDIS_DOWN as exc:
        raise unavailable(url, exc) from exc
