"""The shipped dialplan and the FastAGI server agree (routes, decisions, fallback)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from ivr_flows.flow import FinalAction

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "docker" / "asterisk" / "etc" / "asterisk"
DIALPLAN = (CONF / "extensions.conf").read_text(encoding="utf-8")


def context(name: str) -> str:
    match = re.search(rf"^\[{re.escape(name)}\]\n(.*?)(?=^\[|\Z)", DIALPLAN, re.M | re.S)
    assert match, name
    return match.group(1)


def test_every_decision_has_a_branch() -> None:
    ivr = context("hotline-ivr")
    for decision in get_args(FinalAction):
        if decision != "queue":  # queue is the fall-through
            assert f'"${{HOTLINE_DECISION}}" = "{decision}"' in ivr, decision
    lines = [line for line in ivr.splitlines() if "same =>" in line]
    branch = max(i for i, line in enumerate(lines) if "HOTLINE_DECISION" in line)
    assert "Goto(hotline-queue,s,1)" in lines[branch + 1]


def test_agi_failure_still_reaches_the_queue() -> None:
    ivr = context("hotline-ivr")
    assert '"${AGISTATUS}" != "SUCCESS"]?fallback' in ivr
    after = ivr.split("n(fallback)")[1]
    assert "Goto(hotline-queue,s,1)" in after


def test_agi_routes_are_served() -> None:
    routes = set(re.findall(r"AGI\(\$\{HOTLINE_AGI\}/([\w-]+)", DIALPLAN))
    source = (ROOT / "ivr_flows" / "fastagi.py").read_text(encoding="utf-8")
    served = set(re.findall(r'^\s+"([\w-]+)": self\.service\.', source, re.M))
    assert routes == served == {"hotline", "online", "voicemail-done"}


def test_queue_follows_the_lab() -> None:
    queues = (CONF / "queues.conf").read_text(encoding="utf-8")
    for setting in ("timeout=15", "retry=2", "wrapuptime=3", "context=hotline-queue-exit"):
        assert setting in queues
    assert "Queue(${HOTLINE_QUEUE},,,,40)" in context("hotline-queue")
    exits = context("hotline-queue-exit")
    assert "exten => 2,1,Goto(hotline-voicemail,s,1)" in exits
    assert "exten => 3,1,Goto(hotline-online,s,1)" in exits


def test_voicemail_carries_the_linkedid_the_spool_reimport_keys_on() -> None:
    """app_voicemail writes VM_CATEGORY to the message's category= line; the re-import reads
    the linkedid back from it, so the spool and the live paths share one idempotency key."""
    from ivr_flows.voicemail_spool import CATEGORY_CALL_PREFIX

    lines = context("hotline-voicemail").splitlines()
    category = next(i for i, line in enumerate(lines) if "Set(VM_CATEGORY" in line)
    record = next(i for i, line in enumerate(lines) if "VoiceMail(" in line)
    assert category < record
    assert f"Set(VM_CATEGORY={CATEGORY_CALL_PREFIX}${{CHANNEL(linkedid)}})" in lines[category]
    done = next(line for line in lines if "voicemail-done" in line)
    assert done.endswith(",${CHANNEL(linkedid)})")  # the live path's call id: the same one
