"""Agent and call commands sent to Asterisk over AMI, typed, with refusals as domain errors.

Action and header names as a real Asterisk 22 takes them (``../shared/ami-traces`` 05, 07):
``QueueAdd``/``QueueRemove`` (agent login/logout), ``QueuePause`` with ``Reason``, ``Hangup``,
``Redirect`` (blind transfer), ``Originate`` (callback for return visits / voicemail).
Refusals (``Response: Error``) raise the errors of :mod:`telephony.errors`, e.g.
``telephony.interface_not_found`` or ``telephony.interface_not_in_queue``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.errors import ValidationError
from telephony.ami_client import AmiClient
from telephony.ami_codec import AmiMessage
from telephony.errors import OriginateFailedError

# OriginateResponse Reason codes (Asterisk's AST_CONTROL_* numbers as seen in trace 07)
ORIGINATE_REASONS = {
    "0": "failed (no such endpoint / channel could not be created)",
    "1": "hung up",
    "3": "no answer",
    "4": "answered",
    "5": "busy",
    "8": "congestion",
}


@dataclass(frozen=True, slots=True)
class OriginateResult:
    uniqueid: str
    channel: str
    reason: str


# Single-reply actions are sent with ``as_list=False``: panoramisk would otherwise treat
# "Added interface to queue" as the start of a list and wait for items that never come.


class AgentCommands:
    """Commands a supervisor or the agent desk issues. One instance per AMI client."""

    def __init__(self, client: AmiClient, *, queue: str = "hotline") -> None:
        self.client = client
        self.queue = queue

    async def login(
        self,
        interface: str,
        *,
        member_name: str | None = None,
        state_interface: str | None = None,
        penalty: int = 0,
        paused: bool = False,
        queue: str | None = None,
    ) -> None:
        """Add the agent's interface to the queue (QueueAdd): 坐席签入."""
        _require(interface, "interface")
        fields = {
            "Queue": queue or self.queue,
            "Interface": interface,
            "Penalty": str(penalty),
            "Paused": "true" if paused else "false",
        }
        if member_name:
            fields["MemberName"] = member_name
        if state_interface:
            fields["StateInterface"] = state_interface
        await self.client.action("QueueAdd", fields, as_list=False)

    async def logout(self, interface: str, *, queue: str | None = None) -> None:
        """Remove the interface from the queue (QueueRemove): 坐席签出."""
        _require(interface, "interface")
        await self.client.action(
            "QueueRemove", {"Queue": queue or self.queue, "Interface": interface}, as_list=False
        )

    async def pause(self, interface: str, reason: str = "", *, queue: str | None = None) -> None:
        """Pause (示忙) with a reason (lunch, training, 小休 …); without ``queue``: all queues."""
        _require(interface, "interface")
        fields = {"Interface": interface, "Paused": "true"}
        if reason:
            fields["Reason"] = reason
        if queue:
            fields["Queue"] = queue
        await self.client.action("QueuePause", fields, as_list=False)

    async def unpause(self, interface: str, *, queue: str | None = None) -> None:
        _require(interface, "interface")
        fields = {"Interface": interface, "Paused": "false"}
        if queue:
            fields["Queue"] = queue
        await self.client.action("QueuePause", fields, as_list=False)

    async def hangup(self, channel: str, cause: int = 16) -> None:
        _require(channel, "channel")
        await self.client.action("Hangup", {"Channel": channel, "Cause": str(cause)}, as_list=False)

    async def blind_transfer(
        self, channel: str, exten: str, context: str, priority: int = 1
    ) -> None:
        """Send ``channel`` to ``exten@context`` (Redirect), e.g. to 110/119/120 hand-off."""
        _require(channel, "channel")
        _require(exten, "exten")
        await self.client.action(
            "Redirect",
            {"Channel": channel, "Exten": exten, "Context": context, "Priority": str(priority)},
            as_list=False,
        )

    async def originate_callback(
        self,
        endpoint: str,
        *,
        context: str,
        exten: str = "s",
        ticket: str,
        caller_id: str = '"12345 Callback" <12345>',
        timeout_s: float = 20.0,
        variables: dict[str, str] | None = None,
    ) -> OriginateResult:
        """Call ``endpoint`` and run ``exten@context`` (回访 / voicemail callback).

        Async Originate with ``ChannelId`` = ``ticket`` (the call's Uniqueid, as in trace 07):
        returns when ``OriginateResponse`` arrives; ``Failure`` raises
        :class:`OriginateFailedError` with Asterisk's reason."""
        _require(endpoint, "endpoint")
        _require(ticket, "ticket")
        fields: dict[str, str | list[str]] = {
            "Channel": endpoint,
            "Context": context,
            "Exten": exten,
            "Priority": "1",
            "CallerID": caller_id,
            "Timeout": str(int(timeout_s * 1000)),
            "Async": "true",
            "ChannelId": ticket,
        }
        if variables:
            fields["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        # as_list=None: panoramisk waits for OriginateResponse after "successfully queued",
        # and completes at once on "Response: Error" (a synchronous refusal).
        replies = await self.client.action("Originate", fields, within_s=timeout_s + 10.0)
        result = _originate_response(replies)
        if result is None:
            raise OriginateFailedError(
                "Asterisk queued the Originate but sent no OriginateResponse"
            )
        reason = result.get("Reason", "") or ""
        if result.get("Response") != "Success":
            why = ORIGINATE_REASONS.get(reason, f"reason {reason}")
            raise OriginateFailedError(
                f"callback to {endpoint} failed: {why}",
                details={"endpoint": endpoint, "reason": reason, "ticket": ticket},
            )
        return OriginateResult(
            result.get("Uniqueid", "") or "", result.get("Channel", "") or "", reason
        )

    async def originate_prepared(
        self, action: Mapping[str, str | list[str]], *, timeout_s: float = 15.0
    ) -> AmiMessage | None:
        """Send an ``Originate`` built elsewhere (e.g. :mod:`asr.tap`'s tap actions, which
        carry their own ActionID/ChannelId); return its ``OriginateResponse`` if one came."""
        fields = {k: v for k, v in action.items() if k != "Action"}
        replies = await self.client.action("Originate", fields, within_s=timeout_s)
        return _originate_response(replies)


def _originate_response(replies: list[AmiMessage]) -> AmiMessage | None:
    for message in replies:
        if message.event == "OriginateResponse":
            return message
    return None


def _require(value: str, name: str) -> None:
    if not value or "\r" in value or "\n" in value:
        raise ValidationError(f"{name} must be a non-empty single line", details={name: value})
