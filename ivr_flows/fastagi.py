"""FastAGI IVR server (panoramisk ``fast_agi``) called from the dialplan.

Routes (``AGI(agi://host:4573/<route>,args…)``, see docker/asterisk/etc/asterisk/extensions.conf):

* ``hotline`` — the entry. Reads the live queue document, runs the flow (greeting, rules, menus),
  performs online/callback diversions, sets channel variables and records the outcome:

  ``HOTLINE_DECISION`` queue | voicemail | online | callback | hangup — the dialplan branches on it
  ``HOTLINE_REASON``   direct | menu | wait | ratio | no_agents | after_hours | holiday | fallback
  ``HOTLINE_RULE``     name of the rule that fired (may be empty)
  ``HOTLINE_EWT``      estimated wait in whole seconds (empty when unknown / nobody on duty)
  ``HOTLINE_KEYS``     DTMF keys pressed in menus

* ``online`` — a queued caller pressed the online key (queue ``context=``): send the SMS link.
* ``voicemail-done`` — after ``VoiceMail()``, with args
  ``${VM_MESSAGEFILE},${VMSTATUS},${CHANNEL(linkedid)}``; hands the message to
  :class:`core.ports.VoicemailIntake` (work-order draft + ASR + callback).

**Live-state contract**: the bridge's queue document (namespace ``"queues"``, key = queue
name: lists of waiting callers and members, and the recent AHT ``aht_recent_s``), or the flat
form other producers may write (namespace ``"queue"``)::

    {"waiting": 3, "available": 0, "logged_in": 4, "aht_recent_s": 183.0,
     "paused": 1}                 # optional; "available" = ready members (idle, unpaused)

See :mod:`ivr_flows.queue_doc`; ``aht_recent_s`` missing or ``None`` (no completed call yet)
falls back to ``default_aht_s``.

Anything missing or unusable → rules over live state do not fire and the caller is queued
(reason "direct"; "fallback" if the flow itself failed). The caller is never lost: every
failure path ends with ``HOTLINE_DECISION=queue``, and the dialplan also queues when
``AGISTATUS`` is not SUCCESS (server unreachable).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from panoramisk.fast_agi import Application
from panoramisk.fast_agi import Request as _Request

from core.errors import DomainError
from core.intake_ports import CallbackTasks, IvrDecisionRecord, IvrOutcome, IvrOutcomeLog
from core.ports import Clock, LiveState, SmsGateway, VoicemailIntake, VoicemailReceived
from ivr_flows.agi_channel import AgiChannel, CallerHungUp
from ivr_flows.ewt import estimate_wait
from ivr_flows.flow import FinalAction, Flow
from ivr_flows.online import request_callback, send_online_link
from ivr_flows.policy import MenuRun, QueueState, Situation, decide_entry
from ivr_flows.queue_doc import NAMESPACES, parse_queue_doc
from ivr_flows.voicemail import recording_file

log = logging.getLogger(__name__)

_OUTCOME: dict[FinalAction, IvrOutcome] = {
    "queue": IvrOutcome.QUEUED,
    "voicemail": IvrOutcome.VOICEMAIL,
    "online": IvrOutcome.ONLINE,
    "callback": IvrOutcome.CALLBACK,
    "hangup": IvrOutcome.HUNG_UP_IN_IVR,
}


@dataclass(frozen=True, slots=True)
class IvrPorts:
    live_state: LiveState
    outcomes: IvrOutcomeLog
    sms: SmsGateway
    callbacks: CallbackTasks
    voicemail: VoicemailIntake
    clock: Clock
    is_working_day: Callable[[date], bool]


class IvrService:
    """The per-call logic behind the routes (independent of the socket server)."""

    def __init__(
        self,
        flow: Flow,
        ports: IvrPorts,
        *,
        live_state_timeout_s: float = 1.0,
        default_aht_s: float | None = 180.0,
    ) -> None:
        self.flow = flow
        self.ports = ports
        self._live_timeout = live_state_timeout_s
        self._default_aht = default_aht_s

    async def _queue_state(self, queue: str) -> QueueState | None:
        doc = None
        try:
            async with asyncio.timeout(self._live_timeout):
                for namespace in NAMESPACES:
                    doc = await self.ports.live_state.get(namespace, queue)
                    if doc is not None:
                        break
        except Exception:  # live state down must not stop the call
            log.warning("live state unreadable for queue %s; rules over it are off", queue)
            return None
        if doc is None:
            return None
        try:
            return parse_queue_doc(doc, default_aht_s=self._default_aht)
        except ValueError as exc:
            log.warning("queue document %s unusable: %s", queue, exc)
            return None

    async def entry(self, agi: AgiChannel) -> IvrDecisionRecord:
        call_id = agi.env.get("agi_uniqueid", "")
        caller = agi.env.get("agi_callerid", "")
        queue = agi.arg(1) or self.flow.queue
        now = self.ports.clock.now()
        state = await self._queue_state(queue)
        ewt = estimate_wait(state) if state is not None else None
        entry = decide_entry(self.flow, Situation(now, state, ewt, self.ports.is_working_day))
        record = IvrDecisionRecord(
            call_id, caller, IvrOutcome.QUEUED, entry.reason, now, entry.rule,
            offered=entry.menu is not None and entry.rule is not None,
            estimated_wait_s=ewt if ewt is not None and math.isfinite(ewt) else None,
            queue=queue,
        )  # fmt: skip
        run = MenuRun(self.flow, entry.menu) if entry.menu is not None else None
        action: FinalAction = entry.action or "queue"
        try:
            for prompt in entry.greeting:
                await agi.play(prompt)
            if run is not None:
                action = await self._menus(agi, run)
        except CallerHungUp:
            record = _with(record, "hangup", record.reason, _keys(run))
            await self._record(record)
            return record
        except Exception:
            # A bug or a broken prompt must not lose the caller: tell the dialplan "queue".
            log.exception("IVR flow failed for %s; sending the caller to the queue", call_id)
            action, record = "queue", _with(record, "queue", "fallback", _keys(run))
        action, reason = await self._divert(action, caller, call_id, now, record.reason)
        record = _with(record, action, reason, _keys(run))
        try:
            await self._set_vars(agi, record)
        except CallerHungUp:
            if record.outcome is IvrOutcome.QUEUED:  # hung up before reaching the queue
                record = _with(record, "hangup", record.reason, record.keys)
        await self._record(record)
        return record

    async def _menus(self, agi: AgiChannel, run: MenuRun) -> FinalAction:
        command = run.start()
        while command.kind != "done":
            prompt = command.prompt
            assert prompt is not None
            if command.kind == "play":
                await agi.play(prompt)
                command = run.next()
            else:
                command = run.feed(await agi.ask(prompt, command.timeout_s))
        return command.action or "queue"

    async def _divert(
        self, action: FinalAction, caller: str, call_id: str, now: Any, reason: str
    ) -> tuple[FinalAction, str]:
        """Send the SMS / file the callback now; if that fails the caller goes to a person."""
        try:
            if action == "online":
                await send_online_link(self.ports.sms, self.flow.sms, caller, call_id)
            elif action == "callback":
                await request_callback(self.ports.callbacks, caller, call_id, now)
        except (DomainError, OSError) as exc:
            log.warning("%s diversion failed for %s (%s); queueing instead", action, call_id, exc)
            return "queue", f"{action}_failed"
        return action, reason

    async def _set_vars(self, agi: AgiChannel, record: IvrDecisionRecord) -> None:
        decision = next(action for action, out in _OUTCOME.items() if out is record.outcome)
        ewt = record.estimated_wait_s
        await agi.set_var("HOTLINE_DECISION", decision)
        await agi.set_var("HOTLINE_REASON", record.reason)
        await agi.set_var("HOTLINE_RULE", record.rule or "")
        await agi.set_var("HOTLINE_EWT", "" if ewt is None else str(round(ewt)))
        await agi.set_var("HOTLINE_KEYS", record.keys)

    async def _record(self, record: IvrDecisionRecord) -> None:
        try:
            await self.ports.outcomes.record(record)
        except Exception:
            log.exception("could not record the IVR outcome of %s", record.call_id)

    async def online(self, agi: AgiChannel) -> str | None:
        """Queue key exit to the online channel: send the SMS link; None if it failed."""
        caller = agi.env.get("agi_callerid", "")
        call_id = agi.arg(1) or agi.env.get("agi_uniqueid", "")
        try:
            message_id = await send_online_link(self.ports.sms, self.flow.sms, caller, call_id)
        except (DomainError, OSError) as exc:
            log.warning("online SMS for %s failed: %s", call_id, exc)
            return None
        with contextlib.suppress(CallerHungUp):  # the SMS went out; the caller may have left
            await agi.set_var("HOTLINE_SMS", message_id)
        return message_id

    async def voicemail_done(self, agi: AgiChannel) -> str | None:
        """After VoiceMail(): hand the recording to the intake; return the draft id."""
        status = agi.arg(2)
        if status != "SUCCESS":
            log.info("voicemail for %s ended with %r; nothing recorded", agi.arg(3), status)
            return None
        received = VoicemailReceived(
            call_id=agi.arg(3) or agi.env.get("agi_uniqueid", ""),
            caller_number=agi.env.get("agi_callerid", ""),
            recording_path=recording_file(agi.arg(1)),
            received_at=self.ports.clock.now(),
        )
        return await self.ports.voicemail.receive(received)


def _keys(run: MenuRun | None) -> str:
    return "".join(run.keys) if run is not None else ""


def _with(
    record: IvrDecisionRecord, action: FinalAction, reason: str, keys: str
) -> IvrDecisionRecord:
    return IvrDecisionRecord(
        record.call_id, record.caller_number, _OUTCOME[action], reason, record.decided_at,
        record.rule, record.offered, keys, record.estimated_wait_s, record.queue,
    )  # fmt: skip


Handler = Callable[[AgiChannel], Awaitable[object]]


class _Application(Application):  # type: ignore[misc]
    """panoramisk's Application with a safer request reader.

    Upstream's ``handler`` loops on ``reader.read()`` until it sees a blank line — a peer that
    disconnects early makes it spin for ever. This reads the environment line by line with a
    timeout, closes on EOF, and then uses the routes registered with ``add_route``.
    """

    env_timeout_s = 10.0

    async def handler(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        headers: dict[str, str] = {}
        try:
            async with asyncio.timeout(self.env_timeout_s):
                while True:
                    line = await reader.readline()
                    if not line:
                        return
                    text = line.decode(self.default_encoding).rstrip("\r\n")
                    if not text:
                        break
                    key, sep, value = text.partition(":")
                    if sep:
                        headers[key.strip()] = value.removeprefix(" ")
            script = headers.get("agi_network_script", "").split("?")[0]
            route = self._route.get(script)
            if route is None:
                log.error("FastAGI: no route for %r", script)
                return
            request = _Request(self, headers, reader, writer, self.default_encoding)
            await route(request)
        except TimeoutError:
            log.warning("FastAGI: no AGI environment from %s", writer.get_extra_info("peername"))
        except Exception:
            log.exception("FastAGI request failed")
        finally:
            writer.close()


class FastAgiServer:
    """Owns the listening socket. ``await start()``, ``await close()`` on shutdown."""

    def __init__(self, service: IvrService, host: str = "127.0.0.1", port: int = 4573) -> None:
        self.service = service
        self.host, self.port = host, port
        self._server: asyncio.Server | None = None

    def _app(self) -> _Application:
        app = _Application(loop=asyncio.get_running_loop())
        routes: dict[str, Handler] = {
            "hotline": self.service.entry,
            "online": self.service.online,
            "voicemail-done": self.service.voicemail_done,
        }
        for name, handler in routes.items():
            app.add_route(name, _adapt(handler))
        return app

    async def start(self) -> tuple[str, int]:
        app = self._app()
        self._server = await asyncio.start_server(app.handler, self.host, self.port)
        host, port = self._server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


def _adapt(handler: Handler) -> Callable[[Any], Awaitable[None]]:
    async def route(request: Any) -> None:
        try:
            await handler(AgiChannel(request))
        except CallerHungUp:
            log.info("caller hung up during %s", handler.__name__)

    return route
