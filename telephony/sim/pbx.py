"""A simulated Asterisk: plays call scripts as AMI event sequences shaped like the real
Asterisk 22.10.1 traces (01 answered/caller hangup, 01b agent hangup, 02 abandon, 03 queue
timeout → voicemail, 03b exit with key, 04 online channel, 06 busy divert offer), writes the
matching ``queue_log`` lines, keeps live state for QueueStatus/CoreShowChannels, and records
the ground truth of every call.

Dialplan noise (``VarSet``/``Newexten``/``RTCPSent``/``DeviceStateChange``) is emitted at the
same points as in the traces, so a consumer sees the real proportion (~70 % noise).

AMI ``Hangup``/``Redirect`` take a call over from its script (:meth:`Pbx.hangup_channel`,
:meth:`Pbx.redirect_channel`); ASR tap channels are rendered by :mod:`telephony.sim.taps`.
"""

from __future__ import annotations

import functools
import heapq
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from telephony.sim import wire
from telephony.sim.script import Agent, CallScript, PauseScript, RingAttempt, Scenario
from telephony.sim.taps import TapChannels
from telephony.sim.wire import Chan, Headers, cdr_time, event

log = logging.getLogger(__name__)
QUEUE = "hotline"
_QUEUE_VARS = (
    "QUEUENAME",
    "QUEUEMAX",
    "QUEUESTRATEGY",
    "QUEUECALLS",
    "QUEUEHOLDTIME",
    "QUEUETALKTIME",
    "QUEUECOMPLETED",
    "QUEUEABANDONED",
    "QUEUESRVLEVEL",
    "QUEUESRVLEVELPERF",
)
_QOS = (
    (
        "RTPAUDIOQOS",
        "ssrc=1051893345;themssrc=235223118;lp=0;rxjitter=0.000000;rxcount=10;"
        "txjitter=0.000000;txcount=233;rlp=0;rtt=0.000000;rxmes=0.000000;txmes=88.087887",
    ),
    (
        "RTPAUDIOQOSJITTER",
        "minrxjitter=000.000000;maxrxjitter=000.000000;avgrxjitter=000.000000;"
        "stdevrxjitter=000.000000;mintxjitter=000.000000;maxtxjitter=000.000000;"
        "avgtxjitter=000.000000;stdevtxjitter=000.000000;",
    ),
    (
        "RTPAUDIOQOSLOSS",
        "  minrxlost=000.000000;  maxrxlost=000.000000;  avgrxlost=000.000000;"
        "  stdevrxlost=000.000000;  mintxlost=000.000000;  maxtxlost=000.000000;"
        "  avgtxlost=000.000000;  stdevtxlost=000.000000;",
    ),
    (
        "RTPAUDIOQOSRTT",
        "     minrtt=000.000000;     maxrtt=000.000000;     avgrtt=000.000000;"
        "     stdevrtt=000.000000;",
    ),
    (
        "RTPAUDIOQOSMES",
        "   minrxmes=088.087887;   maxrxmes=088.087887;   avgrxmes=088.087887;"
        "   stdevrxmes=000.000000;   mintxmes=000.000000;   maxtxmes=000.000000;"
        "   avgtxmes=000.000000;   stdevtxmes=000.000000;",
    ),
)
AFTER_QUEUE = ("hotline-voicemail", "hotline-online")
# seconds a redirected caller stays there: leaving a message / hearing the online prompt
REDIRECT_DWELL_S = {"hotline-voicemail": 20.0, "hotline-online": 4.0}
Applied = Literal["applied", "ignored", "no_channel"]
_MEMBER_VARS = (
    "MEMBERINTERFACE",
    "MEMBERNAME",
    "MEMBERCALLS",
    "MEMBERLASTCALL",
    "MEMBERPENALTY",
    "MEMBERDYNAMIC",
    "MEMBERREALTIME",
)


@dataclass(slots=True)
class CallTruth:
    """What really happened to one call (the simulator's ground truth)."""

    call_no: int
    linkedid: str
    caller: str
    outcome: str
    queued: bool
    wait_s: int | None = None  # queue hold time as Asterisk reports it (whole seconds)
    talk_s: int | None = None
    agent: str | None = None


@dataclass(slots=True)
class _AgentRt:
    agent: Agent
    login_time: int
    paused: bool = False
    reason: str = ""
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    in_call: bool = False
    busy: bool = False

    def member_state(self) -> Headers:
        """StateInterface … PausedReason, as QueueMember* events and QueueStatus list them."""
        return [
            ("StateInterface", self.agent.interface),
            ("Membership", "static"),
            ("Penalty", "0"),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", "1" if self.in_call else "0"),
            ("Status", "3" if self.busy else "1"),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.reason if self.paused else ""),
        ]


@dataclass(slots=True)
class _CallRt:
    script: CallScript
    caller: Chan
    join_epoch: int = 0
    orig_pos: int = 0
    agent_leg: Chan | None = None
    ringing: RingAttempt | None = None
    answered_by: Agent | None = None
    connect_epoch: int = 0
    bridge: str = ""
    no_answer_legs: int = 0
    pending_member: _AgentRt | None = None


@dataclass(order=True, slots=True)
class _Step:
    t: float
    prio: int
    seq: int
    run: Callable[[], None] = field(compare=False)
    call_no: int | None = field(default=None, compare=False)  # its call's script step


