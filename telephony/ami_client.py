"""The one module that touches panoramisk: a typed AMI client with our own supervision.

Why wrap instead of using ``panoramisk.Manager`` as is:

* panoramisk reconnects on a fixed timer, re-sends actions that were pending when the link
  dropped (a second ``Originate`` would ring a citizen twice) and only logs in with a plain
  secret. We own the connect → login (plain or MD5 challenge) → ping → backoff loop instead.
* Its protocol decodes each TCP read with ``errors="ignore"`` (a 汉字 split across two reads
  is silently lost), buffers without limit, and lets one malformed frame raise out of
  ``data_received`` (which closes the transport). Our protocol subclass decodes
  incrementally, caps the frame size, and skips bad frames with a counted, logged reason.
* Event callbacks run inside the reader. They must never block or raise, so they only
  ``put_nowait`` into a bounded queue; on overflow we count the loss and, as soon as there is
  room, enqueue an :class:`Overflowed` marker so the consumer can resync and flag the gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from panoramisk import manager as _pm
from panoramisk.message import Message as _PMessage

from core.ports import Clock
from telephony.ami_codec import AmiMessage, AmiStreamParser, ProtocolIssue
from telephony.errors import (
    AmiAuthenticationError,
    AmiTimeoutError,
    AmiUnavailableError,
    refusal_error,
)

log = logging.getLogger(__name__)

EOM = "\r\n\r\n"


@dataclass(frozen=True, slots=True)
class LinkUp:
    """A new AMI session is logged in. ``session`` counts sessions from 1."""

    session: int
    at: datetime


@dataclass(frozen=True, slots=True)
class LinkDown:
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Overflowed:
    """``dropped`` messages were lost because the consumer queue was full."""

    dropped: int
    first_at: datetime
    last_at: datetime


StreamItem = AmiMessage | LinkUp | LinkDown | Overflowed


@dataclass(slots=True)
class ClientStats:
    """What happened on the link; the bridge reports these."""

    sessions: int = 0
    connect_failures: int = 0
    login_timeouts: int = 0
    login_refusals: int = 0
    ping_timeouts: int = 0
    disconnects: int = 0
    messages: int = 0
    issues: dict[str, int] = field(default_factory=dict)  # codec issue kind → count
    overflow_dropped: int = 0
    last_error: str = ""
    problems: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.last_error = text
        self.problems.append(text)
        del self.problems[:-50]  # keep the recent ones; counters hold the totals


@dataclass(frozen=True, slots=True)
class AmiConfig:
    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "hotline"
    secret: str = ""
    auth: Literal["plain", "md5"] = "plain"
    connect_timeout_s: float = 5.0
    login_timeout_s: float = 5.0
    action_timeout_s: float = 10.0
    ping_interval_s: float = 10.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    queue_maxsize: int = 10_000
    max_frame_bytes: int = 64 * 1024


class _Protocol(_pm.AMIProtocol):  # type: ignore[misc]
    """panoramisk's protocol, reading with our stream parser (:mod:`telephony.ami_codec`).

    Framing, UTF-8 decoding and size limits are the codec's (split-safe, issues reported,
    never raises). Only messages that answer a pending action go through panoramisk's
    response matching; events go straight to the client's queue.
    """

    version: str | None
    responses: dict[str, Any]

    def __init__(self, hooks: _Hooks, factory: Any) -> None:
        super().__init__()
        self.hooks = hooks
        self._preset_factory = factory

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        # Set the factory now, not when panoramisk's connect task completes: data can
        # arrive in between and must not hit a protocol without its manager.
        self.factory = self._preset_factory
        self.parser = AmiStreamParser(
            max_message_bytes=self.hooks.max_frame_bytes,
            max_line_bytes=min(16 * 1024, self.hooks.max_frame_bytes),
        )

    def data_received(self, data: bytes) -> None:
        hooks = self.hooks
        messages = self.parser.feed(data)
        for issue in self.parser.take_issues():
            hooks.issue(issue)
        if self.version is None and self.parser.banner is not None:
            self.version = self.parser.banner.partition("/")[2].strip()
        for message in messages:
            hooks.frame()
            action_id = message.action_id
            if action_id is not None and action_id in self.responses:
                try:
                    self.handle_message(_to_panoramisk(message))
                except Exception as exc:  # a bad reply must never close the link
                    hooks.malformed(message, f"{type(exc).__name__}: {exc}")
            elif message.kind == "event":
                hooks.message(message)
            elif message.kind != "response":
                hooks.malformed(message, "neither an Event nor a Response")

    def connection_lost(self, exc: Exception | None) -> None:
        for issue in self.parser.close():  # a message cut by the disconnect
            self.hooks.issue(issue)
        super().connection_lost(exc)

    def close(self) -> None:
        pending = list(self.responses.values()) if self.responses else []
        super().close()
        for action in pending:  # fail fast instead of waiting for each action's timeout
            if not action.future.done():
                action.future.set_exception(AmiUnavailableError("AMI link closed"))


def _to_panoramisk(message: AmiMessage) -> Any:
    headers: dict[str, Any] = {}
    for key, value in message.headers:
        if key in headers:
            old = headers[key]
            headers[key] = [*old, value] if isinstance(old, list) else [old, value]
        else:
            headers[key] = value
    return _PMessage(headers)


class _Manager(_pm.Manager):  # type: ignore[misc]
    """panoramisk Manager without its own reconnect timer, pinger and action re-sending."""

    pinger: Any
    protocol: Any

    def __init__(self, hooks: _Hooks, **config: Any) -> None:
        super().__init__(protocol_factory=lambda: _Protocol(hooks, self), **config)
        self.hooks = hooks

    def connection_made(self, f: asyncio.Future[Any]) -> None:
        if f.cancelled() or f.exception() is not None:
            return  # our supervisor handles failures (panoramisk would schedule a retry)
        super().connection_made(f)
        if self.pinger is not None:
            self.pinger.cancel()
            self.pinger = None

    def ping(self) -> None:  # our supervisor pings with a timeout instead
        return None

    async def send_awaiting_actions(self, *_: Any) -> None:
        self.awaiting_actions.clear()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._connected = False
        for action in list(self.awaiting_actions):
            if not action.future.done():
                action.future.set_exception(AmiUnavailableError("AMI link lost during action"))
        self.awaiting_actions.clear()
        self.hooks.lost(exc)

    def dispatch(self, event: Any) -> list[str]:
        self.hooks.message(_convert(event))
        return []


class _Hooks:
    """Callbacks from the reader into the client: enqueue or count, never block."""

    def __init__(self, client: AmiClient) -> None:
        self._client = client
        self.max_frame_bytes = client.config.max_frame_bytes

    def message(self, message: AmiMessage) -> None:
        self._client._on_event(message)

    def frame(self) -> None:
        self._client.stats.messages += 1

    def lost(self, exc: BaseException | None) -> None:
        self._client._lost.set()

    def issue(self, issue: ProtocolIssue) -> None:
        stats = self._client.stats
        stats.issues[issue.kind] = stats.issues.get(issue.kind, 0) + 1
        text = f"{issue.kind} at byte {issue.offset}: {issue.detail} ({issue.sample[:32]!r})"
        stats.note(text)
        log.warning("AMI: %s", text)

    def malformed(self, message: AmiMessage, why: str) -> None:
        stats = self._client.stats
        stats.issues["malformed_message"] = stats.issues.get("malformed_message", 0) + 1
        text = f"malformed message skipped ({why}): {message.headers[:3]!r}"
        stats.note(text)
        log.warning("AMI: %s", text)


def _convert(message: Any) -> AmiMessage:
    """panoramisk ``Message`` (a case-insensitive dict, lists for repeated keys) → ours."""
    pairs: list[tuple[str, str]] = []
    for key, value in message.items():
        if key == "content" and not value:
            continue  # panoramisk adds an empty body to every message
        if isinstance(value, list):
            pairs.extend((str(key), str(v)) for v in value)
        else:
            pairs.append((str(key), str(value)))
    return AmiMessage(tuple(pairs))


def md5_key(challenge: str, secret: str) -> str:
    """Asterisk's MD5 login key: md5(challenge + secret), lower-case hex."""
    return hashlib.md5((challenge + secret).encode(), usedforsecurity=False).hexdigest()


