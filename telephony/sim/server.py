"""The PBX simulator's AMI side: an asyncio TCP server that speaks AMI like Asterisk 22.10.1
(banner ``Asterisk Call Manager/11.0.0``, plain and MD5-challenge Login, list actions with
``EventList`` framing, refusals worded as in the traces) and plays a :class:`Pbx` in
compressed time to every logged-in session.

Faults for tests: :meth:`SimServer.cut` closes every AMI connection now (events played while
nobody is connected are lost, as with a real Asterisk); ``queue_log`` keeps being written.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from telephony.sim.audio import TapAudio, stream_audiosocket
from telephony.sim.pbx import QUEUE, Applied, CallTruth, Pbx
from telephony.sim.script import Scenario
from telephony.sim.taps import SimTap, TapRequest
from telephony.sim.wire import Headers, event, frame, parse_action, response

log = logging.getLogger(__name__)
BANNER = "Asterisk Call Manager/11.0.0\r\n"


@dataclass(slots=True)
class _Member:
    interface: str
    name: str
    state_interface: str
    penalty: int
    paused: bool
    login: int

    def member_state(self) -> Headers:
        """StateInterface … PausedReason, as QueueMember* events and QueueStatus list them."""
        return [
            ("StateInterface", self.state_interface),
            ("Membership", "dynamic"),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", "0"),
            ("LastCall", "0"),
            ("LastPause", str(self.login)),
            ("LoginTime", str(self.login)),
            ("InCall", "0"),
            ("Status", "0"),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", ""),
        ]


@dataclass(slots=True, eq=False)
class _Session:
    writer: asyncio.StreamWriter
    authed: bool = False
    events: bool = True
    challenge: str = ""
    pending: list[str] = field(default_factory=list)


class SimServer:
    def __init__(
        self,
        scenario: Scenario,
        *,
        base_epoch: float,
        queue_log: Path,
        speed: float = 1.0,
        username: str = "hotline",
        secret: str = "Hotline12345-lab",  # noqa: S107 - the lab trace account
        host: str = "127.0.0.1",
        port: int = 0,
        tap_audio: TapAudio | None = None,
        tap_context: str = "asr-tap",
    ) -> None:
        self.username, self.secret = username, secret
        self.host, self.port = host, port
        self.speed = speed
        self.queue_log_path = queue_log
        self._qlog_lines: list[str] = []
        self._out: list[str] = []
        self.pbx = Pbx(scenario, base_epoch, self._out.append, self._qlog_lines.append)
        self.sessions: set[_Session] = set()
        self.dynamic: dict[str, _Member] = {}
        self.server: asyncio.Server | None = None
        self.player: asyncio.Task[None] | None = None
        self.finished = asyncio.Event()
        self.frames_played = 0
        self.frames_sent = 0
        self.cuts = 0
        self.before_step: Callable[[float], None] | None = None
        self.after_flush: Callable[[float], None] | None = None  # sim time of the batch sent
        self._wall0 = 0.0
        self._handlers: set[asyncio.Task[None]] = set()
        # ASR taps (off unless audio is given: a tap Originate then fails, as without dialplan)
        self.tap_audio, self.tap_context = tap_audio, tap_context
        self.tap_streams: set[asyncio.Task[int]] = set()
        self.tap_frames_sent = 0
        self.taps_lost = 0  # taps whose AudioSocket connection failed or dropped mid-call
        self._tap_count = 0

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        self.queue_log_path.write_text("")
        self.server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    def play(self) -> None:
        """Start playing the scenario (call after the bridge has connected, or not)."""
        if self.player is None:
            self._wall0 = time.monotonic()
            self.player = asyncio.create_task(self._play(), name="sim-player")

    async def stop(self) -> None:
        for tap in list(self.tap_streams):
            tap.cancel()
        if self.tap_streams:
            await asyncio.wait(self.tap_streams, timeout=2)
        if self.player is not None:
            self.player.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.player
        if self.server is not None:
            self.server.close()
        for s in list(self.sessions):
            s.writer.close()
        if self._handlers:  # closing the writers ends each handler's read loop
            await asyncio.wait(self._handlers, timeout=2)
        if self.server is not None:
            await self.server.wait_closed()

    @property
    def truth(self) -> list[CallTruth]:
        return [self.pbx.truth[k] for k in sorted(self.pbx.truth)]

    def sim_now(self) -> datetime:
        return datetime.fromtimestamp(self.pbx.base + self.pbx.now, UTC)

    @property
    def has_live_session(self) -> bool:
        return any(s.authed for s in self.sessions)

    def cut(self) -> None:
        """Drop every AMI connection now (a network cut / Asterisk manager reload)."""
        self.cuts += 1
        for s in list(self.sessions):
            transport = s.writer.transport
            transport.abort()
        self.sessions.clear()

    # -- playback --------------------------------------------------------------------------
    async def _play(self) -> None:
        pbx = self.pbx
        while (t := pbx.next_time) is not None:
            delay = self._wall0 + t / self.speed - time.monotonic()
            # always yield: when behind schedule the player must not starve the bridge
            await asyncio.sleep(max(0.0, delay))
            if self.before_step is not None:
                self.before_step(t)
            pbx.run_until(t)
            self._flush()
            if self.after_flush is not None:
                self.after_flush(t)
            await self._backpressure()
        self._flush()
        self.finished.set()

    async def _backpressure(self) -> None:
        # Like Asterisk, do not buffer without bound for a slow reader: wait for the socket
        # buffers to drain (simulated time then runs slower than ``speed``).
        for s in list(self.sessions):
            try:
                await s.writer.drain()
            except ConnectionError:
                self.sessions.discard(s)

    def _flush(self) -> None:
        if self._qlog_lines:
            with self.queue_log_path.open("a", encoding="utf-8") as fh:
                fh.write("\n".join(self._qlog_lines) + "\n")
            self._qlog_lines.clear()
        if not self._out:
            return
        data = "".join(self._out)
        self.frames_played += len(self._out)
        self._out.clear()
        for s in list(self.sessions):
            if s.authed and s.events:
                s.writer.write(data.encode())
                self.frames_sent += 1

    # -- AMI sessions ----------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:  # a LAN-sized send buffer: a slow reader backs up into the player
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        session = _Session(writer)
        self.sessions.add(session)
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        writer.write(BANNER.encode())
        buffer = b""
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    block, buffer = buffer.split(b"\r\n\r\n", 1)
                    keep = await self._handle(session, block.decode("utf-8", "replace"))
                    if not keep:
                        await writer.drain()
                        return
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.sessions.discard(session)
            writer.close()

    def _send(self, session: _Session, text: str) -> None:
        session.writer.write(text.encode())

    async def _handle(self, session: _Session, block: str) -> bool:
        pairs = parse_action(block)
        fields = {k.lower(): v for k, v in pairs}
        # repeated Variable headers: Asterisk's comma-separated form (k=v,k=v)
        variables = [v for k, v in pairs if k.lower() == "variable"]
        if variables:
            fields["variable"] = ",".join(variables)
        action = fields.get("action", "")
        aid = fields.get("actionid")
        name = action.lower()
        if name == "login":
            return await self._login(session, fields, aid)
        if name == "challenge":
            session.challenge = secrets.token_hex(5)[:9]
            self._send(session, response(aid, Challenge=session.challenge))
            return True
        if name == "logoff":
            self._send(session, response(aid, "Goodbye", Message="Thanks for all the fish."))
            return False
        if not session.authed:
            self._send(session, response(aid, "Error", Message="Permission denied"))
            return True
        handler = _HANDLERS.get(name)
        if handler is None:
            msg = (
                f"Invalid/unknown command: {action}. "
                "Use Action: ListCommands to show available commands."
            )
            self._send(session, response(aid, "Error", Message=msg))
            return True
        handler(self, session, fields, aid)
        return True

    async def _login(self, session: _Session, f: dict[str, str], aid: str | None) -> bool:
        ok = f.get("username") == self.username
        if f.get("authtype", "").lower() == "md5":
            expected = hashlib.md5(
                (session.challenge + self.secret).encode(), usedforsecurity=False
            ).hexdigest()
            ok = ok and bool(session.challenge) and f.get("key") == expected
        else:
            ok = ok and f.get("secret") == self.secret
        if not ok:
            await asyncio.sleep(min(1.0, 1.0 / max(self.speed, 1.0)))  # Asterisk delays ~1 s
            self._send(session, response(aid, "Error", Message="Authentication failed"))
            return False
        session.authed = True
        self._send(session, response(aid, Message="Authentication accepted"))
        self._send(
            session,
            event(
                "FullyBooted",
                "system,all",
                [("Uptime", "8"), ("LastReload", "8"), ("Status", "Fully Booted")],
            ),
        )
        return True

    # -- actions ---------------------------------------------------------------------------
    def _ping(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        self._send(s, response(aid, Ping="Pong", Timestamp=f"{time.time():.6f}"))

    def _events(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        s.events = f.get("eventmask", "on").lower() not in ("off", "none")
        self._send(s, response(aid, Events="On" if s.events else "Off"))

    def _list(
        self, s: _Session, aid: str | None, message: str, items: list[Headers], done: str
    ) -> None:
        out = [response(aid, EventList="start", Message=message)]
        for item in items:
            out.append(frame(item))
        tail: Headers = [
            ("Event", done),
            ("ActionID", aid or ""),
            ("EventList", "Complete"),
            ("ListItems", str(len(items))),
        ]
        out.append(frame(tail))
        self._send(s, "".join(out))

    def _queue_status(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        pbx = self.pbx
        items: list[Headers] = []
        queue, member = f.get("queue"), f.get("member")
        if queue in (None, "", QUEUE):
            items.append(
                [
                    ("Event", "QueueParams"),
                    ("Queue", QUEUE),
                    ("Max", "100"),
                    ("Strategy", "rrmemory"),
                    ("Calls", str(len(pbx.waiting))),
                    ("Holdtime", "3"),
                    ("TalkTime", "11"),
                    ("Completed", str(pbx.completed)),
                    ("Abandoned", str(pbx.abandoned)),
                    ("ServiceLevel", "20"),
                    ("ServicelevelPerf", "100.0"),
                    ("ServicelevelPerf2", "50.0"),
                    ("Weight", "0"),
                    ("ActionID", aid or ""),
                ]
            )
            for rt in pbx.agents.values():
                if member and member != rt.agent.interface:
                    continue
                items.append(
                    [
                        ("Event", "QueueMember"),
                        ("Queue", QUEUE),
                        ("Name", rt.agent.name),
                        ("Location", rt.agent.interface),
                        *rt.member_state(),  # its reason is "" whenever it is not paused
                        ("Wrapuptime", "0"),
                        ("ActionID", aid or ""),
                    ]
                )
            for m in self.dynamic.values():
                if member and member != m.interface:
                    continue
                items.append(
                    [
                        ("Event", "QueueMember"),
                        ("Queue", QUEUE),
                        ("Name", m.name),
                        ("Location", m.interface),
                        *m.member_state(),
                        ("Wrapuptime", "0"),
                        ("ActionID", aid or ""),
                    ]
                )
            if not member:
                now = pbx.epoch()
                for pos, call_no in enumerate(pbx.waiting, start=1):
                    rt_call = pbx.calls[call_no]
                    ch = rt_call.caller
                    items.append(
                        [
                            ("Event", "QueueEntry"),
                            ("Queue", QUEUE),
                            ("Position", str(pos)),
                            ("Channel", ch.name),
                            ("Uniqueid", ch.uniqueid),
                            ("CallerIDNum", ch.cid_num),
                            ("CallerIDName", ch.cid_name),
                            ("ConnectedLineNum", "unknown"),
                            ("ConnectedLineName", "unknown"),
                            ("Wait", str(now - rt_call.join_epoch)),
                            ("Priority", "0"),
                            ("ActionID", aid or ""),
                        ]
                    )
        self._list(s, aid, "Queue status will follow", items, "QueueStatusComplete")

    def _queue_summary(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        pbx = self.pbx
        avail = sum(1 for a in pbx.agents.values() if not a.busy and not a.paused)
        now = pbx.epoch()
        longest = max((now - pbx.calls[c].join_epoch for c in pbx.waiting), default=0)
        item: Headers = [
            ("Event", "QueueSummary"),
            ("Queue", QUEUE),
            ("LoggedIn", str(len(pbx.agents))),
            ("Available", str(avail)),
            ("Callers", str(len(pbx.waiting))),
            ("HoldTime", "3"),
            ("TalkTime", "11"),
            ("LongestHoldTime", str(longest)),
            ("ActionID", aid or ""),
        ]
        self._list(s, aid, "Queue summary will follow", [item], "QueueSummaryComplete")

    def _core_show_channels(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        now = self.pbx.epoch()
        items: list[Headers] = []
        for ch in self.pbx.channels.values():
            start = int(ch.uniqueid.split(".")[0]) if ch.uniqueid[:1].isdigit() else now
            tap = self.pbx.taps.taps.get(ch.uniqueid)
            if tap is not None:  # ids from ChannelId; AudioSocket / ChanSpy
                start = tap.started
                app = (tap.one_app if ch is tap.one else tap.two_app)[0]
            else:
                app = (
                    "Queue"
                    if ch.context == "hotline-queue"
                    else ("AppQueue" if ch.context == "agents-out" else "BackGround")
                )
            secs = max(0, now - start)
            items.append(
                [
                    ("Event", "CoreShowChannel"),
                    ("ActionID", aid or ""),
                    *ch.snapshot(),
                    ("Application", app),
                    ("ApplicationData", ""),
                    ("Duration", f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"),
                    ("BridgeId", ""),
                ]
            )
        self._list(s, aid, "Channels will follow", items, "CoreShowChannelsComplete")

    def _queue_pause(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        iface = f.get("interface", "")
        paused = f.get("paused", "true").lower() in ("true", "yes", "1")
        reason = f.get("reason", "")
        if iface in self.dynamic:
            self.dynamic[iface].paused = paused
            found = True
        else:
            found = self.pbx.set_paused(iface, paused, reason)
        if not found:
            self._send(s, response(aid, "Error", Message="Interface not found"))
            return
        word = "paused" if paused else "unpaused"
        self._send(s, response(aid, Message=f"Interface {word} successfully"))
        self._flush()  # the async QueueMemberPause follows the response, without ActionID

    def _queue_add(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        iface = f.get("interface", "")
        if f.get("queue", QUEUE) != QUEUE:
            self._send(
                s, response(aid, "Error", Message="Unable to add interface to queue: No such queue")
            )
            return
        if iface in self.dynamic or any(
            a.agent.interface == iface for a in self.pbx.agents.values()
        ):
            self._send(s, response(aid, "Error", Message="Unable to add interface: Already there"))
            return
        m = _Member(
            iface,
            f.get("membername", iface),
            f.get("stateinterface", iface),
            int(f.get("penalty", "0") or 0),
            f.get("paused", "false").lower() == "true",
            self.pbx.epoch(),
        )
        self.dynamic[iface] = m
        self._send(s, response(aid, Message="Added interface to queue"))
        self._member_event("QueueMemberAdded", m)
        tail = "PAUSED" if m.paused else ""
        self._qlog(f"{self.pbx.epoch()}|MANAGER|{QUEUE}|{iface}|ADDMEMBER|{tail}")

    def _queue_remove(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        iface = f.get("interface", "")
        m = self.dynamic.pop(iface, None)
        if m is None:
            self._send(s, response(aid, "Error", Message="Unable to remove interface: Not there"))
            return
        self._send(s, response(aid, Message="Removed interface from queue"))
        self._member_event("QueueMemberRemoved", m)
        self._qlog(f"{self.pbx.epoch()}|MANAGER|{QUEUE}|{iface}|REMOVEMEMBER|")

    def _member_event(self, name: str, m: _Member) -> None:
        self._out.append(
            event(
                name,
                "agent,all",
                [
                    ("Queue", QUEUE),
                    ("MemberName", m.name),
                    ("Interface", m.interface),
                    *m.member_state(),
                    ("Ringinuse", "0"),
                    ("Wrapuptime", "0"),
                ],
            )
        )
        self._flush()

    def _qlog(self, line: str) -> None:
        self._qlog_lines.append(line)
        self._flush()

    def _known_endpoint(self, channel: str) -> bool:
        return any(channel == a.agent.interface for a in self.pbx.agents.values())

    def _originate(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        channel = f.get("channel", "")
        is_async = f.get("async", "false").lower() in ("true", "yes", "1")
        if self._originate_tap(s, f, aid, is_async):
            return
        known = self._known_endpoint(channel)
        if not is_async and not known:
            self._send(s, response(aid, "Error", Message="Originate failed"))
            return
        self._send(s, response(aid, Message="Originate successfully queued"))
        if not is_async:
            return
        uid = f.get("channelid") or "<unknown>"
        result: Headers = [
            ("ActionID", aid or ""),
            ("Response", "Success" if known else "Failure"),
            ("Channel", channel),
            ("Context", f.get("context", "")),
            ("Exten", f.get("exten", "")),
            ("Reason", "4" if known else "0"),
            ("Uniqueid", uid if known else "<unknown>"),
            ("CallerIDNum", "<unknown>"),
            ("CallerIDName", "<unknown>"),
        ]
        self._send(s, event("OriginateResponse", "call,all", result))

    def _originate_tap(
        self, s: _Session, f: dict[str, str], aid: str | None, is_async: bool
    ) -> bool:
        """``Local/…@<tap context>`` running AudioSocket (asr/tap.py's action): render the tap
        channels (trace 09) and stream the spied leg's speech to the ASR service until the leg
        or the socket ends. False (→ Originate fails) when taps are off or the action is not
        one the simulator can play."""
        channel = f.get("channel", "")
        if self.tap_audio is None or not channel.startswith("Local/"):
            return False
        if not channel.split("/", 1)[1].split("/")[0].endswith(f"@{self.tap_context}"):
            return False
        pairs = tuple(
            (key, value)
            for key, sep, value in (v.partition("=") for v in f.get("variable", "").split(","))
            if sep
        )
        variables = dict(pairs)
        target = variables.get("SPY_TARGET", "")
        leg = next((ch for ch in self.pbx.channels.values() if ch.name == target), None)
        host, _, port = variables.get("ASR_SERVICE", "").rpartition(":")
        stream_id = variables.get("ASR_UUID", "")
        if leg is None or not host or not port.isdigit() or not stream_id:
            return False
        request = TapRequest(
            local=channel,
            context=f.get("context", ""),
            exten=f.get("exten", ""),
            one_id=f.get("channelid", ""),
            two_id=f.get("otherchannelid", ""),
            variables=pairs,
            action_id=(aid or "") if is_async else None,
        )
        if is_async:  # the reply first, then the channels' events (trace 09)
            self._send(s, response(aid, Message="Originate successfully queued"))
        tap = self.pbx.taps.start(request, leg)
        self._flush()
        if not is_async:  # a synchronous Originate answers once the channel is up
            self._send(s, response(aid, Message="Originate successfully queued"))
        speaker = "agent" if leg.context == "agents-out" else "caller"
        pcm = self.tap_audio.pcm_for(speaker, self._tap_count)
        self._tap_count += 1
        task = asyncio.create_task(
            self._run_tap(tap, host, int(port), stream_id, pcm), name=f"sim-tap-{stream_id}"
        )
        self.tap_streams.add(task)
        task.add_done_callback(self.tap_streams.discard)
        return True

    async def _run_tap(self, tap: SimTap, host: str, port: int, stream_id: str, pcm: bytes) -> int:
        end = await stream_audiosocket(
            host, port, stream_id, pcm, self.speed, lambda: not tap.ended
        )
        self.tap_frames_sent += end.frames
        if end.lost and not tap.ended:  # AudioSocket() returned: the tap channel hangs up
            log.warning("sim tap %s: AudioSocket %s:%d: %s", stream_id, host, port, end.lost)
            self.taps_lost += 1
            self.pbx.taps.socket_lost(tap)
            self._flush()
        return end.frames

    def _redirect(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        done = self.pbx.redirect_channel(f.get("channel", ""), f.get("context", ""))
        self._channel_reply(s, aid, done, "Redirect successful")

    def _hangup(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        cause = f.get("cause", "")
        done = self.pbx.hangup_channel(f.get("channel", ""), int(cause) if cause.isdigit() else 0)
        self._channel_reply(s, aid, done, "Channel Hungup")

    def _channel_reply(self, s: _Session, aid: str | None, done: Applied, ok: str) -> None:
        if done == "no_channel":
            self._send(s, response(aid, "Error", Message="No such channel"))
            return
        self._send(s, response(aid, Message=ok))
        self._flush()  # what the action changed follows the response

    def _command(self, s: _Session, f: dict[str, str], aid: str | None) -> None:
        pbx = self.pbx
        text = (
            f"Output: {QUEUE} has {len(pbx.waiting)} calls (max 100) in 'rrmemory' strategy\r\n"
            "Output: \r\n"
        )
        self._send(
            s,
            f"Response: Success\r\nActionID: {aid or ''}\r\n"
            f"Message: Command output follows\r\n{text}\r\n",
        )


_HANDLERS: dict[str, Callable[[SimServer, _Session, dict[str, str], str | None], None]] = {
    "ping": SimServer._ping,
    "events": SimServer._events,
    "queuestatus": SimServer._queue_status,
    "queuesummary": SimServer._queue_summary,
    "coreshowchannels": SimServer._core_show_channels,
    "queuepause": SimServer._queue_pause,
    "queueadd": SimServer._queue_add,
    "queueremove": SimServer._queue_remove,
    "originate": SimServer._originate,
    "redirect": SimServer._redirect,
    "hangup": SimServer._hangup,
    "command": SimServer._command,
}
