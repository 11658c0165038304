"""The simulator's ASR tap channels, rendered as the real Asterisk 22 did in trace 09.

An async ``Originate`` of ``Local/tap@<ctx>/n`` (the action :mod:`asr.tap` builds) creates a
Local channel pair: ``;1`` answers and runs ``AudioSocket(${ASR_UUID},${ASR_SERVICE})`` (the
Originate's Context/Exten), ``;2`` runs the Local's own exten, ``ChanSpy(${SPY_TARGET},…)``.
Both halves have the Linkedid of ``;1`` — a tap is its own call, not part of the tapped one
(trace 09: tap Linkedid ``1795242485.67``, call ``1795242481.65``). ``ChannelId`` /
``OtherChannelId`` become the halves' Uniqueids (trace 07 shows ChannelId → Uniqueid).

Endings:

* the spied channel hangs up (recorded, trace 09): ``ChanSpyStop`` before its ``Hangup``; after
  it ``;2`` runs ``Hangup()`` and the pair goes down, ``;2`` first, Cause 16;
* ``AudioSocket()`` fails — the ASR service refused the connection or dropped it mid-call: the
  app returns -1, so ``;1`` leads the same sequence without a dialplan ``Hangup()`` step and
  ``;2``'s ChanSpy stops when the Local pair tears down (not recorded: mirrored from trace 09;
  Cause 16 assumed);
* an AMI ``Hangup`` of either half: that half leads, with the action's Cause.

``SoftHangupRequest`` always says Cause 16: it is the softhangup reason Asterisk's PBX loop
publishes when the dialplan stops (``AST_SOFTHANGUP_APPUNLOAD``), not the hangup cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from telephony.sim import wire
from telephony.sim.wire import Chan, Headers, cdr_time, event

Emit = Callable[[str], None]
TAP_CAUSE = 16  # Normal Clearing, as both halves showed in trace 09


@dataclass(slots=True)
class SimTap:
    one: Chan  # ;1 — AudioSocket()
    two: Chan  # ;2 — ChanSpy() on the target
    target: Chan
    device: str  # "Local/tap@asr-tap", as DeviceStateChange names it
    started: int  # epoch seconds
    one_app: tuple[str, str]  # last application and its data (what the Cdr reports)
    two_app: tuple[str, str]
    spying: bool = False
    ended: bool = False


@dataclass(frozen=True, slots=True)
class TapRequest:
    """What the Originate asked for (parsed by the server)."""

    local: str  # the Originate's Channel: "Local/tap@asr-tap/n"
    context: str  # where ;1 goes once answered
    exten: str
    one_id: str  # ChannelId ("" → a generated Uniqueid)
    two_id: str  # OtherChannelId
    variables: tuple[tuple[str, str], ...]  # in the action's order
    action_id: str | None  # None: a synchronous Originate (no OriginateResponse)


class TapChannels:
    """Renders tap channels into the PBX's event stream; ``channels`` is the PBX's live
    channel table (taps are listed in CoreShowChannels and can be hung up like any channel)."""

    def __init__(
        self,
        emit: Emit,
        epoch: Callable[[], int],
        channels: dict[str, Chan],
        new_id: Callable[[], str],
    ) -> None:
        self._emit = emit
        self._epoch = epoch
        self._channels = channels
        self._new_id = new_id
        self._count = 0  # chan_local numbers its pairs on its own (trace 09: -00000002)
        self.taps: dict[str, SimTap] = {}  # ;1 and ;2 Uniqueid → tap

    def live_on(self, target: Chan) -> list[SimTap]:
        found = {id(t): t for t in self.taps.values() if t.target is target and not t.ended}
        return list(found.values())

    def start(self, req: TapRequest, target: Chan) -> SimTap:
        dial = req.local.removeprefix("Local/")
        base, _, options = dial.partition("/")
        lexten, _, lcontext = base.partition("@")
        variables = dict(req.variables)
        name = f"Local/{base}-{self._count:08x}"
        self._count += 1
        one_id = req.one_id or self._new_id()
        two_id = req.two_id or self._new_id()
        one = Chan(f"{name};1", one_id, one_id, "<unknown>", "<unknown>", lcontext, lexten, 1, 0)
        two = Chan(f"{name};2", two_id, one_id, "<unknown>", "<unknown>", lcontext, lexten, 1, 4)
        socket_data = f"{variables.get('ASR_UUID', '')},{variables.get('ASR_SERVICE', '')}"
        spy_data = f"{variables.get('SPY_TARGET', '')},{variables.get('SPY_OPTIONS', 'qES')}"
        tap = SimTap(
            one,
            two,
            target,
            f"Local/{base}",
            self._epoch(),
            ("AudioSocket", socket_data),
            ("ChanSpy", spy_data),
        )
        self.taps[one_id] = self.taps[two_id] = tap
        self._channels[one_id] = one
        self._channels[two_id] = two
        self._ev("Newchannel", "call,all", one.snapshot())
        self._ev("Newchannel", "call,all", two.snapshot())
        self._exten(one, lcontext, lexten, 1, "AppDial2", "(Outgoing Line)")
        for key, value in reversed(req.variables):  # ;1 lists them last-first, ;2 in order
            self._var(one, key, value)
        for key, value in req.variables:
            self._var(two, key, value)
        self._ev(
            "LocalBridge",
            "call,all",
            one.snapshot("LocalOne"),
            two.snapshot("LocalTwo"),
            [
                ("Context", lcontext),
                ("Exten", lexten),
                ("LocalOptimization", "No" if "n" in options else "Yes"),
            ],
        )
        self._exten(two, lcontext, lexten, 1, "Answer", "")
        two.state = 6
        self._ev("Newstate", "call,all", two.snapshot())
        self._ev("DialBegin", "call,all", one.snapshot("Dest"), [("DialString", dial)])
        one.state = 6
        self._ev("Newstate", "call,all", one.snapshot())
        self._device(tap.device, "INUSE")
        self._device(tap.device, "INUSE")
        self._ev("DialEnd", "call,all", one.snapshot("Dest"), [("DialStatus", "ANSWER")])
        self._exten(one, req.context, req.exten, 1, "Answer", "")
        if req.action_id is not None:
            self._ev(
                "OriginateResponse",
                "call,all",
                [
                    ("ActionID", req.action_id),
                    ("Response", "Success"),
                    ("Channel", one.name),
                    ("Context", req.context),
                    ("Exten", req.exten),
                    ("Reason", "4"),
                    ("Uniqueid", one.uniqueid),
                    ("CallerIDNum", "<unknown>"),
                    ("CallerIDName", "<unknown>"),
                ],
            )
        self._exten(one, req.context, req.exten, 2, *tap.one_app)
        self._exten(two, lcontext, lexten, 2, *tap.two_app)
        self._spy("ChanSpyStart", tap)
        tap.spying = True
        return tap

    # -- endings -------------------------------------------------------------------------------
    def spyee_leaving(self, target: Chan) -> None:
        """Before the spied channel's Hangup: ChanSpy (option E) stops."""
        for tap in self.live_on(target):
            self._spy("ChanSpyStop", tap)
            tap.spying = False

    def spyee_gone(self, target: Chan) -> None:
        """After the spied channel's Hangup: ;2 goes on to ``Hangup()``, the pair goes down."""
        for tap in self.live_on(target):
            two = tap.two
            self._exten(two, two.context, two.exten, two.priority + 1, "Hangup", "")
            tap.two_app = ("Hangup", "")
            self._teardown(tap, tap.two, TAP_CAUSE)

    def socket_lost(self, tap: SimTap) -> None:
        """``AudioSocket()`` returned -1 (connect refused, peer closed or reset)."""
        if not tap.ended:
            self._teardown(tap, tap.one, TAP_CAUSE)

    def hang_up(self, uniqueid: str, cause: int) -> bool:
        """An AMI ``Hangup`` of either half; False if ``uniqueid`` is no live tap half."""
        tap = self.taps.get(uniqueid)
        if tap is None or tap.ended:
            return False
        self._teardown(tap, tap.one if uniqueid == tap.one.uniqueid else tap.two, cause)
        return True

    def _teardown(self, tap: SimTap, lead: Chan, cause: int) -> None:
        other = tap.two if lead is tap.one else tap.one
        tap.ended = True
        if tap.spying and lead is tap.two:
            self._spy("ChanSpyStop", tap)
            tap.spying = False
        self._cdr(tap, lead)
        self._ev("SoftHangupRequest", "call,all", lead.snapshot(), [("Cause", "16")])
        self._ev("HangupRequest", "call,all", other.snapshot(), [("Cause", str(cause))])
        self._hangup(lead, cause)
        if tap.spying:  # ;1 led: ;2's ChanSpy ends as the Local pair tears down
            self._spy("ChanSpyStop", tap)
            tap.spying = False
        self._cdr(tap, other)
        self._device(tap.device, "NOT_INUSE")
        self._ev("SoftHangupRequest", "call,all", other.snapshot(), [("Cause", "16")])
        self._hangup(other, cause)
        self._device(tap.device, "NOT_INUSE")
        for ch in (tap.one, tap.two):
            self.taps.pop(ch.uniqueid, None)

    # -- event helpers -------------------------------------------------------------------------
    def _ev(self, name: str, priv: str, *parts: Headers) -> None:
        self._emit(event(name, priv, *parts))

    def _var(self, ch: Chan, name: str, value: str) -> None:
        self._emit(wire.var_set(ch, name, value))

    def _exten(self, ch: Chan, ctx: str, ext: str, prio: int, app: str, data: str) -> None:
        self._emit(wire.newexten(ch, ctx, ext, prio, app, data))

    def _device(self, device: str, state: str) -> None:
        self._emit(wire.device_state(device, state))

    def _spy(self, name: str, tap: SimTap) -> None:
        self._ev(name, "call,all", tap.two.snapshot("Spyer"), tap.target.snapshot("Spyee"))

    def _hangup(self, ch: Chan, cause: int) -> None:
        self._emit(wire.hangup(ch, cause))
        self._channels.pop(ch.uniqueid, None)

    def _cdr(self, tap: SimTap, ch: Chan) -> None:
        app, data = tap.one_app if ch is tap.one else tap.two_app
        end = self._epoch()
        self._ev(
            "Cdr",
            "cdr,all",
            [
                ("AccountCode", ""),
                ("Source", ""),
                ("Destination", ch.exten),
                ("DestinationContext", ch.context),
                ("CallerID", '"" <>'),
                ("Channel", ch.name),
                ("DestinationChannel", ""),
                ("LastApplication", app),
                ("LastData", data),
                ("StartTime", cdr_time(tap.started)),
                ("AnswerTime", cdr_time(tap.started)),
                ("EndTime", cdr_time(end)),
                ("Duration", str(end - tap.started)),
                ("BillableSeconds", str(end - tap.started)),
                ("Disposition", "ANSWERED"),
                ("AMAFlags", "DOCUMENTATION"),
                ("UniqueID", ch.uniqueid),
                ("UserField", ""),
            ],
        )
