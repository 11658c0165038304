"""Small rules of the AMI layer, as tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.calls import (
    AgentPaused,
    AgentRinging,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallOffered,
    DataGap,
    IvrEntered,
)
from core.events import DomainEvent
from telephony.ami_client import md5_key
from telephony.bridge import milestone, topic_for
from telephony.errors import refusal_error

AT = datetime(2026, 11, 21, 6, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("action", "message", "code"),
    [
        ("QueuePause", "Interface not found", "telephony.interface_not_found"),
        (
            "QueueRemove",
            "Unable to remove interface: Not there",
            "telephony.interface_not_in_queue",
        ),
        (
            "QueueAdd",
            "Unable to add interface: Already there",
            "telephony.interface_already_in_queue",
        ),
        ("Hangup", "No such channel", "telephony.channel_not_found"),
        ("Redirect", "No such channel", "telephony.channel_not_found"),
        ("Originate", "Originate failed", "telephony.originate_failed"),
        ("Login", "Authentication failed", "telephony.authentication_failed"),
        ("NoSuchAction", "Invalid/unknown command: NoSuchAction.", "telephony.action_refused"),
    ],
)
def test_refusals_map_to_stable_codes(action: str, message: str, code: str) -> None:
    error = refusal_error(action, message)
    assert error.code == code
    assert error.details == {"action": action, "asterisk_message": message}


def _offered() -> CallOffered:
    return CallOffered(occurred_at=AT, linkedid="1.0", uniqueid="1.0", channel="PJSIP/pstn-0",
                       caller_number="13800131", caller_name="", dialed="12345")  # fmt: skip


@pytest.mark.parametrize(
    ("event", "topic", "kind"),
    [
        (_offered(), "call.offered", "offered"),
        (CallAnswered(occurred_at=AT, linkedid="1.0", queue="hotline", interface="PJSIP/agent8001",
                      member_name="Agent 8001", agent_uniqueid="1.1", wait_s=3, ring_s=3),
         "call.answered", "outcome"),
        (CallAbandoned(occurred_at=AT, linkedid="1.0", queue="hotline", position=1,
                       original_position=1, wait_s=21), "call.abandoned", "outcome"),
        (CallEnded(occurred_at=AT, linkedid="1.0", uniqueid="1.0", cause=16, cause_text=""),
         "call.ended", "ended"),
        (AgentRinging(occurred_at=AT, linkedid="1.0", queue="hotline", interface="PJSIP/agent8001",
                      member_name="Agent 8001", agent_uniqueid="1.1", agent_channel="x"),
         "call.agent_ringing", None),
        (IvrEntered(occurred_at=AT, linkedid="1.0", menu="hotline-ivr"), "call.ivr_entered", None),
        (AgentPaused(occurred_at=AT, queue="hotline", interface="PJSIP/agent8001",
                     member_name="Agent 8001", reason="lunch"), "agent.paused", None),
        (DataGap(occurred_at=AT, start=AT, end=AT, calls_reconciled=3), "call.data_gap", None),
    ],
)  # fmt: skip
def test_topics_and_dedupe_milestones(event: DomainEvent, topic: str, kind: str | None) -> None:
    assert topic_for(event) == topic
    assert milestone(event) == kind


def test_md5_login_key_is_md5_of_challenge_then_secret() -> None:
    # echo -n '840415273Hotline12345-lab' | md5sum
    assert md5_key("840415273", "Hotline12345-lab") == "b81a0a958791792f3eb5aa3d504236f5"