class AmiClient:
    """Supervised AMI connection. ``start()`` spawns the owner task; ``stop()`` cancels it.

    Everything the reader sees goes to ``queue`` as :data:`StreamItem`; the consumer (the
    bridge) is the only reader of that queue.
    """

    def __init__(
        self,
        config: AmiConfig,
        clock: Clock,
        *,
        queue: asyncio.Queue[StreamItem] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.queue: asyncio.Queue[StreamItem] = queue or asyncio.Queue(config.queue_maxsize)
        self.stats = ClientStats()
        self._rng = rng or random.Random()
        self._manager: _Manager | None = None
        self._lost = asyncio.Event()
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._overflow_count = 0
        self._overflow_first: datetime | None = None
        self._overflow_last: datetime | None = None
        self._session = 0
        # Events read before this session's LinkUp is queued (they can share a TCP read with
        # the Login response): held so the consumer always sees LinkUp before them.
        self._held: list[AmiMessage] | None = None
        self.on_session: Callable[[int], Awaitable[None]] | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="ami-client")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._close()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, within_s: float | None = None) -> None:
        async with asyncio.timeout(within_s):
            await self._connected.wait()

    def drop_connection(self) -> None:
        """Close the socket now (tests, and the ping watchdog); the supervisor reconnects."""
        manager = self._manager
        if manager is not None and manager.protocol is not None:
            manager.protocol.transport.close()

    # -- actions ---------------------------------------------------------------------------
    async def action(
        self,
        name: str,
        fields: Mapping[str, str | Iterable[str]] | None = None,
        *,
        within_s: float | None = None,
        as_list: bool | None = None,
        require_login: bool = True,
    ) -> list[AmiMessage]:
        """Send an action; return its response (and list items, for list actions).

        Raises :class:`AmiUnavailableError` without a session, :class:`AmiTimeoutError` when
        Asterisk is silent, and the mapped refusal error on ``Response: Error``.
        """
        manager = self._manager
        if manager is None or manager.protocol is None or manager.protocol.closed:
            raise AmiUnavailableError(f"no AMI session for {name}")
        if require_login and not self._connected.is_set():
            raise AmiUnavailableError(f"AMI not logged in; cannot send {name}")
        payload: dict[str, Any] = {"Action": name}
        for key, value in (fields or {}).items():
            payload[key] = value if isinstance(value, str) else list(value)
        limit = within_s if within_s is not None else self.config.action_timeout_s
        future = manager.send_action(payload, as_list=as_list)
        try:
            async with asyncio.timeout(limit):
                result = await future
        except TimeoutError:
            raise AmiTimeoutError(
                f"Asterisk did not answer {name} within {limit:g}s", details={"action": name}
            ) from None
        replies = [_convert(m) for m in (result if isinstance(result, list) else [result])]
        first = replies[0]
        if first.get("Response") == "Error":
            raise refusal_error(name, first.get("Message", "") or "")
        return replies

    # -- internals -------------------------------------------------------------------------
    def _on_event(self, message: AmiMessage) -> None:
        if self._held is not None:
            self._held.append(message)
        else:
            self._enqueue(message)

    def _release_held(self) -> None:
        held, self._held = self._held, None
        for message in held or ():
            self._enqueue(message)

    def _enqueue(self, message: AmiMessage) -> None:
        now = self.clock.now()
        if self._overflow_first is not None and self.queue.maxsize - self.queue.qsize() >= 2:
            first = self._overflow_first or now
            self.queue.put_nowait(
                Overflowed(self._overflow_count, first, self._overflow_last or now)
            )
            self._overflow_count = 0
            self._overflow_first = self._overflow_last = None
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self._count_drop(1, now, now)

    def _count_drop(
        self, dropped: int, first: datetime, last: datetime, *, new: bool = True
    ) -> None:
        """Record lost messages in the pending :class:`Overflowed` marker (and, unless they
        were counted before, in the totals)."""
        if self._overflow_first is None:
            log.warning("AMI: consumer queue full (%d); dropping events", self.queue.maxsize)
        self._overflow_count += dropped
        self._overflow_first = min(first, self._overflow_first or first)
        self._overflow_last = max(last, self._overflow_last or last)
        if new:
            self.stats.overflow_dropped += dropped

    def take_overflow(self) -> Overflowed | None:
        """The pending overflow marker, if events were dropped since the last one (the
        consumer calls this when it has emptied the queue, so a loss at the very end of a
        burst is reported too)."""
        if self._overflow_first is None:
            return None
        now = self.clock.now()
        marker = Overflowed(
            self._overflow_count, self._overflow_first or now, self._overflow_last or now
        )
        self._overflow_count = 0
        self._overflow_first = self._overflow_last = None
        return marker

    def _put_marker(self, item: StreamItem) -> None:
        """Queue a link marker, which must not be lost.

        On a full queue the oldest *message* is evicted to make room, and the eviction goes
        into the pending :class:`Overflowed` marker like any other drop: the consumer must
        learn of every lost message (it opens a gap and reconciles), and the counts must add
        up. Only when the queue holds nothing but markers (a consumer stalled across many
        reconnects) is the oldest marker folded into the pending ``Overflowed`` instead; the
        gap then still starts at that marker's time.
        """
        if not self.queue.full():
            self.queue.put_nowait(item)
            return
        items = [self.queue.get_nowait() for _ in range(self.queue.qsize())]
        victim_at = next((i for i, x in enumerate(items) if isinstance(x, AmiMessage)), 0)
        victim = items.pop(victim_at)
        now = self.clock.now()
        if isinstance(victim, AmiMessage):
            self._count_drop(1, now, now)
        elif isinstance(victim, Overflowed):  # its drops are in the totals already
            self._count_drop(victim.dropped, victim.first_at, now, new=False)
        else:
            self._count_drop(0, victim.at, now)
        for kept in items:
            self.queue.put_nowait(kept)
        self.queue.put_nowait(item)

    def _close(self) -> None:
        manager, self._manager = self._manager, None
        if manager is not None:
            manager.close()
        if self._connected.is_set():
            self._connected.clear()

    async def _run(self) -> None:
        delay = self.config.backoff_initial_s
        while True:
            ok = await self._session_once()
            if ok:
                delay = self.config.backoff_initial_s
            pause = min(delay, self.config.backoff_max_s)
            pause = pause * (0.5 + self._rng.random())  # jitter: 50–150 %
            log.info("AMI: reconnecting in %.2fs", pause)
            await asyncio.sleep(pause)
            delay = min(delay * 2, self.config.backoff_max_s)

    async def _session_once(self) -> bool:
        """One connection's life. True when a session was logged in (resets the backoff)."""
        cfg = self.config
        self._lost = asyncio.Event()
        self._held = []
        manager = _Manager(
            _Hooks(self), host=cfg.host, port=cfg.port, loop=asyncio.get_running_loop()
        )
        self._manager = manager
        try:
            try:
                async with asyncio.timeout(cfg.connect_timeout_s):
                    await manager.connect()
            except (OSError, TimeoutError) as exc:
                self.stats.connect_failures += 1
                self.stats.note(f"connect to {cfg.host}:{cfg.port} failed: {exc!r}")
                log.warning("AMI: connect to %s:%s failed: %r", cfg.host, cfg.port, exc)
                return False
            if not await self._login():
                return False
            self._session += 1
            self.stats.sessions += 1
            self._connected.set()
            log.info("AMI: session %d logged in to %s:%s", self._session, cfg.host, cfg.port)
            self._put_marker(LinkUp(self._session, self.clock.now()))
            self._release_held()
            await self._watch()
            return True
        finally:
            self._release_held()  # login failed: pass on what was read, as it was
            was_up = self._connected.is_set()
            self._close()
            if was_up:
                self.stats.disconnects += 1
                reason = self.stats.last_error or "connection closed"
                self._put_marker(LinkDown(self.clock.now(), reason))
                log.warning("AMI: session %d ended", self._session)

    async def _login(self) -> bool:
        cfg = self.config
        try:
            if cfg.auth == "md5":
                challenge = await self.action(
                    "Challenge",
                    {"AuthType": "MD5"},
                    within_s=cfg.login_timeout_s,
                    require_login=False,
                )
                nonce = challenge[0].get("Challenge", "") or ""
                fields = {
                    "AuthType": "MD5",
                    "Username": cfg.username,
                    "Key": md5_key(nonce, cfg.secret),
                }
            else:
                fields = {"Username": cfg.username, "Secret": cfg.secret}
            await self.action("Login", fields, within_s=cfg.login_timeout_s, require_login=False)
        except AmiTimeoutError:
            self.stats.login_timeouts += 1
            text = (
                f"Asterisk at {cfg.host}:{cfg.port} accepted TCP but did not answer Login "
                f"within {cfg.login_timeout_s:g}s; retrying"
            )
            self.stats.note(text)
            log.error("AMI: %s", text)
            return False
        except AmiAuthenticationError as exc:
            self.stats.login_refusals += 1
            self.stats.note(f"login refused: {exc.message}")
            log.error("AMI: login as %r refused: %s", cfg.username, exc.message)
            return False
        except AmiUnavailableError as exc:
            self.stats.note(f"link lost during login: {exc.message}")
            return False
        except Exception as exc:
            self.stats.login_refusals += 1
            self.stats.note(f"login failed: {exc!r}")
            log.error("AMI: login failed: %r", exc)
            return False
        return True

    async def _watch(self) -> None:
        """Ping until the link dies; a ping that times out closes the link."""
        cfg = self.config
        lost = asyncio.create_task(self._lost.wait())
        try:
            while not self._lost.is_set():
                done, _ = await asyncio.wait({lost}, timeout=cfg.ping_interval_s)
                if done:
                    break
                try:
                    await self.action("Ping", within_s=cfg.action_timeout_s)
                except AmiTimeoutError:
                    self.stats.ping_timeouts += 1
                    self.stats.note("Ping unanswered; closing the link")
                    log.error("AMI: Ping unanswered; closing the link")
                    return
                except AmiUnavailableError:
                    return
        finally:
            lost.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lost


def panoramisk_parse_baseline_blocking(data: bytes, chunk: int = 65536) -> int:
    """Benchmark baseline: feed ``data`` to panoramisk's own protocol parser (what a plain
    panoramisk consumer would do) and count the messages it dispatches. Kept here so
    panoramisk stays confined to this module."""
    count = 0

    class _Counter:
        save_stream = None

        def dispatch(self, message: Any) -> None:
            nonlocal count
            count += 1

    protocol = _pm.AMIProtocol()
    protocol.factory = _Counter()
    protocol.queue = deque()
    protocol.responses = {}
    protocol.version = None
    protocol.log = log
    for i in range(0, len(data), chunk):
        protocol.data_received(data[i : i + chunk])
    return count