class Pbx:
    """Renders a :class:`Scenario` step by step. ``emit`` gets each AMI event frame,
    ``qlog`` each queue_log line; time is seconds since ``base_epoch``."""

    def __init__(
        self,
        scenario: Scenario,
        base_epoch: float,
        emit: Callable[[str], None],
        qlog: Callable[[str], None],
    ) -> None:
        self.scenario = scenario
        self.base = base_epoch
        self.emit = emit
        self.qlog = qlog
        self.now = 0.0
        self._counter = 0
        self.channels: dict[str, Chan] = {}
        self.waiting: list[int] = []  # call_no in queue order
        self.calls: dict[int, _CallRt] = {}
        self.truth: dict[int, CallTruth] = {}
        self.agents = {
            a.number: _AgentRt(a, login_time=int(base_epoch) - 10) for a in scenario.agents
        }
        self.completed = 0
        self.abandoned = 0
        self._steps: list[_Step] = []
        self._seq = 0
        self._started = False
        self.taken_over: set[int] = set()  # calls an AMI action changed: script steps skipped
        self.taps = TapChannels(self.emit, self.epoch, self.channels, lambda: self._new_id()[0])
        for call in scenario.calls:
            self._plan_call(call)
        for pause in scenario.pauses:
            self._at(pause.start, 1, functools.partial(self._pause, pause, True))
            self._at(pause.end, 1, functools.partial(self._pause, pause, False))
        heapq.heapify(self._steps)
        self._started = True

    # -- playback --------------------------------------------------------------------------
    @property
    def next_time(self) -> float | None:
        self._drop_skipped()
        return self._steps[0].t if self._steps else None

    def run_until(self, t: float) -> int:
        """Play every step due at or before ``t``; return how many ran."""
        ran = 0
        while self._drop_skipped() and self._steps[0].t <= t:
            step = heapq.heappop(self._steps)
            self.now = step.t
            step.run()
            ran += 1
        self.now = max(self.now, t)
        return ran

    def _drop_skipped(self) -> bool:
        """Drop script steps of calls an AMI action took over; True if a step is left."""
        while self._steps and self._steps[0].call_no in self.taken_over:
            heapq.heappop(self._steps)
        return bool(self._steps)

    def epoch(self, t: float | None = None) -> int:
        return int(self.base + (self.now if t is None else t))

    def _at(self, t: float, prio: int, run: Callable[[], None], call_no: int | None = None) -> None:
        self._seq += 1
        step = _Step(t, prio, self._seq, run, call_no)
        if self._started:
            heapq.heappush(self._steps, step)
        else:
            self._steps.append(step)

    def _new_id(self) -> tuple[str, int]:
        n = self._counter
        self._counter += 1
        return f"{self.epoch()}.{n}", n

    # -- planning --------------------------------------------------------------------------
    def _plan_call(self, c: CallScript) -> None:
        def at(t: float, prio: int, run: Callable[[], None]) -> None:
            self._at(t, prio, run, c.call_no)

        at(c.arrival, 3, lambda: self._arrive(c))
        if c.outcome == "ivr_hangup":
            at(c.end_at, 0, lambda: self._ivr_hangup(c))
            return
        at(c.key_at, 4, lambda: self._ivr_key(c))
        for a in c.attempts:
            at(a.start, 5, functools.partial(self._ring, c, a))
            cut = c.leave_at is not None and a.end >= c.leave_at and not a.answered
            if not a.answered and not cut:
                at(a.end, 1, functools.partial(self._ring_no_answer, c, a))
        if c.join_at is not None:
            t = c.join_at + 5  # one RTCP sender report per 5 s while the caller is up
            while t < c.end_at:
                at(t, 6, lambda: self._rtcp(c))
                t += 5
        if c.outcome == "answered" and c.leave_at is not None:
            at(c.leave_at, 2, lambda: self._answer(c))
            at(c.end_at, 0, lambda: self._complete(c))
        elif c.outcome in ("abandoned", "timeout", "exitkey") and c.leave_at is not None:
            at(c.leave_at, 0, lambda: self._leave(c))
            if c.outcome != "abandoned":
                at(c.end_at, 0, lambda: self._after_queue_end(c))
        elif c.outcome in ("online", "voicemail"):
            at(c.end_at, 0, lambda: self._after_queue_end(c))

    # -- event helpers ---------------------------------------------------------------------
    def _ev(self, name: str, priv: str, *parts: Headers) -> None:
        self.emit(event(name, priv, *parts))

    def _var(self, ch: Chan, name: str, value: str) -> None:
        self.emit(wire.var_set(ch, name, value))

    def _exten(self, ch: Chan, ctx: str, ext: str, prio: int, app: str, data: str) -> None:
        self.emit(wire.newexten(ch, ctx, ext, prio, app, data))

    def _user_event(self, ch: Chan, at: tuple[str, int], name: str, fields: Headers) -> None:
        """Dialplan ``UserEvent(name,Key: value,…)`` at ``(context, priority)`` of exten ``s``:
        its Newexten, then the ``UserEvent`` it raises carrying the same fields."""
        context, priority = at
        data = ",".join([name, *(f"{key}: {value}" for key, value in fields)])
        self._exten(ch, context, "s", priority, "UserEvent", data)
        self._ev("UserEvent", "user,all", ch.snapshot(), [("UserEvent", name), *fields])

    def _rtp_qos(self, ch: Chan, bridged: Chan | None = None) -> None:
        """RTP statistics Asterisk sets on a channel as it hangs up (and on its peer)."""
        for name, value in _QOS:
            self._var(ch, name, value)
            if bridged is not None:
                self._var(bridged, f"{name}BRIDGED", value)

    def _queue_result_vars(self, ch: Chan, hold: int, dialed: int, answered: int = 0) -> None:
        for name, value in (
            ("QUEUEWAIT", hold),
            ("QUEUEWAIT_MS", hold * 1000),
            ("DIALEDTIME", dialed),
            ("DIALEDTIME_MS", dialed * 1000 + 516),
            ("ANSWEREDTIME", answered),
            ("ANSWEREDTIME_MS", answered * 1000),
        ):
            self._var(ch, name, str(value))

    def _device(self, device: str, state: str) -> None:
        self.emit(wire.device_state(device, state))

    def _hangup(self, ch: Chan, cause: int) -> None:
        self.taps.spyee_leaving(ch)  # trace 09: ChanSpyStop, the spied leg's Hangup, the tap's
        self.emit(wire.hangup(ch, cause))
        self.channels.pop(ch.uniqueid, None)
        self.taps.spyee_gone(ch)

    def _member_status(self, rt: _AgentRt, name: str = "QueueMemberStatus") -> None:
        self._ev(
            name,
            "agent,all",
            [
                ("Queue", QUEUE),
                ("MemberName", rt.agent.name),
                ("Interface", rt.agent.interface),
                *rt.member_state(),
                ("Ringinuse", "0"),
                ("Wrapuptime", "0"),
            ],
        )

    def _caller_abandon(self, ch: Chan, pos: int, orig_pos: int, hold: int) -> None:
        """QueueCallerAbandon: Asterisk raises it for a hang-up and for a timeout alike."""
        self._ev(
            "QueueCallerAbandon",
            "agent,all",
            ch.snapshot(),
            [
                ("Queue", QUEUE),
                ("Position", str(pos)),
                ("OriginalPosition", str(orig_pos)),
                ("HoldTime", str(hold)),
            ],
        )

    def _answered_vars(self, ch: Chan, talk: int, dialed: int) -> None:
        """What Queue() sets on the caller when an answered call ends, whoever hung up."""
        self._queue_vars(ch)
        for name, value in (
            ("ANSWEREDTIME", talk),
            ("ANSWEREDTIME_MS", talk * 1000),
            ("DIALEDTIME", dialed),
            ("DIALEDTIME_MS", dialed * 1000),
        ):
            self._var(ch, name, str(value))
        self._queue_vars(ch)

    def _queue_vars(self, ch: Chan) -> None:
        values = (
            QUEUE,
            "100",
            "rrmemory",
            str(len(self.waiting)),
            "3",
            "11",
            str(self.completed),
            str(self.abandoned),
            "20",
            "100.0",
        )
        for name, value in zip(_QUEUE_VARS, values, strict=True):
            self._var(ch, name, value)

    def _dial(self, name: str, caller: Chan, leg: Chan, extra: Headers) -> None:
        self._ev(name, "call,all", caller.snapshot(), leg.snapshot("Dest"), extra)

    def _agent_ev(
        self, name: str, caller: Chan, leg: Chan | None, agent: Agent, extra: Headers
    ) -> None:
        parts = [caller.snapshot()]
        if leg is not None:
            parts.append(leg.snapshot("Dest"))
        parts.append([("Queue", QUEUE), ("Interface", agent.interface), ("MemberName", agent.name)])
        parts.append(extra)
        self._ev(name, "agent,all", *parts)

    def _cdr(self, rt: _CallRt, dest_chan: str, app: str, data: str, disposition: str) -> None:
        c = rt.caller
        start = self.epoch(rt.script.arrival)
        end = self.epoch()
        self.emit(
            event(
                "Cdr",
                "cdr,all",
                [
                    ("AccountCode", ""),
                    ("Source", c.cid_num),
                    ("Destination", c.exten),
                    ("DestinationContext", c.context),
                    ("CallerID", f'"{c.cid_name}" <{c.cid_num}>'),
                    ("Channel", c.name),
                    ("DestinationChannel", dest_chan),
                    ("LastApplication", app),
                    ("LastData", data),
                    ("StartTime", cdr_time(start)),
                    ("AnswerTime", cdr_time(start)),
                    ("EndTime", cdr_time(end)),
                    ("Duration", str(end - start)),
                    ("BillableSeconds", str(end - start)),
                    ("Disposition", disposition),
                    ("AMAFlags", "DOCUMENTATION"),
                    ("UniqueID", c.uniqueid),
                    ("UserField", "12345"),
                ],
            )
        )

    # -- steps -----------------------------------------------------------------------------
    def _arrive(self, c: CallScript) -> None:
        uid, n = self._new_id()
        ch = Chan(
            f"PJSIP/pstn-{n:08x}", uid, uid, c.caller, f"Citizen {c.caller}", "from-pstn", "12345"
        )
        self.channels[uid] = ch
        self.calls[c.call_no] = _CallRt(c, ch)
        self.truth[c.call_no] = CallTruth(
            c.call_no, uid, c.caller, c.outcome, c.join_at is not None
        )
        self._ev("Newchannel", "call,all", ch.snapshot())
        self._var(ch, "SIPDOMAIN", "127.0.0.1")
        self._exten(ch, "from-pstn", "12345", 1, "NoOp", f"12345 hotline call from {c.caller}")
        self._exten(ch, "from-pstn", "12345", 2, "Set", "CDR(userfield)=12345")
        self._exten(ch, "from-pstn", "12345", 3, "Answer", "")
        ch.state = 6
        self._ev("Newstate", "call,all", ch.snapshot())
        self._device("PJSIP/pstn", "INUSE")
        self._exten(ch, "from-pstn", "12345", 4, "Wait", "0.5")
        self._exten(ch, "from-pstn", "12345", 5, "Goto", "hotline-ivr,s,1")
        for prio, tries in ((1, "0"), (2, "1")):
            self._exten(ch, "hotline-ivr", "s", prio, "Set", f"IVR_TRIES={tries}")
            self._var(ch, "IVR_TRIES", tries)
        self._exten(ch, "hotline-ivr", "s", 3, "BackGround", "hello&for&digits/1&digits/2&digits/3")

    # ``by_ami``: an AMI Hangup ended the step early — Asterisk's action only sets the soft
    # hangup flag (no HangupRequest; that event comes from the channel driver, e.g. a BYE),
    # and its ``cause`` (0: none given) replaces the state's usual hangup cause.
    def _ivr_hangup(self, c: CallScript, *, by_ami: bool = False, cause: int = 0) -> None:
        rt = self.calls[c.call_no]
        ch = rt.caller
        if not by_ami:
            self._ev("HangupRequest", "call,all", ch.snapshot())
        self._var(ch, "BACKGROUNDSTATUS", "FAILED")
        self._ev("SoftHangupRequest", "call,all", ch.snapshot(), [("Cause", "16")])
        self._cdr(rt, "", "BackGround", "hello&for&digits/1&digits/2&digits/3", "ANSWERED")
        self._hangup(ch, cause or 16)
        self._device("PJSIP/pstn", "NOT_INUSE")

    def _dtmf(self, ch: Chan, digit: str) -> None:
        self._ev(
            "DTMFBegin", "dtmf,all", ch.snapshot(), [("Digit", digit), ("Direction", "Received")]
        )
        self._ev(
            "DTMFEnd",
            "dtmf,all",
            ch.snapshot(),
            [("Digit", digit), ("DurationMs", "280"), ("Direction", "Received")],
        )

    def _ivr_key(self, c: CallScript) -> None:
        rt = self.calls[c.call_no]
        ch = rt.caller
        self._dtmf(ch, c.choice)
        self._var(ch, "BACKGROUNDSTATUS", "SUCCESS")
        if c.choice == "3":
            self._exten(ch, "hotline-ivr", "3", 1, "NoOp", "IVR choice 3: online channels")
            self._exten(ch, "hotline-ivr", "3", 2, "Goto", "hotline-online,s,1")
            self._online_start(rt)
            return
        if c.choice == "2":
            self._exten(ch, "hotline-ivr", "2", 1, "NoOp", "IVR choice 2: voicemail")
            self._exten(ch, "hotline-ivr", "2", 2, "Goto", "hotline-voicemail,s,1")
            self._voicemail_start(rt)
            return
        self._exten(ch, "hotline-ivr", "1", 1, "NoOp", "IVR choice 1: agent")
        self._exten(ch, "hotline-ivr", "1", 2, "Goto", "hotline-queue,s,1")
        ready = sum(1 for a in self.agents.values() if not a.busy and not a.paused)
        waiting = len(self.waiting)
        self._exten(ch, "hotline-queue", "s", 1, "Set", f"READY={ready}")
        self._var(ch, "READY", str(ready))
        self._exten(ch, "hotline-queue", "s", 2, "Set", f"WAITING={waiting}")
        self._var(ch, "WAITING", str(waiting))
        if c.busy_divert_offered:
            self._exten(ch, "hotline-queue", "s", 3, "GotoIf", "0?enqueue")
            self._exten(ch, "hotline-queue", "s", 4, "Goto", "hotline-busy,s,1")
            self._exten(
                ch,
                "hotline-busy",
                "s",
                1,
                "NoOp",
                f"All agents busy ready={ready} waiting={waiting}",
            )
            self._user_event(
                ch,
                ("hotline-busy", 2),
                "HotlineBusyDivertOffered",
                [("Queue", QUEUE), ("Waiting", str(waiting)), ("Ready", str(ready))],
            )
            self._exten(
                ch,
                "hotline-busy",
                "s",
                3,
                "BackGround",
                "all-circuits-busy-now&for&digits/2&digits/3",
            )
            self._exten(ch, "hotline-busy", "s", 4, "Goto", "hotline-queue,s,5")
        else:
            self._exten(ch, "hotline-queue", "s", 3, "GotoIf", "1?enqueue")
        self._exten(ch, "hotline-queue", "s", 5, "Queue", "hotline,,,,40")
        for name in (
            "ANSWEREDTIME",
            "ANSWEREDTIME_MS",
            "DIALEDTIME",
            "DIALEDTIME_MS",
            "QUEUEWAIT",
            "QUEUEWAIT_MS",
        ):
            self._var(ch, name, "")
        if not self.waiting:
            self._device(f"Queue:{QUEUE}", "RINGING")
        self.waiting.append(c.call_no)
        rt.join_epoch = self.epoch()
        rt.orig_pos = len(self.waiting)
        self._ev(
            "QueueCallerJoin",
            "agent,all",
            ch.snapshot(),
            [("Queue", QUEUE), ("Position", str(rt.orig_pos)), ("Count", str(len(self.waiting)))],
        )
        self._ev("MusicOnHoldStart", "call,all", ch.snapshot(), [("Class", "default")])
        self.qlog(f"{self.epoch()}|{ch.uniqueid}|{QUEUE}|NONE|ENTERQUEUE||{c.caller}|{rt.orig_pos}")

    def _ring(self, c: CallScript, a: RingAttempt) -> None:
        rt = self.calls[c.call_no]
        agent_rt = self.agents[a.agent]
        agent = agent_rt.agent
        uid, n = self._new_id()
        leg = Chan(
            f"PJSIP/agent{agent.number}-{n:08x}",
            uid,
            rt.caller.linkedid,
            agent.number,
            agent.name,
            "agents-out",
            "s",
            1,
            0,
        )
        self.channels[uid] = leg
        rt.agent_leg, rt.ringing = leg, a
        ch = rt.caller
        self._ev("Newchannel", "call,all", leg.snapshot())
        self._var(leg, "DIALEDPEERNUMBER", f"agent{agent.number}")
        leg.conn_num, leg.conn_name = ch.cid_num, ch.cid_name
        self._agent_ev("AgentCalled", ch, leg, agent, [])
        leg.conn_num = leg.conn_name = "<unknown>"
        self._dial("DialBegin", ch, leg, [("DialString", agent.interface)])
        ch.conn_num, ch.conn_name = agent.number, agent.name
        self._ev("NewConnectedLine", "call,all", ch.snapshot())
        leg.state = 5
        leg.conn_num, leg.conn_name = ch.cid_num, ch.cid_name
        self._ev("Newstate", "call,all", leg.snapshot())
        self._exten(leg, "agents-out", "s", 1, "AppQueue", "(Outgoing Line)")
        self._ev("NewConnectedLine", "call,all", leg.snapshot())
        agent_rt.busy = True
        self._member_status(agent_rt)
        self._device(agent.interface, "BUSY")
        self._dial("DialState", ch, leg, [("DialStatus", "RINGING")])

    def _end_ring(
        self,
        rt: _CallRt,
        status: str,
        *,
        timed_out: bool,
        hangup: bool = True,
        member_status: bool = True,
    ) -> None:
        """Stop ringing the current member: RINGNOANSWER (ms) or RINGCANCELED. The leg's
        Hangup and the member's status change can be deferred (``_finish_leg``) because
        Asterisk emits them later on the abandon / timeout / key-exit paths."""
        leg, a = rt.agent_leg, rt.ringing
        if leg is None or a is None:
            return
        agent_rt = self.agents[a.agent]
        ch = rt.caller
        ms = round((self.now - a.start) * 1000)
        if timed_out:
            self._agent_ev("AgentRingNoAnswer", ch, leg, agent_rt.agent, [("RingTime", str(ms))])
            self._dial("DialEnd", ch, leg, [("DialStatus", "NOANSWER")])
            self._dial("DialEnd", ch, leg, [("DialStatus", "CANCEL")])
            event_name = "RINGNOANSWER"
        else:
            self._dial("DialEnd", ch, leg, [("DialStatus", status)])
            self._dial("DialEnd", ch, leg, [("DialStatus", status)])
            event_name = "RINGCANCELED"
        self.qlog(f"{self.epoch()}|{ch.uniqueid}|{QUEUE}|{agent_rt.agent.name}|{event_name}|{ms}")
        rt.no_answer_legs += 1
        rt.ringing = None
        rt.pending_member = agent_rt
        ch.conn_num = ch.conn_name = "<unknown>"
        self._finish_leg(rt, hangup=hangup, member_status=member_status)

    def _finish_leg(self, rt: _CallRt, *, hangup: bool = True, member_status: bool = True) -> None:
        if hangup and rt.agent_leg is not None and rt.answered_by is None:
            self._hangup(rt.agent_leg, 0)
            rt.agent_leg = None
        agent_rt = rt.pending_member
        if member_status and agent_rt is not None:
            agent_rt.busy = False
            self._member_status(agent_rt)
            self._device(agent_rt.agent.interface, "NOT_INUSE")
            rt.pending_member = None

    def _ring_no_answer(self, c: CallScript, a: RingAttempt) -> None:
        self._end_ring(self.calls[c.call_no], "NOANSWER", timed_out=True)

    def _position(self, c: CallScript) -> tuple[int, int]:
        pos = self.waiting.index(c.call_no) + 1
        self.waiting.remove(c.call_no)
        return pos, len(self.waiting)

    def _queue_leave(self, rt: _CallRt, pos: int, count: int) -> None:
        if not self.waiting:
            self._device(f"Queue:{QUEUE}", "NOT_INUSE")
        self._ev(
            "QueueCallerLeave",
            "agent,all",
            rt.caller.snapshot(),
            [("Queue", QUEUE), ("Position", str(pos)), ("Count", str(count))],
        )
        self._var(rt.caller, "QUEUEPOSITION", str(pos))

    def _answer(self, c: CallScript) -> None:
        rt = self.calls[c.call_no]
        leg, a = rt.agent_leg, rt.ringing
        if leg is None or a is None:
            raise RuntimeError(f"call {c.call_no} answered without ringing")
        agent_rt = self.agents[a.agent]
        ch = rt.caller
        hold = self.epoch() - rt.join_epoch
        ring = self.epoch() - self.epoch(a.start)
        leg.state = 6
        self._ev("Newstate", "call,all", leg.snapshot())
        self._dial("DialEnd", ch, leg, [("DialStatus", "ANSWER")])
        self._ev("MusicOnHoldStop", "call,all", ch.snapshot())
        for target in (ch, leg):
            for name, value in zip(
                _MEMBER_VARS,
                (
                    agent_rt.agent.interface,
                    agent_rt.agent.name,
                    str(agent_rt.calls_taken),
                    str(agent_rt.last_call),
                    "0",
                    "0",
                    "0",
                ),
                strict=True,
            ):
                self._var(target, name, value)
        for target in (ch, leg):
            self._var(target, "QEHOLDTIME", str(hold))
            self._var(target, "QEORIGINALPOS", str(rt.orig_pos))
        self._queue_vars(ch)
        self._queue_vars(leg)
        pos, count = self._position(c)
        self._queue_leave(rt, pos, count)
        self._var(ch, "QUEUEWAIT", str(hold))
        self._var(ch, "QUEUEWAIT_MS", str(hold * 1000))
        self._agent_ev(
            "AgentConnect",
            ch,
            leg,
            agent_rt.agent,
            [("HoldTime", str(hold)), ("RingTime", str(ring))],
        )
        self.qlog(
            f"{self.epoch()}|{ch.uniqueid}|{QUEUE}|{agent_rt.agent.name}|CONNECT|{hold}|{leg.uniqueid}|{ring}"
        )
        rt.bridge = str(uuid.uuid5(uuid.NAMESPACE_OID, ch.uniqueid))
        self.emit(event("BridgeCreate", "call,all", _bridge(rt.bridge, 0)))
        self.emit(event("BridgeEnter", "call,all", _bridge(rt.bridge, 1), leg.snapshot()))
        self.emit(event("BridgeEnter", "call,all", _bridge(rt.bridge, 2), ch.snapshot()))
        for _ in range(3):  # Asterisk sets these three times in the traces
            self._var(ch, "BRIDGEPEER", leg.name)
            self._var(ch, "BRIDGEPVTCALLID", rt.bridge)
            self._var(leg, "BRIDGEPEER", ch.name)
            self._var(leg, "BRIDGEPVTCALLID", f"{leg.uniqueid}@127.0.0.1")
        agent_rt.in_call = True
        rt.answered_by = agent_rt.agent
        rt.connect_epoch = self.epoch()
        rt.ringing = None
        truth = self.truth[c.call_no]
        truth.wait_s, truth.agent = hold, agent_rt.agent.name

    def _rtcp(self, c: CallScript) -> None:
        rt = self.calls.get(c.call_no)
        if rt is None or rt.caller.uniqueid not in self.channels:
            return
        self._ev(
            "RTCPSent",
            "reporting,all",
            rt.caller.snapshot(),
            [
                ("To", "127.0.0.1:22001"),
                ("From", "127.0.0.1:10987"),
                ("MES", "88.1"),
                ("SSRC", "0x3eb29e61"),
                ("PT", "200(SR)"),
                ("ReportCount", "1"),
                ("SentNTP", f"{self.base + self.now:.6f}"),
                ("SentRTP", "37280"),
                ("SentPackets", "233"),
                ("SentOctets", "37280"),
                ("Report0SourceSSRC", "0x0e05384e"),
                ("Report0FractionLost", "0"),
                ("Report0CumulativeLost", "0"),
                ("Report0HighestSequence", "7991"),
                ("Report0SequenceNumberCycles", "0"),
                ("Report0IAJitter", "0"),
                ("Report0LSR", "0"),
                ("Report0DLSR", "0.0000"),
            ],
        )

    def _complete(
        self, c: CallScript, reason: str = "", *, by_ami: bool = False, cause: int = 0
    ) -> None:
        rt = self.calls[c.call_no]
        ch, leg, agent = rt.caller, rt.agent_leg, rt.answered_by
        if leg is None or agent is None:
            raise RuntimeError(f"call {c.call_no} completed without an agent")
        agent_rt = self.agents[agent.number]
        hold = rt.connect_epoch - rt.join_epoch
        talk = self.epoch() - rt.connect_epoch
        reason = reason or c.hangup_by
        done = [("HoldTime", str(hold)), ("TalkTime", str(talk)), ("Reason", reason)]
        self.completed += 1
        dialed = self.epoch() - rt.join_epoch
        if reason == "caller":
            self._rtp_qos(ch, leg)
            if not by_ami:
                self._ev("HangupRequest", "call,all", ch.snapshot())
            self._agent_ev("AgentComplete", ch, leg, agent, done)
            for target in (ch, leg):
                self._var(target, "BRIDGEPEER", "")
                self._var(target, "BRIDGEPVTCALLID", "")
            self.emit(event("BridgeLeave", "call,all", _bridge(rt.bridge, 1), ch.snapshot()))
            self._answered_vars(ch, talk, dialed)
            self._ev("SoftHangupRequest", "call,all", ch.snapshot(), [("Cause", "16")])
            self.emit(event("BridgeLeave", "call,all", _bridge(rt.bridge, 0), leg.snapshot()))
            self.emit(event("BridgeDestroy", "call,all", _bridge(rt.bridge, 0)))
            self._hangup(ch, cause or 16)
            self._cdr(rt, leg.name, "Queue", "hotline,,,,40", "ANSWERED")
            self._rtp_qos(leg)
            self._device("PJSIP/pstn", "NOT_INUSE")
            self._hangup(leg, 16)
            self._device(agent.interface, "NOT_INUSE")
            agent_rt.busy = agent_rt.in_call = False
            self._finish_agent(agent_rt)
        else:
            self._rtp_qos(leg, ch)
            if not by_ami:
                self._ev("HangupRequest", "call,all", leg.snapshot())
            for target in (leg, ch):
                self._var(target, "BRIDGEPEER", "")
                self._var(target, "BRIDGEPVTCALLID", "")
            self.emit(event("BridgeLeave", "call,all", _bridge(rt.bridge, 1), leg.snapshot()))
            self.emit(event("BridgeLeave", "call,all", _bridge(rt.bridge, 0), ch.snapshot()))
            self._agent_ev("AgentComplete", ch, leg, agent, done)
            self._answered_vars(ch, talk, dialed)
            self._rtp_qos(ch)
            self.emit(event("BridgeDestroy", "call,all", _bridge(rt.bridge, 0)))
            self._ev("SoftHangupRequest", "call,all", ch.snapshot(), [("Cause", "16")])
            self._hangup(leg, cause or 16)
            agent_rt.busy = agent_rt.in_call = False
            self._finish_agent(agent_rt)
            self._device(agent.interface, "NOT_INUSE")
            self._cdr(rt, leg.name, "Queue", "hotline,,,,40", "ANSWERED")
            self._hangup(ch, 16)
            self._device("PJSIP/pstn", "NOT_INUSE")
        event_name = "COMPLETECALLER" if reason == "caller" else "COMPLETEAGENT"
        self.qlog(
            f"{self.epoch()}|{ch.uniqueid}|{QUEUE}|{agent.name}|{event_name}|{hold}|{talk}|{rt.orig_pos}"
        )
        self.truth[c.call_no].talk_s = talk

    def _finish_agent(self, agent_rt: _AgentRt) -> None:
        agent_rt.calls_taken += 1
        agent_rt.last_call = self.epoch()
        self._member_status(agent_rt)

    def _leave(self, c: CallScript) -> None:
        """Caller leaves the queue unanswered: abandon, timeout or key."""
        rt = self.calls[c.call_no]
        ch = rt.caller
        hold = self.epoch() - rt.join_epoch
        self.truth[c.call_no].wait_s = hold
        if c.outcome == "abandoned":
            self._abandon(c)
            return
        if c.outcome == "timeout":
            self._end_ring(rt, "NOANSWER", timed_out=True, hangup=False, member_status=False)
            self._var(ch, "ABANDONED", "TRUE")
            self._queue_vars(ch)
            pos = self.waiting.index(c.call_no) + 1
            self._caller_abandon(ch, pos, rt.orig_pos, hold)
            self._queue_result_vars(ch, hold, hold + 2)
            self._ev("MusicOnHoldStop", "call,all", ch.snapshot())
            self._queue_vars(ch)
            pos, count = self._position(c)
            if not self.waiting:
                self._device(f"Queue:{QUEUE}", "NOT_INUSE")
            self._finish_leg(rt, member_status=False)
            self._ev(
                "QueueCallerLeave",
                "agent,all",
                ch.snapshot(),
                [("Queue", QUEUE), ("Position", str(pos)), ("Count", str(count))],
            )
            self._var(ch, "QUEUEPOSITION", str(pos))
            self._var(ch, "QUEUESTATUS", "TIMEOUT")
            self._finish_leg(rt)
            self._exten(ch, "hotline-queue", "s", 6, "NoOp", "Queue result TIMEOUT")
            self._exten(ch, "hotline-queue", "s", 7, "GotoIf", "1?hotline-voicemail,s,1")
            self.qlog(
                f"{self.epoch()}|{ch.uniqueid}|{QUEUE}|NONE|EXITWITHTIMEOUT|{pos}|{rt.orig_pos}|{hold}"
            )
            self._voicemail_start(rt)
            return
        key = c.exit_key
        self._dtmf(ch, key)
        self._end_ring(rt, "CANCEL", timed_out=False, hangup=False, member_status=False)
        self._queue_result_vars(ch, hold, hold + 2)
        self._queue_vars(ch)
        self._exten(ch, "hotline-queue-exit", key, 0, "Queue", "hotline,,,,40")
        self._ev("MusicOnHoldStop", "call,all", ch.snapshot())
        pos, count = self._position(c)
        self._queue_leave(rt, pos, count)
        self._finish_leg(rt)
        self.qlog(
            f"{self.epoch()}|{ch.uniqueid}|{QUEUE}|NONE|EXITWITHKEY|{key}|{pos}|{rt.orig_pos}|{hold}"
        )
        if key == "3":
            self._exten(ch, "hotline-queue-exit", key, 1, "NoOp", "Left queue with key 3: online")
            self._exten(ch, "hotline-queue-exit", key, 2, "Goto", "hotline-online,s,1")
            self._online_start(rt)
        else:
            self._exten(
                ch, "hotline-queue-exit", key, 1, "NoOp", "Left queue with key 2: voicemail"
            )
            self._exten(ch, "hotline-queue-exit", key, 2, "Goto", "hotline-voicemail,s,1")
            self._voicemail_start(rt)

    def _abandon(
        self, c: CallScript, *, by_ami: bool = False, stays: bool = False, cause: int = 0
    ) -> None:
        """The caller leaves the queue by hanging up — or by a ``Redirect`` (``stays``): Queue()
        cannot tell an async goto from a hangup, it logs ABANDON either way."""
        rt = self.calls[c.call_no]
        ch = rt.caller
        hold = self.epoch() - rt.join_epoch
        self.truth[c.call_no].wait_s = hold
        if not by_ami:
            self._ev("HangupRequest", "call,all", ch.snapshot())
        self._ev("MusicOnHoldStop", "call,all", ch.snapshot())
        self._end_ring(rt, "CANCEL", timed_out=False, member_status=False)
        self._queue_result_vars(ch, hold, hold + 2)
        self._var(ch, "ABANDONED", "TRUE")
        self._queue_vars(ch)
        pos, count = self._position(c)
        self._caller_abandon(ch, pos, rt.orig_pos, hold)
        self.abandoned += 1
        self._queue_vars(ch)
        for _ in range(rt.no_answer_legs):
            self._cdr(rt, "", "Queue", "hotline,,,,40", "NO ANSWER")
        self._queue_leave(rt, pos, count)
        self._finish_leg(rt)
        if not stays:
            self._rtp_qos(ch)
            self._ev("SoftHangupRequest", "call,all", ch.snapshot(), [("Cause", "16")])
            self._hangup(ch, cause)
            self._device("PJSIP/pstn", "NOT_INUSE")
        self.qlog(f"{self.epoch()}|{ch.uniqueid}|{QUEUE}|NONE|ABANDON|{pos}|{rt.orig_pos}|{hold}")

    def _online_start(self, rt: _CallRt) -> None:
        ch, num = rt.caller, rt.caller.cid_num
        self._exten(ch, "hotline-online", "s", 1, "NoOp", f"Online channel offered to {num}")
        self._user_event(
            ch,
            ("hotline-online", 2),
            "HotlineOnlineChannel",
            [("Caller", num), ("Channel", ch.name), ("Uniqueid", ch.uniqueid)],
        )
        self._exten(ch, "hotline-online", "s", 3, "Playback", "vm-goodbye")

    def _voicemail_start(self, rt: _CallRt) -> None:
        ch = rt.caller
        self._exten(ch, "hotline-voicemail", "s", 1, "NoOp", f"Voicemail for {ch.cid_num}")
        self._exten(ch, "hotline-voicemail", "s", 2, "VoiceMail", "12345@hotline,u")

    def _after_queue_end(self, c: CallScript, *, by_ami: bool = False, cause: int = 0) -> None:
        rt = self.calls[c.call_no]
        ch = rt.caller
        if ch.uniqueid not in self.channels:  # already hung up by an AMI action
            return
        online = ch.context == "hotline-online"
        if online:
            last = ("Playback", "vm-goodbye")
            if not by_ami:  # the goodbye played to its end; the dialplan hangs up
                self._var(ch, "PLAYBACKSTATUS", "SUCCESS")
                self._exten(ch, "hotline-online", "s", 4, "Hangup", "")
                last = ("Hangup", "")
            self._rtp_qos(ch)
            self._ev("SoftHangupRequest", "call,all", ch.snapshot(), [("Cause", "16")])
            self._cdr(rt, "", *last, "ANSWERED")
            self._hangup(ch, cause or 16)
            self._device("PJSIP/pstn", "NOT_INUSE")
            return
        self._rtp_qos(ch)
        if not by_ami:
            self._ev("HangupRequest", "call,all", ch.snapshot())
        self._var(
            ch,
            "VM_MESSAGEFILE",
            "/opt/asterisk/var/spool/asterisk/voicemail/hotline/12345/INBOX/msg0000",
        )
        self._ev(
            "MessageWaiting",
            "call,all",
            ch.snapshot(),
            [("Mailbox", "12345@hotline"), ("Waiting", "1"), ("New", "1"), ("Old", "0")],
        )
        self._var(ch, "VMSTATUS", "SUCCESS")
        self._ev("SoftHangupRequest", "call,all", ch.snapshot(), [("Cause", "16")])
        self._hangup(ch, cause)
        for _ in range(rt.no_answer_legs):
            self._cdr(rt, "", "Queue", "hotline,,,,40", "NO ANSWER")
        self._device("PJSIP/pstn", "NOT_INUSE")
        self._cdr(rt, "", "VoiceMail", "12345@hotline,u", "ANSWERED")

    def _pause(self, p: PauseScript, paused: bool) -> None:
        rt = self.agents[p.agent]
        rt.paused, rt.reason = paused, p.reason if paused else ""
        if paused:
            rt.last_pause = self.epoch()
        self._device(
            f"Queue:{QUEUE}_pause_{rt.agent.interface}", "INUSE" if paused else "NOT_INUSE"
        )
        self._member_status(rt, "QueueMemberPause")
        what = f"PAUSE|{p.reason}" if paused else "UNPAUSE|"
        self.qlog(f"{self.epoch()}|NONE|{QUEUE}|{rt.agent.name}|{what}")

    # -- for actions -----------------------------------------------------------------------
    def set_paused(self, interface: str, paused: bool, reason: str) -> bool:
        for rt in self.agents.values():
            if rt.agent.interface == interface:
                self._pause(PauseScript(rt.agent.number, self.now, self.now, reason), paused)
                return True
        return False

    # AMI Hangup / Redirect. The call model scripts each call's course; an action takes the
    # call over when it arrives: the call's remaining script steps are skipped, the call ends
    # (or moves) now with the events Asterisk sends in that state, and the ground truth
    # follows it, so the bridge-versus-truth comparison stays exact. See docs/telephony.md.
    def hangup_channel(self, name: str, cause: int = 0) -> Applied:
        ch = self._channel(name)
        if ch is None:
            return "no_channel"
        if self.taps.hang_up(ch.uniqueid, cause):
            return "applied"
        rt = self._call_of(ch)
        state = self._state(rt) if rt is not None else "gone"
        if rt is None or (ch is rt.agent_leg and state != "answered"):
            log.warning("simulator: Hangup of %s (%s) not modelled; call goes on", name, state)
            return "ignored"
        c = rt.script
        truth = self.truth[c.call_no]
        self.taken_over.add(c.call_no)
        if state == "answered":
            by = "agent" if ch is rt.agent_leg else "caller"
            self._complete(c, by, by_ami=True, cause=cause)
        elif state == "queued":
            self._abandon(c, by_ami=True, cause=cause)
            truth.outcome = "abandoned"
        elif state == "after_queue":
            self._after_queue_end(c, by_ami=True, cause=cause)
        else:
            self._ivr_hangup(c, by_ami=True, cause=cause)
            truth.outcome, truth.queued = "ivr_hangup", False
        return "applied"

    def redirect_channel(self, name: str, context: str) -> Applied:
        ch = self._channel(name)
        if ch is None:
            return "no_channel"
        rt = self._call_of(ch)
        state = self._state(rt) if rt is not None and ch is rt.caller else "not a caller"
        dwell = REDIRECT_DWELL_S.get(context)
        if rt is None or dwell is None or state not in ("ivr", "queued"):
            log.warning(
                "simulator: Redirect of %s (%s) to %s not modelled; call goes on",
                name, state, context,
            )  # fmt: skip
            return "ignored"
        c = rt.script
        truth = self.truth[c.call_no]
        self.taken_over.add(c.call_no)
        if state == "queued":
            self._abandon(c, by_ami=True, stays=True)
            truth.outcome = "abandoned"
        else:
            truth.outcome = "voicemail" if context == "hotline-voicemail" else "online"
            truth.queued = False
        if context == "hotline-voicemail":
            self._voicemail_start(rt)
        else:
            self._online_start(rt)
        self._at(self.now + dwell, 0, lambda: self._after_queue_end(c))
        return "applied"

    def _channel(self, name: str) -> Chan | None:
        return next((ch for ch in self.channels.values() if ch.name == name), None)

    def _call_of(self, ch: Chan) -> _CallRt | None:
        return next(
            (rt for rt in self.calls.values() if ch is rt.caller or ch is rt.agent_leg), None
        )

    def _state(self, rt: _CallRt) -> str:
        if rt.answered_by is not None:
            return "answered"
        if rt.script.call_no in self.waiting:
            return "queued"  # an agent leg may be ringing
        if rt.caller.context in AFTER_QUEUE:
            return "after_queue"
        return "ivr"


def _bridge(bridge_id: str, channels: int) -> Headers:
    return [
        ("BridgeUniqueid", bridge_id),
        ("BridgeType", "basic"),
        ("BridgeTechnology", "simple_bridge"),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", str(channels)),
        ("BridgeVideoSourceMode", "none"),
    ]
