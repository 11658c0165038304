"""AMI wire pieces shaped like Asterisk 22.10.1 (``../shared/ami-traces``): channel snapshots
in Asterisk's header order, and message framing (``Key: value\\r\\n`` … blank line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

Headers = list[tuple[str, str]]

STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}
CAUSE_TXT = {  # Asterisk's texts (19 as in trace 07)
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    21: "Call Rejected",
}


@dataclass(slots=True)
class Chan:
    """One channel as Asterisk's channel snapshot shows it."""

    name: str
    uniqueid: str
    linkedid: str
    cid_num: str
    cid_name: str
    context: str
    exten: str
    priority: int = 1
    state: int = 4
    conn_num: str = "<unknown>"
    conn_name: str = "<unknown>"

    def snapshot(self, prefix: str = "") -> Headers:
        p = prefix
        return [
            (f"{p}Channel", self.name),
            (f"{p}ChannelState", str(self.state)),
            (f"{p}ChannelStateDesc", STATE_DESC.get(self.state, "Unknown")),
            (f"{p}CallerIDNum", self.cid_num),
            (f"{p}CallerIDName", self.cid_name),
            (f"{p}ConnectedLineNum", self.conn_num),
            (f"{p}ConnectedLineName", self.conn_name),
            (f"{p}Language", "en"),
            (f"{p}AccountCode", ""),
            (f"{p}Context", self.context),
            (f"{p}Exten", self.exten),
            (f"{p}Priority", str(self.priority)),
            (f"{p}Uniqueid", self.uniqueid),
            (f"{p}Linkedid", self.linkedid),
        ]


def cdr_time(epoch: int) -> str:
    """``Cdr`` StartTime/AnswerTime/EndTime (the lab ran in UTC)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def frame(headers: Headers) -> str:
    return "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"


def event(name: str, privilege: str | None, *parts: Headers) -> str:
    headers: Headers = [("Event", name)]
    if privilege is not None:
        headers.append(("Privilege", privilege))
    for part in parts:
        headers.extend(part)
    return frame(headers)


# -- the events both the call legs and the tap channels emit ----------------------------------
def var_set(ch: Chan, name: str, value: str) -> str:
    return event("VarSet", "dialplan,all", ch.snapshot(), [("Variable", name), ("Value", value)])


def newexten(ch: Chan, ctx: str, ext: str, prio: int, app: str, data: str) -> str:
    """Moves ``ch`` to ``ctx,ext,prio`` and renders the ``Newexten`` of running ``app``."""
    ch.context, ch.exten, ch.priority = ctx, ext, prio
    return event(
        "Newexten",
        "dialplan,all",
        ch.snapshot(),
        [("Extension", ext), ("Application", app), ("AppData", data)],
    )


def device_state(device: str, state: str) -> str:
    return event("DeviceStateChange", "call,all", [("Device", device), ("State", state)])


def hangup(ch: Chan, cause: int) -> str:
    txt = CAUSE_TXT.get(cause, "Unknown")
    return event("Hangup", "call,all", ch.snapshot(), [("Cause", str(cause)), ("Cause-txt", txt)])


def response(action_id: str | None, status: str = "Success", **fields: str) -> str:
    headers: Headers = [("Response", status)]
    if action_id is not None:
        headers.append(("ActionID", action_id))
    headers.extend((k, v) for k, v in fields.items())
    return frame(headers)


def parse_action(block: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for line in block.split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            pairs.append((key.strip(), value.strip()))
    return pairs
