"""``/ws``: fan-out of bus messages to browsers, per role.

Protocol (docs/web.md): authenticate with ``?token=`` or a first frame ``{"type": "auth",
"token": …}``; the server answers ``hello`` (user, role, topics, heartbeat), then sends
``event`` frames ``{type, topic, seq, payload}``. Each client has a bounded queue: when the page
cannot keep up, the queue is dropped and a ``resync`` frame tells it to refetch (the same frame
follows a ``bus.resync`` marker from the bus). ``ping`` every heartbeat; the token is re-checked
then, and an expired token ends the socket (``expired``, close 4401). ``{"type": "logout"}``
closes it normally (1000).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from agent_api.api_time import in_api_zone
from agent_api.auth import TokenIssuer
from core.errors import AuthenticationError
from core.messages import message_for
from core.ports import BusMessage
from core.privacy import Viewer
from core.work_order_rules import Role

RESYNC_TOPIC = "bus.resync"  # the bus adapters' loss marker (storage.bus_common)
ROLE_TOPICS: dict[Role, tuple[str, ...]] = {
    Role.AGENT: ("call.*", "agent.*", "asr.segment", "autofill.updated", "work_order.*"),
    Role.DISPATCHER: ("call.*", "agent.*", "work_order.*"),
    Role.SUPERVISOR: ("*",),
    Role.ADMIN: ("*",),
    Role.TRAINER: ("call.*", "asr.segment"),
    Role.UNIT_USER: (),  # unit users work on orders through the REST API only
}
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

router = APIRouter()


@dataclass(frozen=True, slots=True)
class WsSettings:
    queue_size: int = 256  # frames per client before it gets a resync (>= 2)
    heartbeat_s: float = 20.0
    auth_timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if self.queue_size < 2:
            raise ValueError("queue_size must be >= 2 (a resync frame and the newest message)")


class _Overflow:
    """Sentinel put in the client queue after it was dropped."""


async def _authenticate(ws: WebSocket, tokens: TokenIssuer, wait_s: float) -> tuple[Viewer, str]:
    token = ws.query_params.get("token", "")
    if not token:
        try:
            async with asyncio.timeout(wait_s):
                first = await ws.receive_json()
        except (TimeoutError, ValueError, KeyError) as exc:
            raise AuthenticationError("no auth frame", code="auth.unauthenticated") from exc
        if not isinstance(first, dict) or first.get("type") != "auth":
            raise AuthenticationError("first frame must be auth", code="auth.unauthenticated")
        token = str(first.get("token", ""))
    return tokens.viewer(token), token


async def _refuse(ws: WebSocket, code: str, close: int) -> None:
    await ws.send_json({"type": "error", "code": code, "message": message_for(code, {})})
    await ws.close(close)


def _frame(message: BusMessage) -> dict[str, Any]:
    if message.topic == RESYNC_TOPIC:
        return {"type": "resync", "reason": message.payload.get("reason", "bus")}
    payload = in_api_zone(message.payload)  # the REST API's time spelling (agent_api.api_time)
    return {"type": "event", "topic": message.topic, "seq": message.seq, "payload": payload}


class _Session:
    def __init__(self, ws: WebSocket, tokens: TokenIssuer, token: str, cfg: WsSettings) -> None:
        self.ws, self.tokens, self.token, self.cfg = ws, tokens, token, cfg
        self.queue: asyncio.Queue[BusMessage | _Overflow] = asyncio.Queue(cfg.queue_size)

    def offer(self, message: BusMessage) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # The page is too slow: its incremental view is wrong anyway, so drop everything
            # queued and tell it to refetch, rather than block the bus or grow without bound.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_Overflow())
            self.queue.put_nowait(message)  # the newest is kept: it follows the resync

    async def pump(self, sub: AsyncIterator[BusMessage]) -> None:
        async for message in sub:
            self.offer(message)

    async def send(self) -> None:
        while True:
            item = await self.queue.get()
            if isinstance(item, _Overflow):
                await self.ws.send_json({"type": "resync", "reason": "overflow"})
            else:
                await self.ws.send_text(json.dumps(_frame(item), ensure_ascii=False))

    async def heartbeat(self) -> str:
        while True:
            await asyncio.sleep(self.cfg.heartbeat_s)
            try:
                self.tokens.viewer(self.token)
            except AuthenticationError as exc:
                await self.ws.send_json(
                    {"type": "expired", "code": exc.code, "message": message_for(exc.code, {})}
                )
                await self.ws.close(CLOSE_UNAUTHENTICATED)
                return "expired"
            await self.ws.send_json({"type": "ping"})

    async def receive(self) -> str:
        while True:
            try:
                text = await self.ws.receive_text()
            except WebSocketDisconnect:
                return "disconnected"
            with contextlib.suppress(ValueError):
                data = json.loads(text)
                if isinstance(data, dict) and data.get("type") == "logout":
                    await self.ws.close(1000)
                    return "logout"


@router.websocket("/ws")
async def websocket_endpoint(ws: WebSocket) -> None:
    container = ws.app.state.container
    cfg: WsSettings = ws.app.state.ws_settings
    await ws.accept()
    try:
        viewer, token = await _authenticate(ws, container.tokens, cfg.auth_timeout_s)
    except AuthenticationError as exc:
        await _refuse(ws, exc.code, CLOSE_UNAUTHENTICATED)
        return
    except WebSocketDisconnect:
        return
    topics = ROLE_TOPICS.get(viewer.actor.role, ())
    if not topics:
        await _refuse(ws, "ws.role_has_no_topics", CLOSE_FORBIDDEN)
        return
    session = _Session(ws, container.tokens, token, cfg)
    async with container.event_bus.subscribe(*topics, maxsize=max(1000, cfg.queue_size)) as sub:
        # Subscribed before ``hello``: whatever is published after the page sees it arrives.
        await _serve(ws, session, sub, viewer, topics, cfg)


async def _serve(
    ws: WebSocket,
    session: _Session,
    sub: AsyncIterator[BusMessage],
    viewer: Viewer,
    topics: tuple[str, ...],
    cfg: WsSettings,
) -> None:
    await ws.send_json(
        {
            "type": "hello",
            "user": viewer.actor.user_id,
            "role": viewer.actor.role.value,
            "topics": list(topics),
            "heartbeat_s": cfg.heartbeat_s,
        }
    )
    tasks = [
        asyncio.create_task(session.pump(sub), name="ws-pump"),
        asyncio.create_task(session.send(), name="ws-send"),
        asyncio.create_task(session.heartbeat(), name="ws-heartbeat"),
        asyncio.create_task(session.receive(), name="ws-receive"),
    ]
    try:
        # The socket lives while all four run; the first to end (logout, expiry, disconnect,
        # send failure) ends the others.
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
